"""Issue 15/20: at 390 px the sidebar folds behind Tabler's toggler; the brand name is never cut; a favicon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page: Any, base: str, username: str) -> None:
    sign_in(page, base, username)


def test_the_sidebar_folds_behind_a_toggler_at_390px(live_server: Any, phone: Any, artifacts: Path) -> None:
    world = build_world()
    _sign_in(phone, live_server.url, "school_admin_a")
    menu = phone.locator("#sidebar-menu")
    toggler = phone.locator("[data-testid=menu-toggler]")
    assert toggler.is_visible()
    assert not menu.is_visible()
    # Folded, the menu leaves the page to the content: the dashboard greeting is in the first screen.
    assert phone.locator(".page-title").bounding_box()["y"] < PHONE["height"] / 2
    # Nothing is wider than the phone (no sideways scrolling of the whole page).
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(artifacts / "small-01-folded.png"), full_page=False)

    toggler.click()
    menu.get_by_text("学校", exact=True).wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    phone.screenshot(path=str(artifacts / "small-02-open.png"), full_page=False)

    menu.get_by_text("学校", exact=True).click()
    phone.wait_for_url(f"{live_server.url}/orgs/school/")
    assert world.school_a.name in phone.locator("table").inner_text()
    assert not phone.locator("#sidebar-menu").is_visible()  # a new page starts folded
    phone.screenshot(path=str(artifacts / "small-03-list.png"), full_page=True)


def test_the_sidebar_stays_open_on_a_desktop(live_server: Any, page: Any) -> None:
    build_world()
    _sign_in(page, live_server.url, "school_admin_a")
    assert page.locator("#sidebar-menu").is_visible()
    assert not page.locator("[data-testid=menu-toggler]").is_visible()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [390, 1440])
def test_the_brand_name_is_not_cut(live_server: Any, browser: Any, artifacts: Path, language: str,
                                   width: int) -> None:
    build_world()
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, "bureau_admin")
        brand = page.locator(".brand-text")
        assert brand.is_visible()
        overflow = brand.evaluate("el => [el.scrollWidth - el.clientWidth, getComputedStyle(el).textOverflow]")
        assert overflow[0] <= 1 and overflow[1] != "ellipsis", overflow
        page.screenshot(path=str(artifacts / f"brand-{language}-{width}.png"), full_page=False)
    finally:
        context.close()


def test_every_page_names_a_favicon_that_is_served(live_server: Any, page: Any) -> None:
    build_world()
    page.goto(f"{live_server.url}/accounts/login/")
    _sign_in(page, live_server.url, "school_admin_a")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href and href.endswith(".svg")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert "image/svg+xml" in response.headers["content-type"]
    assert b"<svg" in response.body()
