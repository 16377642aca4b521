"""Catalog tests run against the real code tables, loaded once for this test package.

The load happens inside an outer transaction that is rolled back when the package is done, so the
~10,000 rows never leak into other apps' tests (their factories create their own codes). Each test's
own transaction nests inside it as a savepoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import built_and_rolled_back


@pytest.fixture(scope="package")
def catalog_tables(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    yield from built_and_rolled_back(django_db_blocker, "load_catalogs")


@pytest.fixture(autouse=True)
def _catalogs(catalog_tables: None, db: Any) -> None:
    """Every catalog test sees the loaded tables (and rolls back its own changes)."""


@pytest.fixture
def bureau_client(client: Any, django_user_model: Any) -> Any:
    from chanjiao.accounts.models import Membership

    user = django_user_model.objects.create_user(username="catalog-reader", password="Pw-0123456789!")
    Membership.objects.create(user=user, role="bureau_admin")
    client.force_login(user)
    return client
