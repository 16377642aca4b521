"""A school admin signs in through the real login form and finds their school."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_admin_signs_in_and_sees_their_school(live_server: Any, page: Any, artifacts: Path) -> None:
    world = build_world()
    school = world.school_a

    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(artifacts / "01-login.png"), full_page=True)

    page.fill("#id_username", "school_admin_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert school.name in page.content()
    assert "学校管理员" in page.locator("[data-testid=user-roles]").inner_text()
    # The stylesheet was served: Tabler lays the sidebar out as a fixed-width column.
    assert page.evaluate("getComputedStyle(document.querySelector('aside.navbar')).display") != "inline"
    page.wait_for_timeout(1500)  # let the dashboard charts finish their entry animation
    page.screenshot(path=str(artifacts / "02-dashboard.png"), full_page=True)

    page.locator("#sidebar-menu").get_by_text("学校", exact=True).click()
    page.wait_for_url(f"{live_server.url}/orgs/school/")
    table = page.locator("table")
    assert school.name in table.inner_text()
    assert school.school_code in table.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(artifacts / "03-school-list.png"), full_page=True)

    table.get_by_text(school.name, exact=True).click()
    page.wait_for_url(f"{live_server.url}/orgs/school/{school.pk}/")
    assert school.school_code in page.content()
    page.screenshot(path=str(artifacts / "04-school-detail.png"), full_page=True)
