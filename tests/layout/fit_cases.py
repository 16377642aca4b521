"""For tests/core/test_rules.py's generic override test: per fit rule, an offering in a region that
breaks the rule under the national values (judged on today's date, as ``rules.check`` does), the
national value of the rule's first parameter (``enabled``) and the override that flips the outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from chanjiao.catalog.models import Region
from chanjiao.layout.models import DeclaredDemand, Offering, OfferingStatus, OfferingYear
from tests import factories

Y = timezone.localdate().year


def _offering(where: Region, rows: dict[int, dict[str, int]], start: int = Y - 6, school: Any = None,
              major: Any = None) -> Offering:
    school = school or factories.SchoolFactory(region=where, school_level="secondary")
    major = major or factories.MajorFactory(class_code="6601", category_code="66", level="secondary")
    offering = Offering.objects.create(school=school, major=major, start_year=start,
                                       filed_on=dt.date(start, 1, 1), status=OfferingStatus.ENROLLING)
    for year, fields in rows.items():
        OfferingYear.objects.create(offering=offering, year=year, **fields)
    return offering


def _low(where: Region) -> tuple[Any, Any, Any]:
    return _offering(where, {y: {"enrolled": 5} for y in range(Y - 2, Y + 1)}), True, False


def _none(where: Region) -> tuple[Any, Any, Any]:
    return _offering(where, {}), True, False


def _dense(where: Region) -> tuple[Any, Any, Any]:
    major = factories.MajorFactory(class_code="6601", category_code="66", level="secondary")
    offerings = [_offering(where, {}, major=major) for _ in range(3)]
    return offerings[0], True, False


def _placement(where: Region) -> tuple[Any, Any, Any]:
    rows = {y: {"enrolled": 50, "graduates": 10, "employed": 1} for y in (Y - 1, Y)}
    return _offering(where, rows), True, False  # off nationally: switching it on flips the outcome


def _under_plan(where: Region) -> tuple[Any, Any, Any]:
    rows = {y: {"enrolled": 5, "planned_enrolment": 100} for y in (Y - 1, Y)}
    return _offering(where, rows), True, False


def _no_pillar(where: Region) -> tuple[Any, Any, Any]:
    from chanjiao.orgs.models import PillarIndustry, VocationalGroup

    city = Region.objects.get(code=where.code[:4])
    group = VocationalGroup.objects.create(name=f"{city.code}集团{Offering.objects.count()}",
                                           secretariat=factories.DepartmentFactory(), region=city)
    PillarIndustry.objects.create(group=group, name="装备制造")
    return _offering(where, {}), True, False


def _demand_falls(where: Region) -> tuple[Any, Any, Any]:
    offering = _offering(where, {Y - 1: {"enrolled": 30}, Y: {"enrolled": 40}})
    firm = factories.EnterpriseFactory(region=where)
    DeclaredDemand.objects.create(enterprise=firm, year=Y - 1, class_code="6601", headcount=100)
    DeclaredDemand.objects.create(enterprise=firm, year=Y, class_code="6601", headcount=50)
    return offering, True, False


FIT_CASES: dict[str, Callable[[Region], tuple[Any, Any, Any]]] = {
    "MJ-08A": _low, "MJ-09": _none, "MJ-08B": _dense, "EMP-60": _placement, "JL-01": _under_plan,
    "FIT-01": _no_pillar, "FIT-02": _demand_falls}
