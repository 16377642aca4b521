"""Statistics on a read replica (core/db_router.py, issue #8 point 6), tested with a second database alias.

The ``replica`` alias here is a second, real connection to the test database, opened read-only
(PostgreSQL ``default_transaction_read_only``, SQLite ``PRAGMA query_only``) as a hot standby is:
a write that reached it would fail. Which queries ran where is read from each connection's own
query log (``CaptureQueriesContext``), and on PostgreSQL a replica held at an older snapshot shows
that the figures' numbers really come from it. Not Django's ``TEST["MIRROR"]``: that is what the
settings give the alias in a test run (so no test database is created on a standby), but a mirror
proves nothing about routing. The rows are committed (transactional tests), so both connections see them.

The alias exists only inside the ``replica`` fixture; every other test runs, as production without
``DATABASE_REPLICA_URL`` does, with ``default`` alone and no router.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from chanjiao.accounts.models import User
from chanjiao.core import db_router
from chanjiao.core.db import transaction_aliases
from chanjiao.core.db_router import REPLICA, ReplicaRouter, reading_from_replica
from chanjiao.core.figures import evaluate
from chanjiao.orgs.models import Organisation, School
from chanjiao.reports.dashboard import ORGANISATIONS, SCHOOLS
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
ROUTERS = ["chanjiao.core.db_router.ReplicaRouter"]

pytestmark = pytest.mark.django_db(transaction=True)  # committed rows: the second connection must see them


@pytest.fixture
def replica(transactional_db: None) -> Iterator[Any]:
    """A ``replica`` alias: a second, read-only connection to the test database (added after the test
    case's set-up, removed before its tear-down, so Django's per-test database checks never see it)."""
    if REPLICA in django_settings.DATABASES:
        pytest.skip("DATABASE_REPLICA_URL is set: these tests bring their own replica alias")
    default = connections["default"].settings_dict
    config = copy.deepcopy(default)
    if connections["default"].vendor == "postgresql":
        config["OPTIONS"] = {**config["OPTIONS"], "options": "-c default_transaction_read_only=on"}
    else:  # DEFERRED: a read-only connection must not take SQLite's write lock
        config["OPTIONS"] = {**config["OPTIONS"], "init_command": "PRAGMA query_only=ON;",
                             "transaction_mode": "DEFERRED"}
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = None  # kept open for the whole test (see below)
    django_settings.DATABASES[REPLICA] = config  # the connection handler reads this very dict
    try:
        # Connected now: the test case's guard refuses to *open* a connection to an alias it was not
        # built with, and this alias comes after it.
        connections[REPLICA].connect()
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del django_settings.DATABASES[REPLICA]


@pytest.fixture
def routed(settings: Any, replica: Any) -> Any:
    settings.DATABASE_ROUTERS = ROUTERS  # what settings.py installs with DATABASE_REPLICA_URL
    return replica


def _sql(queries: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


def _values(result: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value, [(g.key, g.value) for g in v.groups]) for k, v in result.items()}


def _more_rows() -> None:
    for n in range(3):
        factories.SchoolFactory(name=f"丙市第{n + 1}职业学校", school_code=f"41420000{n + 10}")
    factories.EnterpriseFactory(name="丙市机械有限公司", uscc=factories.valid_uscc(9_100_001))


def test_figures_count_on_the_replica_and_nothing_else_reads_there(world: Any, routed: Any) -> None:
    _more_rows()
    user = world.bureau_admin
    with override_settings(DATABASE_ROUTERS=[]):
        on_primary = _values(evaluate(ORGANISATIONS, {}, user)) | _values(evaluate([SCHOOLS], {}, user,
                                                                                    by="school_level"))
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(routed) as replica:
        counted = _values(evaluate(ORGANISATIONS, {}, user)) | _values(evaluate([SCHOOLS], {}, user,
                                                                                 by="school_level"))
    assert counted == on_primary and counted["schools"][0] == 5
    # Every counting query (one per family, plus the group names) ran on the replica, none on the primary.
    assert len(replica.captured_queries) >= 2 and "COUNT(" in _sql(replica)
    assert "orgs_organisation" not in _sql(primary), _sql(primary)
    # The replica connection is a separate, read-only session: it refuses a write.
    with pytest.raises(DatabaseError), transaction.atomic(using=REPLICA):
        School.objects.using(REPLICA).filter(pk=world.school_a.pk).update(name="改名")


def test_the_dashboard_and_the_figures_api_read_the_replica(world: Any, login: Any, routed: Any) -> None:
    client = login("bureau_admin")
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(routed) as replica:
        page = client.get("/")
    assert page.status_code == 200
    assert "COUNT(" in _sql(replica) and "GROUP BY" in _sql(replica)
    # The request itself (session, user, scope, the page) stays on the primary; the counts do not.
    assert primary.captured_queries and "COUNT(" not in _sql(primary)
    _, token = factories.issue_token(world.bureau_admin)
    with CaptureQueriesContext(routed) as replica:
        api = client.get("/api/reports/figures?names=schools,enterprises", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200, api.content
    assert {f["key"]: f["value"] for f in api.json()} == {"schools": 2, "enterprises": 2}
    assert "COUNT(" in _sql(replica)
    # No request transaction is opened on the replica (nothing is written there).
    assert REPLICA not in transaction_aliases("POST") and REPLICA not in transaction_aliases("GET")


def test_other_reads_and_every_write_stay_on_the_primary(world: Any, routed: Any) -> None:
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(routed) as replica:
        assert Organisation.objects.count() == 6  # outside the block: the primary
        with reading_from_replica():
            assert Organisation.objects.count() == 6  # a statistic: the replica
            school = School.objects.get(pk=world.school_a.pk)  # read on the replica …
            assert school._state.db == REPLICA
            school.name = "甲市第一职业技术学院（新校区）"
            school.save()  # … written on the primary (the replica would refuse it)
            factories.SchoolFactory(name="丁市职业学校", school_code="4143000001")
            # Who may see what is never read from the replica.
            assert User.objects.filter(username="bureau_admin").exists()
    on_replica, on_primary = _sql(replica), _sql(primary)
    # The count and the get; after the first write, nothing (the audit's reads for the writes included).
    assert [q["sql"].split(" FROM ")[1].split()[0] for q in replica.captured_queries] == ['"orgs_organisation"'] * 2
    assert "UPDATE" not in on_replica and "INSERT" not in on_replica
    assert "UPDATE" in on_primary and "INSERT" in on_primary and "accounts_user" in on_primary
    assert School.objects.get(pk=world.school_a.pk).name == "甲市第一职业技术学院（新校区）"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL: an older snapshot on the replica connection (REPEATABLE READ)")
def test_a_lagging_replica_gives_its_own_numbers(world: Any, routed: Any) -> None:
    """The figures' numbers come from the replica: held at a snapshot taken before a new school was
    committed on the primary, it still counts the old number, as a standby a moment behind would."""
    user = world.bureau_admin
    with transaction.atomic(using=REPLICA):
        with routed.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM orgs_organisation")  # the snapshot is taken here
        factories.SchoolFactory(name="戊市职业学校", school_code="4144000001")  # committed on the primary
        assert evaluate([SCHOOLS], {}, user)["schools"].value == 2
    with override_settings(DATABASE_ROUTERS=[]):
        assert evaluate([SCHOOLS], {}, user)["schools"].value == 3
    assert evaluate([SCHOOLS], {}, user)["schools"].value == 3  # the replica caught up


def test_without_a_replica_nothing_changes(world: Any, settings: Any) -> None:
    # This process has no DATABASE_REPLICA_URL: one alias, no router, figures on the primary.
    if os.environ.get("DATABASE_REPLICA_URL"):
        pytest.skip("DATABASE_REPLICA_URL is set in this test run")
    assert list(django_settings.DATABASES) == ["default"] and django_settings.DATABASE_ROUTERS == []
    with CaptureQueriesContext(connections["default"]) as primary:
        assert evaluate([SCHOOLS], {}, world.bureau_admin)["schools"].value == 2
    assert "COUNT(" in _sql(primary)
    # The router, installed without the alias, keeps everything on the primary too.
    settings.DATABASE_ROUTERS = ROUTERS
    with reading_from_replica():
        assert not db_router.replica_configured()
        assert ReplicaRouter().db_for_read(School) == "default"
        assert evaluate([SCHOOLS], {}, world.bureau_admin)["schools"].value == 2


def _settings_in_a_new_process(**env: str) -> dict[str, Any]:
    code = ("import json; from django.conf import settings; "
            "print(json.dumps({'aliases': list(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
            "'replica': settings.DATABASES.get('replica')}, default=str))")
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**base, "DJANGO_SETTINGS_MODULE": "chanjiao.settings", "CHANJIAO_PROFILE": "test",
                              **env})
    return json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr}


def test_settings_add_the_alias_and_the_router_only_with_a_replica_url() -> None:
    primary = "postgres://app@db-primary.internal:5432/chanjiao"
    assert _settings_in_a_new_process(DATABASE_URL=primary) == {"aliases": ["default"], "routers": [],
                                                                 "replica": None}
    configured = _settings_in_a_new_process(DATABASE_URL=primary, DB_CONN_MAX_AGE="60",
                                            DATABASE_REPLICA_URL="postgres://app@db-replica.internal:5432/chanjiao")
    assert configured["aliases"] == ["default", "replica"] and configured["routers"] == ROUTERS
    replica = configured["replica"]
    assert (replica["HOST"], replica["NAME"], replica["CONN_MAX_AGE"]) == ("db-replica.internal", "chanjiao", 60)
    assert replica["ATOMIC_REQUESTS"] is False and replica["TEST"] == {"MIRROR": "default"}
    # The primary's pool (DB_POOL_MAX) comes along, with the replica URL's own options.
    pooled = _settings_in_a_new_process(DATABASE_URL=primary, DB_POOL_MAX="3",
                                        DATABASE_REPLICA_URL="postgres://app@db-replica.internal/chanjiao?sslmode=require")
    options = pooled["replica"]["OPTIONS"]
    assert (options["pool"]["max_size"], options["sslmode"], pooled["replica"]["CONN_MAX_AGE"]) == (3, "require", 0)
    refused = _settings_in_a_new_process(DATABASE_URL="sqlite:///tmp/x.sqlite3",
                                         DATABASE_REPLICA_URL="postgres://app@db-replica.internal:5432/chanjiao")
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in refused["error"]
