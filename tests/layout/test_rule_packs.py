"""Rule packs (issue #10 point 8): switching a city to another shipped pack changes its warnings; the
switch is dated, audited parameter history; a bounded bureau switches only its own region."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from chanjiao.core.rules import RuleParameter
from chanjiao.layout import fit, rule_packs
from chanjiao.layout.models import Offering, OfferingStatus, OfferingYear
from tests import factories

pytestmark = pytest.mark.django_db

YEAR = 2019


def _regions() -> None:
    factories.RegionFactory(code="42", level=1, name="湖北省")
    factories.RegionFactory(code="4205", level=2, name="宜昌市")
    factories.RegionFactory(code="4201", level=2, name="武汉市")


def _offering(figures: dict[int, tuple[int, int | None, int, int]], county: str = "420502") -> Offering:
    """figures: year → (enrolled, planned, graduates, employed)."""
    school = factories.SchoolFactory(region=factories.RegionFactory(code=county, level=3), school_level="secondary")
    offering = Offering.objects.create(school=school, major=factories.MajorFactory(), start_year=2012,
                                       filed_on=dt.date(2012, 6, 1), status=OfferingStatus.ENROLLING)
    for year, (enrolled, planned, graduates, employed) in figures.items():
        OfferingYear.objects.create(offering=offering, year=year, enrolled=enrolled, planned_enrolment=planned,
                                    graduates=graduates, employed=employed, students=enrolled * 3)
    return offering


def _rules(user: Any, offering: Offering) -> set[str]:
    offerings = list(fit.base(user, YEAR).filter(pk=offering.pk).select_related("school__region", "major"))
    fit.prefetch(offerings, YEAR)
    (judged,) = fit.judge(offerings, YEAR)
    sql = {r for r in fit.RATINGS if fit.with_rating(fit.base(user, YEAR), YEAR, r).filter(pk=offering.pk).exists()}
    assert sql == {judged.rating}
    return {f.rule_id for f in judged.flags}


def test_switching_the_city_to_another_pack_changes_its_warnings(world: Any) -> None:
    _regions()
    # Under 30 for three years, far under plan, and half the graduates placed.
    weak = _offering({2017: (25, 100, 40, 20), 2018: (25, 100, 40, 20), 2019: (25, 100, 40, 20)})
    # Above 30 but under a third of its plan; everyone placed.
    under_plan = _offering({2018: (35, 120, 30, 30), 2019: (35, 120, 30, 30)})
    elsewhere = _offering({2017: (25, 100, 40, 20), 2018: (25, 100, 40, 20), 2019: (25, 100, 40, 20)},
                          county="420102")
    user = world.bureau_admin
    assert _rules(user, weak) == {"MJ-08A"} and _rules(user, under_plan) == set()
    rule_packs.apply_pack(rule_packs.PACKS["moe_2011"], "4205", dt.date(2015, 1, 1))
    assert _rules(user, weak) == {"MJ-08A", "EMP-60"}
    rule_packs.apply_pack(rule_packs.PACKS["jilin_city"], "4205", dt.date(2016, 1, 1))
    assert _rules(user, weak) == {"JL-01"}  # the city's own rule replaces the national "under 30"
    assert _rules(user, under_plan) == {"JL-01"}
    assert _rules(user, elsewhere) == {"MJ-08A"}  # 武汉 keeps the national defaults
    assert rule_packs.pack_in_force("420502", dt.date(2019, 12, 31)).key == "jilin_city"
    assert rule_packs.pack_in_force("420502", dt.date(2015, 6, 1)).key == "moe_2011"
    assert rule_packs.pack_in_force("420102", dt.date(2019, 12, 31)) is None
    rows = RuleParameter.objects.filter(jurisdiction="4205", effective_from=dt.date(2016, 1, 1))
    assert rows.count() == sum(len(r.params) for r in fit.fit_rules())
    assert all(r.source_note.startswith("规则包：jilin_city") for r in rows)


def test_the_page_shows_the_pack_and_the_bureau_switches_it(world: Any, login: Any) -> None:
    _regions()
    client = login("bureau_admin")
    page = client.get("/layout/rule-packs/?region=4205")
    assert page.status_code == 200
    html = page.content.decode()
    for key in rule_packs.PACKS:
        assert f'data-pack="{key}"' in html
    assert "原文未能查到，未核实" in html
    response = client.post("/layout/rule-packs/", {"pack": "moe_2011", "region": "4205",
                                                    "effective_from": "2015-01-01"})
    assert response.status_code == 302
    assert 'data-pack="moe_2011"' in client.get("/layout/rule-packs/?region=4205").content.decode()
    fit_page = client.get("/layout/fit/?year=2019").content.decode()
    assert "data-testid=\"fit-pack\"" in fit_page


def test_bad_input_and_other_roles_write_nothing(world: Any, login: Any) -> None:
    _regions()
    before = RuleParameter.objects.count()
    assert login("school_admin_a").post("/layout/rule-packs/", {"pack": "moe_2011", "region": "4205",
                                                                 "effective_from": "2015-01-01"}).status_code == 403
    client = login("bureau_admin")
    bad = client.post("/layout/rule-packs/", {"pack": "moe_2011", "region": "4205", "effective_from": "明天"})
    assert bad.status_code == 400 and "请填写生效日期" in bad.content.decode()
    unknown = client.post("/layout/rule-packs/", {"pack": "moe_2011", "region": "9999", "effective_from": "2015-01-01"})
    assert unknown.status_code == 400 and "行政区划代码不存在" in unknown.content.decode()
    assert RuleParameter.objects.count() == before


def test_a_bounded_bureau_switches_only_its_own_region(world: Any, login: Any) -> None:
    from chanjiao.accounts.models import Membership
    from chanjiao.catalog.models import Region

    _regions()
    user = factories.UserFactory(username="yichang_bureau")
    Membership.objects.create(user=user, role="bureau_admin", jurisdiction=Region.objects.get(code="4205"))
    client = Client()
    client.force_login(user)
    before = RuleParameter.objects.count()
    response = client.post("/layout/rule-packs/", {"pack": "jilin_city", "region": "4201",
                                                    "effective_from": "2015-01-01"})
    assert response.status_code == 400
    assert "宜昌市" in response.content.decode()
    assert RuleParameter.objects.count() == before
    assert client.post("/layout/rule-packs/", {"pack": "jilin_city", "region": "4205",
                                                "effective_from": "2015-01-01"}).status_code == 302


def test_the_command_applies_a_pack_and_refuses_an_unknown_one(world: Any) -> None:
    from django.core.management.base import CommandError

    _regions()
    call_command("apply_rule_pack", "moe_2011", "4205", "--from", "2015-01-01")
    assert rule_packs.pack_in_force("4205", dt.date(2016, 1, 1)).key == "moe_2011"
    with pytest.raises(CommandError, match="没有规则包"):
        call_command("apply_rule_pack", "nowhere", "4205")
