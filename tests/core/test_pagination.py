"""Issue 6 C (HTML lists): paging and sorting parameters never crash a page nor lift the page-size cap.

Generated over the registry: every list page, every detail page's tab tables (their own prefixed
parameters) and the audit search. The rule (chanjiao/core/pagination.py): only the offered page sizes
25/50/100 are honoured, any other ``per_page`` gives the default; a ``page`` that is not a number or below 1
shows the first page, one past the end the last; an unknown or unsortable ``sort`` column is ignored.
Always 200 with a valid page — never 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chanjiao.catalog.models import Region
from chanjiao.core.display import RELATED_ROWS
from chanjiao.core.pagination import PAGE_SIZES
from tests import factories
from tests.populated import BUILDERS, built, registered_uis

pytestmark = pytest.mark.django_db

UIS = {ui.name: ui for ui in registered_uis()}
# Who may open each list (administrative models are their admins' alone, tokens their owner's).
LIST_PERSONA = {"user": "system_admin", "membership": "security_admin", "apitoken": "school_admin_a"}
BAD_SIZES = ["-1", "0", "abc", "100000", "26", "", " ", "1e3"]
BAD_PAGES = ["0", "-1", "abc", "99999999999999999999", "1.5", "", "-99999999999999999999"]
BAD_SORTS = ["no_such_column", "-no_such_column", ",", "-", "name,,-name", "__class__", "id;drop"]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def orderable(table: Any) -> list[str]:
    return [column.name for column in table.columns if column.orderable]


def check_table_params(client: Client, url: str, table_of: Any, prefix: str = "", default: int = PAGE_SIZES[0],
                       ) -> None:
    """Every bad size, page and sort on ``url`` answers 200 with a valid page; valid sizes are honoured."""
    for value in BAD_SIZES:
        response = client.get(url, {f"{prefix}per_page": value})
        assert response.status_code == 200, (url, "per_page", value, response.status_code)
        assert table_of(response).paginator.per_page == default, (url, "per_page", value)
    for size in PAGE_SIZES:
        response = client.get(url, {f"{prefix}per_page": str(size)})
        assert response.status_code == 200 and table_of(response).paginator.per_page == size, (url, size)
    for value in BAD_PAGES:
        response = client.get(url, {f"{prefix}page": value})
        assert response.status_code == 200, (url, "page", value, response.status_code)
        table = table_of(response)
        expected = table.paginator.num_pages if value == "99999999999999999999" else 1
        assert table.page.number == expected, (url, "page", value, table.page.number)
    columns = orderable(table_of(client.get(url)))
    for value in BAD_SORTS + columns + [f"-{c}" for c in columns]:
        response = client.get(url, {f"{prefix}sort": value})
        assert response.status_code == 200, (url, "sort", value, response.status_code)
        shown = [str(o) for o in table_of(response).order_by or ()]
        assert all(o.lstrip("-") in columns for o in shown), (url, "sort", value, shown)


@pytest.mark.parametrize("name", sorted(UIS))
def test_list_clamps_page_size_page_and_sort(name: str, world: Any) -> None:
    ui = UIS[name]
    client = signed_in(world.users[LIST_PERSONA.get(name, "bureau_admin")])
    url = reverse(ui.url_name("list"))
    assert client.get(url).status_code == 200
    check_table_params(client, url, lambda response: response.context["table"])


def test_page_size_cap_holds_with_many_rows(world: Any) -> None:
    """130 rows: ``per_page=100000`` shows 25 of them (it rendered all 4,826 before), 100 is the most."""
    Region.objects.bulk_create(Region(code=f"41{n:04d}", name=f"测试区{n}", level=Region.Level.COUNTY,
                                      edition="test") for n in range(130))
    client = signed_in(world.bureau_admin)
    url = reverse(UIS["region"].url_name("list"))

    def rows(params: dict[str, str]) -> int:
        response = client.get(url, params)
        assert response.status_code == 200
        return len(response.context["table"].page.object_list)

    assert rows({"per_page": "100000"}) == 25
    assert rows({"per_page": "-1"}) == 25
    assert rows({"per_page": "100"}) == 100
    assert rows({"per_page": "100", "page": "99999999999999999999"}) == 30  # the last page


def _detail_object(name: str, world: Any) -> Any:
    if name in BUILDERS:
        return BUILDERS[name][1](world)
    extra = {"region": lambda: world.region, "industry": lambda: world.industry, "major": lambda: world.major,
             "occupation": lambda: factories.OccupationFactory()}
    return extra[name]()


@pytest.mark.parametrize("name", sorted(name for name, ui in UIS.items() if ui.tabs))
def test_detail_tabs_clamp_their_own_parameters(name: str) -> None:
    world, _, _ = built("school")  # the shared world and catalog rows; the object itself is built below
    ui = UIS[name]
    obj = _detail_object(name, world)
    client = signed_in(world.users[LIST_PERSONA.get(name, "bureau_admin")])
    url = reverse(ui.url_name("detail"), args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    tabs = response.context["tabs"]
    assert tabs, name
    for index, tab in enumerate(tabs):
        prefix = tab["table"].prefix

        def table_of(response: Any, index: int = index) -> Any:
            return response.context["tabs"][index]["table"]

        check_table_params(client, url, table_of, prefix=prefix, default=RELATED_ROWS)


def test_audit_search_clamps_its_parameters(world: Any) -> None:
    client = signed_in(world.audit_admin)
    check_table_params(client, "/audit/", lambda response: response.context["table"], default=50)
