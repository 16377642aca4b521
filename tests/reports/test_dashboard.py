"""The dashboard's figures are queries over records within the user's scope — checked on generated data."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from django.urls import reverse

from chanjiao.catalog.models import Industry
from chanjiao.orgs.models import Contact, Organisation, OrgKind, Teacher
from chanjiao.reports.dashboard import dashboard_for
from tests import factories


def figure(dashboard: dict, key: str) -> int:
    """A figure by its declared key (core/figures.py), never by its (translated) label."""
    return next(f["value"] for f in dashboard["figures"] if f["key"] == key)


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_school_figures_count_only_the_admins_school(world: Any, seed: int) -> None:
    rng = random.Random(seed)
    own_total, own_dual = rng.randint(1, 30), 0
    for n in range(own_total):
        dual = rng.random() < 0.4
        own_dual += dual
        Teacher.objects.create(school=world.school_a, name=f"甲{n}", employee_no=f"A{n}", is_dual_qualified=dual)
    for n in range(rng.randint(1, 20)):  # another school's teachers must not count
        Teacher.objects.create(school=world.school_b, name=f"乙{n}", employee_no=f"B{n}", is_dual_qualified=True)
    contacts = rng.randint(0, 10)
    for n in range(contacts):
        Contact.objects.create(organisation=world.school_a, name=f"联系人{n}", phone="13800000000")

    dashboard = dashboard_for(world.school_admin_a)

    assert figure(dashboard, "own_teachers") == own_total
    assert figure(dashboard, "own_dual_qualified_teachers") == own_dual
    assert figure(dashboard, "own_contacts") == contacts


@pytest.mark.parametrize("seed", [3, 11])
def test_organisation_tiles_are_counted_from_records(world: Any, seed: int) -> None:
    rng = random.Random(seed)
    extra_schools, extra_enterprises = rng.randint(0, 15), rng.randint(0, 25)
    for n in range(extra_schools):
        factories.SchoolFactory(name=f"生成学校{n}", school_code=f"42{seed:02d}{n:06d}")
    sections = {code: Industry.objects.create(code=code, name=name, level=1, section=code, edition="test")
                for code, name in (("C", "制造业"), ("F", "批发和零售业"), ("I", "信息传输、软件和信息技术服务业"))}
    classes = [Industry.objects.create(code=f"{n:04d}", name=f"小类{n}", level=4, section=code,
                                       parent=sections[code], edition="test")
               for n, code in enumerate(["C", "C", "F", "I"], start=1311)]
    for n in range(extra_enterprises + 1):
        factories.EnterpriseFactory(name=f"生成企业{n}", uscc=factories.valid_uscc(8_000_000 + seed * 100 + n),
                                    industry=rng.choice([*classes, None]) if n else classes[0])
    extra_enterprises += 1
    expected = {kind: 0 for kind, _label in OrgKind.choices}
    for org in world.orgs.values():
        expected[org.kind] += 1
    expected[OrgKind.SCHOOL] += extra_schools
    expected[OrgKind.ENTERPRISE] += extra_enterprises

    dashboard = dashboard_for(world.bureau_admin)
    tiles = {t["kind"]: t["value"] for t in dashboard["tiles"]}  # "kind": the tile's OrgKind

    assert tiles == expected
    with_industry = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, industry__isnull=False)
    by_section = Counter(with_industry.values_list("industry__section", flat=True))
    chart = next(c for c in dashboard["charts"] if c["key"] == "enterprises")
    assert sum(chart["values"]) == with_industry.count() and sorted(chart["values"]) == sorted(by_section.values())


def test_dashboard_page_shows_the_figures_and_admins_see_no_business_data(world: Any, login: Any) -> None:
    Teacher.objects.create(school=world.school_a, name="赵老师", employee_no="Z1", is_dual_qualified=True)
    page = login("school_admin_a").get(reverse("reports:dashboard")).content.decode()
    assert "甲市第一职业技术学院" in page and 'data-testid="figure-own_dual_qualified_teachers"' in page

    admin_page = login("system_admin").get(reverse("reports:dashboard")).content.decode()
    assert "data-testid=\"tile-" not in admin_page and "不显示业务数据" in admin_page
