"""Issue 6 point 12: the address of a list always equals its filter form, so a reload or bookmark shows the same list.

In Chromium: two filters chosen in quick succession and a text search, on the enterprise list. The address
then holds exactly the form's non-empty values, each parameter once; reloading shows the same rows and the
same form; going back shows the previous address with a form that matches it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The form's values as the browser would submit them, without the empty "all" choices.
FORM_VALUES = """(form) => [...new FormData(form)].filter(([, v]) => v !== "" && v !== "unknown")"""


def address(page: Any) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query, keep_blank_values=True)


def form_values(page: Any) -> list[tuple[str, str]]:
    return [tuple(pair) for pair in page.locator("[data-testid=filter-form]").evaluate(FORM_VALUES)]


def shown_names(page: Any) -> set[str]:
    return set(page.locator("#object-table table tbody tr td:first-child").all_inner_texts())


def signed_in_page(browser: Any, live_server: Any, user: Any) -> tuple[Any, Any]:
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    return context, context.new_page()


def test_address_equals_filter_form_and_survives_reload(live_server: Any, browser: Any) -> None:
    world = build_world()
    firms = [("智能装备集团有限公司", "large", "foreign"), ("智能传感有限公司", "large", "foreign"),
             ("智能物流有限公司", "large", "private"), ("乙县外资农业有限公司", "large", "foreign"),
             ("智能外资小微有限公司", "small", "foreign")]
    for name, size, ownership in firms:
        factories.EnterpriseFactory(name=name, size=size, ownership=ownership)
    expected = {"智能装备集团有限公司", "智能传感有限公司"}

    context, page = signed_in_page(browser, live_server, world.bureau_admin)
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    try:
        list_url = f"{live_server.url}/orgs/enterprise/"
        page.goto(list_url)
        assert len(shown_names(page)) == 7
        # Two choices in quick succession (the second while the first request may still be running) …
        page.select_option("#id_size", "large")
        page.select_option("#id_ownership", "foreign")
        # … and a search, submitted with Enter.
        page.fill("#id_q", "智能")
        page.press("#id_q", "Enter")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => new URLSearchParams(location.search).getAll('q').includes('智能')")
        page.wait_for_load_state("networkidle")

        pairs = address(page)
        assert sorted(pairs) == sorted([("size", "large"), ("ownership", "foreign"), ("q", "智能")]), page.url
        assert len({name for name, _ in pairs}) == len(pairs), f"a parameter is repeated: {page.url}"
        assert sorted(pairs) == sorted(form_values(page))
        assert shown_names(page) == expected
        # "Export what I see" follows the filters chosen since the page loaded (the buttons are not swapped).
        export = parse_qsl(urlsplit(page.get_attribute("[data-testid=export]", "href")).query)
        assert sorted(export) == sorted([*pairs, ("export", "xlsx")])

        bookmarked = page.url
        page.reload()
        assert page.url == bookmarked
        assert shown_names(page) == expected
        assert sorted(form_values(page)) == sorted(pairs)
        assert page.input_value("#id_size") == "large" and page.input_value("#id_ownership") == "foreign"
        assert page.input_value("#id_q") == "智能"

        # A bookmark opened in a fresh page is the same list.
        fresh = context.new_page()
        fresh.goto(bookmarked)
        assert shown_names(fresh) == expected and sorted(form_values(fresh)) == sorted(pairs)

        # Back: the previous address, and a form that says what that address shows.
        page.go_back()
        page.wait_for_load_state("networkidle")
        assert page.url != bookmarked
        assert sorted(form_values(page)) == sorted(address(page)), page.url
        fresh.goto(page.url)
        assert shown_names(page) == shown_names(fresh), "the rows shown after 'back' are not the address's"
        assert not script_errors
    finally:
        context.close()


def test_unknown_sort_and_page_size_are_dropped_from_the_address(live_server: Any, browser: Any) -> None:
    """Only what the server honours stays in the address: a valid sort and page size are kept, others dropped."""
    world = build_world()
    context, page = signed_in_page(browser, live_server, world.bureau_admin)
    try:
        page.goto(f"{live_server.url}/orgs/enterprise/?sort=-name&per_page=50")
        page.select_option("#id_size", "small")
        page.wait_for_function("() => new URLSearchParams(location.search).get('size') === 'small'")
        assert sorted(address(page)) == [("per_page", "50"), ("size", "small"), ("sort", "-name")]

        page.goto(f"{live_server.url}/orgs/enterprise/?sort=no_such_column&per_page=100000")
        page.select_option("#id_size", "small")
        page.wait_for_function("() => new URLSearchParams(location.search).get('size') === 'small'")
        assert address(page) == [("size", "small")]
    finally:
        context.close()
