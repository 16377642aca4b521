"""Fit warnings (issue #10 point 4): each flag names its rule, threshold and observed value; thresholds
are boundaries (at the threshold no flag, past it a flag); a province's or city's override changes
the flags; the SQL counts equal the per-offering judgement on generated data."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from chanjiao.core.rules import RuleParameter
from chanjiao.layout import fit
from chanjiao.layout.models import Offering, OfferingStatus, OfferingYear
from tests import factories

pytestmark = pytest.mark.django_db

YEAR = 2019


def _param(rule_id: str, name: str, code: str, value: Any, since: dt.date = dt.date(2010, 1, 1)) -> None:
    if code:
        factories.RegionFactory(code=code, level={2: 1, 4: 2, 6: 3}[len(code)])
    row = RuleParameter(rule_id=rule_id, param=name, jurisdiction=code, value=value, effective_from=since,
                        source_note="测试依据")
    row.full_clean()
    row.save()


def _school(county: str = "420502", level: str = "secondary") -> Any:
    return factories.SchoolFactory(region=factories.RegionFactory(code=county, level=3), school_level=level)


def _major(code: str | None = None) -> Any:
    return factories.MajorFactory(**({"code": code, "category_code": code[:2], "class_code": code[:4]} if code else {}))


def _offering(school: Any, enrolments: dict[int, int], *, major: Any = None, start: int = 2010) -> Offering:
    offering = Offering.objects.create(school=school, major=major or _major(), start_year=start,
                                       filed_on=dt.date(start, 6, 1), status=OfferingStatus.ENROLLING)
    for year, n in enrolments.items():
        OfferingYear.objects.create(offering=offering, year=year, enrolled=n, students=n * 3)
    return offering


def _judged(user: Any, offering: Offering) -> fit.Judged:
    offerings = list(fit.base(user, YEAR).filter(pk=offering.pk).select_related("school__region", "major"))
    fit.prefetch(offerings, YEAR)
    (judged,) = fit.judge(offerings, YEAR)
    return judged


def _flags(user: Any, offering: Offering) -> set[str]:
    judged = _judged(user, offering)
    in_sql = {r for r in fit.RATINGS if fit.with_rating(fit.base(user, YEAR), YEAR, r).filter(pk=offering.pk).exists()}
    assert in_sql == {judged.rating}, (judged.flags, in_sql)  # the SQL rating agrees with the judgement
    return {f.rule_id for f in judged.flags}


@pytest.mark.parametrize(("enrolments", "flagged"), [
    ({2017: 29, 2018: 29, 2019: 29}, True),
    ({2017: 30, 2018: 29, 2019: 29}, False),  # 30 is not "under 30"
    ({2017: 29, 2018: 29, 2019: 30}, False),
    ({2018: 29, 2019: 29}, False),  # a year without figures is not a low year
    ({2016: 10, 2017: 29, 2018: 29, 2019: 29}, True),
    ({2017: 5, 2018: 5, 2019: 5, 2020: 100}, True),  # a later year does not count for 2019
])
def test_low_enrolment_flags_at_three_years_under_thirty(world: Any, enrolments: dict[int, int],
                                                         flagged: bool) -> None:
    offering = _offering(_school(), enrolments)
    assert ("MJ-08A" in _flags(world.bureau_admin, offering)) is flagged


def test_a_flag_names_its_rule_threshold_and_observed_value(world: Any) -> None:
    offering = _offering(_school(), {2017: 12, 2018: 9, 2019: 7})
    judged = _judged(world.bureau_admin, offering)
    (flag,) = [f for f in judged.flags if f.rule_id == "MJ-08A"]
    assert judged.rating == fit.RED
    assert flag.threshold == {"enabled": True, "min_enrolment": 30, "years": 3, "exempt": "61,72,75"}
    assert flag.sources == {"enabled": "", "min_enrolment": "", "years": "", "exempt": ""}
    assert flag.observed["enrolled"] == {2017: 12, 2018: 9, 2019: 7}
    assert "连续 3 年招生均不足 30 人" in flag.message
    assert "每年最少招生人数 30（全国默认）" in flag.threshold_text


def test_exempt_categories_are_not_flagged_and_the_exemption_is_a_parameter(world: Any) -> None:
    farming = _offering(_school(), {2017: 5, 2018: 5, 2019: 5}, major=_major("610101"))
    assert "MJ-08A" not in _flags(world.bureau_admin, farming)
    _param("MJ-08A", "exempt", "", "72")
    assert "MJ-08A" in _flags(world.bureau_admin, farming)


def test_a_provincial_override_changes_the_flags_and_a_city_override_beats_it(world: Any) -> None:
    offering = _offering(_school("420502"), {2017: 25, 2018: 25, 2019: 25})
    elsewhere = _offering(_school("430102"), {2017: 25, 2018: 25, 2019: 25})
    assert "MJ-08A" in _flags(world.bureau_admin, offering)
    _param("MJ-08A", "min_enrolment", "42", 20)  # Hubei: under 20
    assert "MJ-08A" not in _flags(world.bureau_admin, offering)
    assert "MJ-08A" in _flags(world.bureau_admin, elsewhere)  # Hunan keeps the national 30
    _param("MJ-08A", "min_enrolment", "4205", 26)  # 宜昌: under 26
    judged = _judged(world.bureau_admin, offering)
    (flag,) = [f for f in judged.flags if f.rule_id == "MJ-08A"]
    assert (flag.threshold["min_enrolment"], flag.sources["min_enrolment"]) == (26, "4205")
    # An override that takes effect after the analysed year does not apply to it.
    _param("MJ-08A", "years", "4205", 2, since=dt.date(2021, 1, 1))
    assert _judged(world.bureau_admin, offering).flags[0].threshold["years"] == 3


@pytest.mark.parametrize(("enrolments", "start", "flagged"), [
    ({}, 2015, True),
    ({2017: 0, 2018: 0, 2019: 0}, 2015, True),
    ({2017: 0, 2018: 1, 2019: 0}, 2015, False),
    ({2016: 40}, 2015, True),  # the window is 2017–2019
    ({}, 2017, True),  # three years old at the end of 2019
    ({}, 2018, False),  # not yet three years: nothing to judge
])
def test_no_enrolment_for_three_years_must_refile(world: Any, enrolments: dict[int, int], start: int,
                                                  flagged: bool) -> None:
    offering = _offering(_school(), enrolments, start=start)
    assert ("MJ-09" in _flags(world.bureau_admin, offering)) is flagged


@pytest.mark.parametrize(("schools", "offering_at", "flagged"), [(5, 2, False), (5, 3, True), (10, 4, False),
                                                                (10, 5, True), (2, 2, False), (3, 2, True)])
def test_density_over_forty_percent_is_amber(world: Any, schools: int, offering_at: int, flagged: bool) -> None:
    major = _major()
    city = [_school(f"4205{n % 3 + 2:02d}") for n in range(schools)]
    _school("420502", level="associate")  # another level does not count
    _school("430102")  # another city does not count
    offerings = [_offering(s, {2017: 40, 2018: 40, 2019: 40}, major=major) for s in city[:offering_at]]
    flags = _flags(world.bureau_admin, offerings[0])
    assert ("MJ-08B" in flags) is flagged
    if flagged:
        judged = _judged(world.bureau_admin, offerings[0])
        assert judged.rating == fit.AMBER
        assert judged.flags[0].observed == {"offering_schools": offering_at, "schools": schools}


@pytest.mark.parametrize("seed", [3, 8])
def test_the_counts_equal_the_judgement_of_every_offering(world: Any, login: Any, seed: int) -> None:
    rng = random.Random(seed)
    majors = [_major() for _ in range(6)]
    schools = [_school(f"4205{rng.randint(2, 6):02d}") for _ in range(6)]
    for school in schools:
        for major in rng.sample(majors, rng.randint(1, 5)):
            start = rng.randint(2012, 2019)
            enrolments = {y: rng.choice([0, 10, 29, 30, 45]) for y in range(start, 2020) if rng.random() < 0.85}
            _offering(school, enrolments, major=major, start=start)
    _param("MJ-08A", "min_enrolment", "420503", 11)
    offerings = list(fit.base(world.bureau_admin, YEAR).select_related("school__region", "major"))
    fit.prefetch(offerings, YEAR)
    ratings = [j.rating for j in fit.judge(offerings, YEAR)]
    assert fit.city_counts(world.bureau_admin, YEAR) == {
        "total": len(offerings), **{r: ratings.count(r) for r in fit.RATINGS}}
    assert len(set(ratings)) >= 2  # the data exercised the rules
    page = login("bureau_admin").get(f"/layout/fit/?year={YEAR}&rating=red")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == ratings.count(fit.RED)
    assert {j.rating for j in page.context["judged"]} <= {fit.RED}
    html = page.content.decode()
    assert f'data-count="red">{ratings.count(fit.RED)}<' in html


def test_the_fit_page_refuses_a_bad_year_in_chinese(world: Any, login: Any) -> None:
    page = login("bureau_admin").get("/layout/fit/?year=abc&school=x")
    assert page.status_code == 200
    assert "年度应为四位数字" in page.content.decode()


def _pillar_world() -> dict[str, Any]:
    from chanjiao.layout.models import CrosswalkEntry, CrosswalkStatus, CrosswalkVersion
    from chanjiao.orgs.models import PillarIndustry, VocationalGroup

    city = factories.RegionFactory(code="4205", level=2, name="宜昌市")
    i38 = factories.IndustryFactory(code="38", level=2, section="C", name="电气机械")
    i3811 = factories.IndustryFactory(code="3811", level=4, section="C", name="发电机")
    i84 = factories.IndustryFactory(code="84", level=2, section="Q", name="卫生")
    group = VocationalGroup.objects.create(name="宜昌职教集团", secretariat=factories.DepartmentFactory(), region=city)
    pillar = PillarIndustry.objects.create(group=group, name="装备制造")
    pillar.industries.set([i3811])
    version = CrosswalkVersion.objects.create(number=1, title="默认", published_on=dt.date(2000, 1, 1),
                                              status=CrosswalkStatus.PUBLISHED)
    CrosswalkEntry.objects.create(version=version, class_code="6601", industry=i38, reason="r", source="s")
    CrosswalkEntry.objects.create(version=version, class_code="7201", industry=i84, reason="r", source="s")
    return {"version": version}


def test_a_major_mapped_to_no_pillar_industry_is_flagged(world: Any) -> None:
    _pillar_world()
    mapped = _offering(_school(), {2019: 50}, major=_major("660101"))
    unmapped = _offering(_school(), {2019: 50}, major=_major("720101"))
    elsewhere = _offering(_school("430102"), {2019: 50}, major=_major("720102"))  # a city without pillars
    assert "FIT-01" not in _flags(world.bureau_admin, mapped)
    assert "FIT-01" in _flags(world.bureau_admin, unmapped)
    assert "FIT-01" not in _flags(world.bureau_admin, elsewhere)


@pytest.mark.parametrize(("demand", "enrolled", "flagged"), [
    ((100, 89), (40, 45), True), ((100, 90), (40, 45), True), ((100, 91), (40, 45), False),
    ((100, 50), (45, 45), False), ((0, 0), (40, 45), False)])
def test_demand_falling_while_enrolment_rises_is_amber(world: Any, demand: tuple[int, int], enrolled: tuple[int, int],
                                                      flagged: bool) -> None:
    from chanjiao.layout.models import DeclaredDemand

    factories.RegionFactory(code="4205", level=2)
    major = _major("660102")
    offering = _offering(_school(), {2018: enrolled[0], 2019: enrolled[1]}, major=major)
    firm = factories.EnterpriseFactory(region=factories.RegionFactory(code="420506", level=3))
    for year, n in zip((2018, 2019), demand, strict=True):
        if n:
            DeclaredDemand.objects.create(enterprise=firm, year=year, class_code="6601", headcount=n)
    assert ("FIT-02" in _flags(world.bureau_admin, offering)) is flagged


def test_the_fit_page_costs_the_same_queries_for_more_offerings(world: Any, login: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _pillar_world()
    client = login("bureau_admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/layout/fit/?year={YEAR}").status_code == 200
        return len(captured)

    for n in range(3):
        _offering(_school(), {2017: 5, 2018: 5, 2019: 5}, major=_major(f"66010{n}"))
    queries()  # warm: per-process caches (content types, the catalogue's choices)
    few = queries()
    for n in range(12):
        _offering(_school(f"4205{n % 4 + 2:02d}"), {2018: 40, 2019: 20}, major=_major(f"7201{n:02d}"))
    assert queries() == few
