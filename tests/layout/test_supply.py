"""Supply against demand per pillar industry (issue #10 point 4): the figures follow the crosswalk
version they state, equal an independent count of generated records, and open exactly their rows."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from chanjiao.catalog.models import Industry
from chanjiao.layout import crosswalk, supply
from chanjiao.layout.models import (
    CrosswalkEntry,
    CrosswalkStatus,
    CrosswalkVersion,
    DeclaredDemand,
    JobPosting,
    Offering,
    OfferingStatus,
    OfferingYear,
)
from chanjiao.orgs.models import PillarIndustry, VocationalGroup
from tests import factories
from tests.core.test_figures import shown_count

pytestmark = pytest.mark.django_db

YEAR = 2019


def _industry(code: str, level: int, section: str = "C") -> Industry:
    return factories.IndustryFactory(code=code, level=level, section=section, name=f"行业{code}")


def _world() -> dict[str, Any]:
    c = _industry("C", 1)
    i38, i381, i34, i84 = _industry("38", 2), _industry("381", 3), _industry("34", 2), _industry("84", 2, "Q")
    group = VocationalGroup.objects.create(name="测试职教集团", secretariat=factories.DepartmentFactory())
    equipment = PillarIndustry.objects.create(group=group, name="装备制造")
    equipment.industries.set([i38, i34])
    health = PillarIndustry.objects.create(group=group, name="大健康")
    health.industries.set([i84])
    manufacturing = PillarIndustry.objects.create(group=group, name="制造业（门类）")
    manufacturing.industries.set([c])
    version = CrosswalkVersion.objects.create(number=7, title="测试对照表", published_on=dt.date(2015, 1, 1),
                                              status=CrosswalkStatus.PUBLISHED)
    majors = {code: factories.MajorFactory(code=code, class_code=code[:4], category_code=code[:2])
              for code in ("460301", "460302", "460101", "520201", "530801")}
    entries = [("4603", None, i381), ("4601", None, i34), ("5202", None, i84),
               ("4603", majors["460302"], i84)]  # refined: 460302 goes to health only
    for class_code, major, industry in entries:
        CrosswalkEntry.objects.create(version=version, class_code=class_code, major=major, industry=industry,
                                      reason="测试", source="测试")
    return {"pillars": [equipment, health, manufacturing], "version": version, "majors": majors,
            "industries": {"38": i38, "381": i381, "34": i34, "84": i84}}


def _expected_pillar(pillar_name: str, major_code: str) -> bool:
    mapping = {"460301": {"装备制造", "制造业（门类）"}, "460302": {"大健康"},
               "460101": {"装备制造", "制造业（门类）"}, "520201": {"大健康"}, "530801": set()}
    return pillar_name in mapping[major_code]


@pytest.mark.parametrize("seed", [2, 9])
def test_supply_and_demand_per_pillar_equal_an_independent_count(world: Any, login: Any, seed: int) -> None:
    rng = random.Random(seed)
    w = _world()
    supply_log: list[tuple[str, int, int]] = []  # (major code, enrolled, graduates) in YEAR
    for n in range(12):
        school = factories.SchoolFactory()
        for code in rng.sample(sorted(w["majors"]), 3):
            offering = Offering.objects.create(school=school, major=w["majors"][code], start_year=2012,
                                               filed_on=dt.date(2012, 1, 1), status=OfferingStatus.ENROLLING)
            for year in (YEAR - 1, YEAR):
                enrolled, graduates = rng.randint(0, 80), rng.randint(0, 60)
                OfferingYear.objects.create(offering=offering, year=year, enrolled=enrolled, graduates=graduates,
                                            employed=0, employed_related=0)
                if year == YEAR:
                    supply_log.append((code, enrolled, graduates))
    demand_log: list[tuple[str | None, str, int]] = []  # (enterprise industry, class code, headcount)
    for n in range(15):
        industry = rng.choice([None, "381", "34", "84", "38"])
        firm = factories.EnterpriseFactory(industry=w["industries"][industry] if industry else None)
        class_code = rng.choice(["4603", "4601", "5202", "5308"])
        headcount = rng.randint(1, 30)
        DeclaredDemand.objects.create(enterprise=firm, year=YEAR, class_code=class_code, headcount=headcount)
        DeclaredDemand.objects.create(enterprise=firm, year=YEAR - 1, class_code=class_code, headcount=99)
        demand_log.append((industry, class_code, headcount))
    posting_log: list[tuple[str | None, str]] = []  # (advertiser's industry, class) of each first listing
    for n in range(25):
        industry = rng.choice([None, "381", "34", "84", "38", "none-firm"])
        firm = None if industry == "none-firm" else factories.EnterpriseFactory(
            industry=w["industries"][industry] if industry else None)
        class_code = rng.choice(["4603", "4601", "5202", "5308"])
        first = JobPosting.objects.create(source="测试", source_ref=f"{seed}-{n}", title=f"岗位{n}", company_name="某",
                                          enterprise=firm, year=YEAR, corrected_class_code=class_code)
        if rng.random() < 0.3:  # the same post re-listed: counted once
            JobPosting.objects.create(source="测试", source_ref=f"{seed}-{n}-again", title=f"岗位{n}",
                                      company_name="某", enterprise=firm, year=YEAR, corrected_class_code=class_code,
                                      duplicate_of=first)
        JobPosting.objects.create(source="测试", source_ref=f"{seed}-{n}-old", title=f"岗位{n}", company_name="某",
                                  enterprise=firm, year=YEAR - 1, corrected_class_code=class_code)
        posting_log.append((None if industry == "none-firm" else industry, class_code))
    rows = {r.pillar.name: r for r in supply.by_pillar(world.bureau_admin, YEAR, w["version"])}
    pillar_industries = {"装备制造": ("38", "34"), "大健康": ("84",), "制造业（门类）": ("38", "34", "381")}
    class_pillars = {"4603": {"装备制造", "制造业（门类）"}, "4601": {"装备制造", "制造业（门类）"}, "5202": {"大健康"},
                     "5308": set()}
    for name, row in rows.items():
        assert row.enrolled == sum(e for code, e, _g in supply_log if _expected_pillar(name, code)), name
        assert row.graduates == sum(g for code, _e, g in supply_log if _expected_pillar(name, code)), name
        expected_demand = sum(
            h for industry, class_code, h in demand_log
            if (industry is not None and any(industry.startswith(c) for c in pillar_industries[name]))
            or (industry is None and name in class_pillars[class_code]))
        assert row.demand == expected_demand, name
        assert row.postings == sum(
            1 for industry, class_code in posting_log
            if (industry is not None and any(industry.startswith(c) for c in pillar_industries[name]))
            or (industry is None and name in class_pillars[class_code])), name
    assert any(r.graduates for r in rows.values()) and any(r.demand for r in rows.values())
    assert any(r.postings for r in rows.values())
    # Each number opens exactly its rows: the list's 合计 equals it.
    client = login("bureau_admin")
    for row in rows.values():
        for url, value, total in ((row.graduates_url, row.graduates, "graduates"), (row.demand_url, row.demand,
                                                                                   "headcount")):
            page = client.get(url)
            assert page.status_code == 200
            assert {t["field"]: t["value"] for t in page.context["totals"]}[total] == value, (row.pillar, total)
        assert shown_count(client, row.postings_url) == row.postings, row.pillar


def test_the_page_states_the_crosswalk_version_and_the_sources(world: Any, login: Any) -> None:
    w = _world()
    page = login("bureau_admin").get(f"/layout/supply-demand/?year={YEAR}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-version="7"' in html
    assert "企业填报的用人需求" in html and "招聘网站岗位" in html
    assert html.count("data-pillar=") == len(w["pillars"])


def test_a_retired_or_later_version_is_not_in_force(world: Any) -> None:
    w = _world()
    assert crosswalk.in_force("420502", dt.date(2019, 12, 31)) == w["version"]
    assert crosswalk.in_force("420502", dt.date(2014, 12, 31)) is None
    region = factories.RegionFactory(code="4205", level=2)
    own = CrosswalkVersion.objects.create(number=8, title="宜昌对照表", region=region,
                                          published_on=dt.date(2018, 1, 1), status=CrosswalkStatus.PUBLISHED)
    assert crosswalk.in_force("420502", dt.date(2019, 12, 31)) == own
    assert crosswalk.in_force("420102", dt.date(2019, 12, 31)) == w["version"]
    CrosswalkVersion._base_manager.filter(pk=own.pk).update(status=CrosswalkStatus.RETIRED)
    assert crosswalk.in_force("420502", dt.date(2019, 12, 31)) == w["version"]


def test_a_published_version_is_frozen_and_a_draft_copy_is_editable(world: Any, login: Any) -> None:
    w = _world()
    entry = CrosswalkEntry.objects.filter(version=w["version"]).first()
    client = login("bureau_admin")
    assert client.get(f"/layout/crosswalkentry/{entry.pk}/edit/").status_code == 403
    draft = crosswalk.new_draft(w["version"], title="修订稿", region=None)
    assert draft.status == CrosswalkStatus.DRAFT
    assert CrosswalkEntry.objects.filter(version=draft).count() == CrosswalkEntry.objects.filter(
        version=w["version"]).count()
    copy = CrosswalkEntry.objects.filter(version=draft).first()
    assert client.get(f"/layout/crosswalkentry/{copy.pk}/edit/").status_code == 200
    draft.set_status("publish", by=world.bureau_admin)
    assert CrosswalkVersion.objects.get(pk=draft.pk).published_on is not None
