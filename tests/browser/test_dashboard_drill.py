"""A dashboard figure opens the list of exactly the rows it counts: the tiles, and a click on a chart slice."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chanjiao.orgs.models import School, SchoolLevel
from tests.browser.conftest import sign_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chart_slice_and_a_tile_drill_down_to_their_rows(live_server: Any, page: Any) -> None:
    build_world()  # two schools, both 高职专科 (the factory's level): the pie has one slice, easy to hit
    sign_in(page, live_server.url, "bureau_admin")

    pie = page.locator('[data-chart][data-figure="schools"]')
    pie.locator("canvas").wait_for()
    page.wait_for_timeout(1200)  # the entry animation draws the ring
    box = pie.bounding_box()
    assert box is not None
    # The donut's ring lies between 40 % and 70 % of the radius (static/js/charts.js): click inside it.
    radius = min(box["width"], box["height"]) / 2
    page.mouse.click(box["x"] + box["width"] / 2 + radius * 0.55, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/orgs/school/\?school_level=associate$"))
    shown = int(re.search(r"共 (\d+) 条", page.locator("[data-testid=row-count]").inner_text()).group(1))
    assert shown == School.objects.filter(school_level=SchoolLevel.ASSOCIATE).count() == 2

    page.goto(f"{live_server.url}/")
    page.locator('a[data-figure="schools"]').click()
    page.wait_for_url(f"{live_server.url}/orgs/school/")
