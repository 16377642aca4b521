"""Figures (core/figures.py), generated over every declared figure: each value equals the row count of
its drill-down list page, for several personas and on generated data; evaluation costs a fixed
number of queries, however many rows."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import chanjiao.reports.dashboard as dashboard
from chanjiao.accounts.models import User
from chanjiao.catalog.models import Industry, Region
from chanjiao.core import figures
from chanjiao.core.figures import Figure, FigureError, evaluate
from chanjiao.core.scoping import get_scope
from chanjiao.orgs import ui as orgs_ui
from chanjiao.orgs.models import (
    Association,
    Committee,
    CommitteeMembership,
    Contact,
    GuidanceCommittee,
    GuidanceMember,
    Institute,
    PillarIndustry,
    SchoolLevel,
    Teacher,
    VocationalGroup,
)
from tests import factories

# Business personas (the system administrators see no business figures: tests/reports/test_dashboard.py).
PERSONAS = ["bureau_admin", "leader", "school_admin_a", "school_admin_b", "enterprise_contact", "dept_authority"]
DECLARED = [f.key for f in figures.registry]  # filled by importing the dashboard (and any later consumer)
ROW_COUNT = re.compile(r'data-testid="row-count">共 (\d+) 条')


def populate(world: Any, seed: int, scale: int = 1) -> None:
    """Random counts of every kind of row the figures count, spread over several groups."""
    rng = random.Random(seed)
    n = lambda top: rng.randint(0, top * scale)  # noqa: E731
    regions = [factories.RegionFactory(code=f"4101{i:02d}", name=f"测试{i}区", level=Region.Level.COUNTY)
               for i in range(3)]
    sections = {code: Industry.objects.get_or_create(code=code, defaults={
        "name": name, "level": Industry.Level.SECTION, "section": code, "edition": "test"})[0]
        for code, name in (("C", "制造业"), ("F", "批发和零售业"), ("I", "信息传输、软件和信息技术服务业"))}
    classes = [factories.IndustryFactory(code=f"{1311 + i}", section=code, parent=sections[code])
               for i, code in enumerate(["C", "C", "F", "I"])]
    pick = lambda options: rng.choice([*options, None])  # noqa: E731
    levels = [value for value, _label in SchoolLevel.choices]
    tag = f"{seed:02d}{scale}"
    for i in range(n(6)):
        factories.SchoolFactory(name=f"生成学校{tag}-{i}", school_code=f"43{tag}{i:05d}", region=pick(regions),
                                school_level=rng.choice([*levels, ""]))
    for i in range(n(8)):
        factories.EnterpriseFactory(name=f"生成企业{tag}-{i}", uscc=factories.valid_uscc(8_100_000 + seed * 1000
                                    + scale * 100 + i), industry=pick(classes), region=pick(regions))
    world.enterprise.industry, world.enterprise.region = rng.choice(classes), rng.choice(regions)
    world.enterprise.save()
    for i in range(n(2)):
        factories.DepartmentFactory(name=f"生成部门{tag}-{i}")
        Association.objects.create(name=f"生成协会{tag}-{i}")
        Institute.objects.create(name=f"生成研究院{tag}-{i}")
    schools = [world.school_a, world.school_b]
    for school in schools:
        for i in range(n(12)):
            Teacher.objects.create(school=school, name=f"教师{i}", employee_no=f"T{tag}{school.pk}-{i}",
                                   is_dual_qualified=rng.random() < 0.4)
    people_orgs = [world.school_a, world.school_b, world.enterprise, world.enterprise_b, world.department]
    for i in range(n(10)):
        Contact.objects.create(organisation=rng.choice(people_orgs), name=f"联系人{tag}-{i}")
    group = VocationalGroup.objects.create(name=f"生成职教集团{tag}", secretariat=world.department_b)
    pillar = PillarIndustry.objects.create(group=group, name="智能制造", order=10)
    committees = [Committee.objects.create(group=group, pillar=pillar, name=f"委员会{i}", director=world.department)
                  for i in range(3)]
    joined = dt.date(2020, 1, 1)
    for i in range(n(10)):
        ended = rng.random() < 0.3
        CommitteeMembership.objects.create(committee=rng.choice(committees), organisation=rng.choice(people_orgs),
                                           joined=joined, left=dt.date(2021, 1, 1) if ended else None)
    guidance = [GuidanceCommittee.objects.create(school=rng.choice(schools), name=f"指导委员会{tag}-{i}")
                for i in range(1 + n(3))]
    for i in range(n(10)):
        GuidanceMember.objects.create(committee=rng.choice(guidance), organisation=rng.choice(people_orgs),
                                      person_name=f"委员{i}", joined=joined,
                                      left=dt.date(2021, 1, 1) if rng.random() < 0.3 else None)
    _populate_engagement(world, rng, n, tag, committees)


def _populate_engagement(world: Any, rng: random.Random, n: Any, tag: str, committees: list[Any]) -> None:
    """The matching cycle's records, over two years: the year statistics (reports/statistics.py) count them."""
    firms = [world.enterprise, world.enterprise_b]
    schools = [world.school_a, world.school_b]
    day = lambda: dt.date(rng.choice((2018, 2019)), rng.randint(1, 12), rng.randint(1, 28))  # noqa: E731
    plan = factories.AnnualPlanFactory(group=committees[0].group, year=2019, number=f"生成〔2019〕{tag}号")
    activities = [factories.PlannedActivityFactory(plan=plan, committee=rng.choice(committees), month=i % 12 + 1)
                  for i in range(1 + n(3))]
    for i in range(n(6)):
        committee = rng.choice(committees)
        own = [a for a in activities if a.committee_id == committee.pk]
        event = factories.EventFactory(kind=rng.choice(["symposium", "symposium", "tour"]), committee=committee,
                                       date=day(), planned_activity=rng.choice([*own, None]) if own else None,
                                       title=f"生成活动{tag}-{i}")
        event.co_hosts.set(rng.sample([world.department, world.department_b], rng.randint(0, 2)))
        for firm in rng.sample(firms, rng.randint(0, 2)):
            attended = rng.random() < 0.7
            factories.EventParticipationFactory(event=event, organisation=firm, attended=attended,
                                                attendees=rng.randint(1, 3) if attended else 0)
    for i in range(n(6)):
        signed = rng.random() < 0.7
        agreement = factories.AgreementFactory(
            title=f"生成协议{tag}-{i}", kind=rng.choice(["intent", "intent", "deep"]), start=dt.date(2019, 1, 1)
            + dt.timedelta(days=i), signed_on=day() if signed else None, schools=[rng.choice(schools)],
            enterprises=[rng.choice(firms)], committee=rng.choice([*committees, None]))
        if signed:
            agreement.set_status("sign", by=None)
    for i in range(n(2)):
        factories.AllianceFactory(name=f"生成联盟{tag}-{i}", lead_school=rng.choice(schools), founded=day())
    for i in range(n(6)):
        factories.VisitFactory(school=rng.choice(schools), enterprise=rng.choice(firms), date=day())
    teachers = list(Teacher.objects.filter(school__in=schools)) or [factories.TeacherFactory(school=world.school_a)]
    for i in range(n(6)):
        start = day()
        factories.TeacherPracticeFactory(teacher=rng.choice(teachers), enterprise=rng.choice(firms), start=start,
                                         end=start + dt.timedelta(days=rng.randint(0, 90)))
    major = factories.MajorFactory()
    for i in range(n(4)):
        enrolled = rng.randint(10, 50)
        factories.OrderClassFactory(school=rng.choice(schools), enterprise=rng.choice(firms), major=major,
                                    cohort_year=rng.choice((2018, 2019)), name=f"生成订单班{tag}-{i}",
                                    planned=enrolled + 5, enrolled=enrolled)


def shown_count(client: Client, url: str) -> int:
    """The number of rows the list page at ``url`` says it shows (its "共 N 条")."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    found = ROW_COUNT.search(page)
    if found is None:
        assert 'data-testid="empty-state"' in page, f"{url}: neither a row count nor the empty state"
        return 0
    return int(found.group(1))


def shown_value(client: Client, url: str, figure: Figure) -> int:
    """What the list page at ``url`` shows for ``figure``: its row count, the 合计 of the figure's total, or
    the median of its median field ("—" when no row has a value: the figure's 0)."""
    if figure.total is None and figure.median is None:
        return shown_count(client, url)
    response = client.get(url)
    assert response.status_code == 200, url
    kind, name = ("total", figure.total) if figure.total is not None else ("median", figure.median)
    found = re.search(rf'data-testid="{kind}-{name}">[^<：]*：([\d,]+|—)<', response.content.decode())
    if found is None:
        assert 'data-testid="empty-state"' in response.content.decode(), f"{url}: no {kind} {name}"
        return 0
    return 0 if found.group(1) == "—" else int(found.group(1).replace(",", ""))


def fresh(user: Any) -> Any:
    return User.objects.get(pk=user.pk)  # no cached scope: the query counts include resolving it


def test_the_dashboard_declares_its_figures() -> None:
    # The generated tests below cover whatever is in the registry; an empty one would prove nothing.
    assert {"schools", "enterprises", "own_teachers", "own_dual_qualified_teachers", "own_contacts",
            "own_committees", "own_guidance_seats"} <= set(DECLARED)
    assert dashboard.ORGANISATIONS  # imported for its declarations


@pytest.mark.parametrize("key", DECLARED)
def test_every_figure_filter_is_offered_on_its_list_page(world: Any, login: Any, key: str) -> None:
    """The drill-down's parameters are filters the list form shows, so the user sees why these rows."""
    figure = next(f for f in figures.registry if f.key == key)
    page = login("bureau_admin").get(figures.list_url(figure.ui, [])).content.decode()
    for param in [*figure.params, *(figures.dimension_param(figure.ui, d) for d in figure.dims)]:
        assert f'name="{param}"' in page, f"{key}: the list form has no field {param}"


@pytest.mark.parametrize("seed", [2, 5, 13])
def test_each_figure_equals_the_row_count_of_its_drill_down_list(world: Any, login: Any, seed: int) -> None:
    populate(world, seed)
    mismatches, compared, nonzero = [], 0, 0
    for persona in PERSONAS:
        user, client = world.users[persona], login(persona)
        totals = evaluate(figures.registry, {}, user)
        for figure in figures.registry:
            value = totals[figure.key]
            shown = shown_value(client, value.drill_url, figure)
            compared, nonzero = compared + 1, nonzero + bool(value.value)
            if shown != value.value:
                mismatches.append((persona, figure.key, value.drill_url, value.value, shown))
            for dim in figure.dims:
                broken = evaluate([figure], {}, user, by=dim)[figure.key]
                assert broken.value == value.value, (persona, figure.key, dim)  # the groups add up (NULL included)
                for group in broken.groups:
                    assert group.drill_url is not None, (persona, figure.key, dim, group.key)
                    shown = shown_value(client, group.drill_url, figure)
                    compared += 1
                    if shown != group.value:
                        mismatches.append((persona, figure.key, group.drill_url, group.value, shown))
    assert not mismatches
    assert nonzero > len(PERSONAS)  # the data reached the figures: equal zeros would prove nothing
    assert compared > len(PERSONAS) * len(figures.registry)


def test_the_dual_qualified_figure_opens_the_dual_qualified_teachers_only(world: Any, login: Any) -> None:
    # Issue #7: "其中双师型教师" linked to the unfiltered teacher list.
    Teacher.objects.create(school=world.school_a, name="甲", employee_no="1", is_dual_qualified=True)
    Teacher.objects.create(school=world.school_a, name="乙", employee_no="2", is_dual_qualified=False)
    figures_shown = {f["key"]: f for f in dashboard.dashboard_for(world.school_admin_a)["figures"]}
    dual = figures_shown["own_dual_qualified_teachers"]
    assert dual["value"] == 1 and "is_dual_qualified=true" in dual["url"]
    assert shown_count(login("school_admin_a"), dual["url"]) == 1
    page = login("school_admin_a").get("/").content.decode()
    assert f'href="{dual["url"]}"'.replace("&", "&amp;") in page


def test_a_parameter_the_filter_refuses_is_an_error_not_every_row(world: Any) -> None:
    # The list page shows every row when its form is invalid; a figure must not count those.
    with pytest.raises(FigureError):
        evaluate([dashboard.SCHOOLS], {"school_level": "no-such-level"}, world.bureau_admin)


def test_page_filters_narrow_the_figures_and_their_links(world: Any, login: Any) -> None:
    populate(world, 3)
    region = Region.objects.filter(level=Region.Level.COUNTY).first()
    world.school_a.region = region  # the filter offers the counties some school is in
    world.school_a.save()
    value = evaluate([dashboard.SCHOOLS], {"region": region.pk}, world.bureau_admin)["schools"]
    assert f"region={region.pk}" in value.drill_url
    assert value.value == shown_count(login("bureau_admin"), value.drill_url)


def _dashboard_queries(user: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        dashboard.dashboard_for(fresh(user))
    return len(queries)


@pytest.mark.parametrize("persona", ["bureau_admin", "school_admin_a"])
def test_the_dashboard_costs_the_same_queries_for_few_rows_or_many(world: Any, persona: str) -> None:
    populate(world, 1)
    few = _dashboard_queries(world.users[persona])
    populate(world, 4, scale=5)
    assert _dashboard_queries(world.users[persona]) == few


def test_a_family_of_figures_is_one_query(world: Any, django_assert_num_queries: Any) -> None:
    populate(world, 8)
    user = world.school_admin_a
    get_scope(user)  # resolved once per request anyway
    family = dashboard.SCHOOL_FIGURES[:2]  # 教师, 其中双师型教师: the same list, two conditions
    assert all(f.ui is orgs_ui.teachers for f in family)
    with django_assert_num_queries(1):
        counted = evaluate(family, {}, user)
    assert counted["own_teachers"].value == Teacher.objects.filter(school=world.school_a).count()
    assert counted["own_dual_qualified_teachers"].value == Teacher.objects.filter(
        school=world.school_a, is_dual_qualified=True).count()
    with django_assert_num_queries(2):  # the grouped counts, and the names of the groups found
        evaluate(family, {}, user, by="school")


def test_a_dimension_must_be_a_plain_filter_of_the_list() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        Figure("bad", "x", ui=orgs_ui.teachers, dims=("no_such_dimension",))
    with pytest.raises(ImproperlyConfigured):
        Figure("bad", "x", ui=orgs_ui.teachers, params={"not_a_filter": "1"})


def test_own_figures_cover_every_organisation_of_the_user(world: Any, login: Any) -> None:
    """"仅本单位" is the user's organisations, however many: one admin of both schools counts both."""
    from chanjiao.accounts.models import Membership
    from chanjiao.core.roles import Role

    Membership.objects.create(user=world.school_admin_a, role=Role.SCHOOL_ADMIN, organisation=world.school_b)
    for n, school in enumerate([world.school_a, world.school_b, world.school_b]):
        Teacher.objects.create(school=school, name=f"师{n}", employee_no=f"M{n}", is_dual_qualified=True)
    user = fresh(world.school_admin_a)
    value = evaluate([dashboard.SCHOOL_FIGURES[1]], {}, user)["own_dual_qualified_teachers"]
    assert value.value == 3 == shown_count(login("school_admin_a"), value.drill_url)
    by_school = evaluate([dashboard.SCHOOL_FIGURES[1]], {}, user, by="school")["own_dual_qualified_teachers"]
    assert {g.key: g.value for g in by_school.groups} == {world.school_a.pk: 1, world.school_b.pk: 2}


def _api(user: Any, **query: Any) -> Any:
    from django.test import RequestFactory

    from chanjiao.reports.api import FigureQuery, figure_values

    request = RequestFactory().get("/api/reports/figures")
    request.user = user
    return figure_values(request, FigureQuery(**query))


def test_the_api_returns_the_same_figures_with_their_drill_urls(world: Any) -> None:
    from ninja.errors import HttpError

    Teacher.objects.create(school=world.school_a, name="甲", employee_no="1", is_dual_qualified=True)
    Teacher.objects.create(school=world.school_b, name="乙", employee_no="2", is_dual_qualified=True)
    rows = _api(world.school_admin_a, names="own_teachers,schools", by=None)
    assert [r["key"] for r in rows] == ["own_teachers", "schools"]
    assert rows[0]["value"] == 1 and rows[0]["drill_url"] == evaluate(
        [dashboard.SCHOOL_FIGURES[0]], {}, world.school_admin_a)["own_teachers"].drill_url
    grouped = _api(world.bureau_admin, names="schools", by="school_level")[0]
    assert grouped["groups"] == [{"key": "associate", "label": "高职专科", "value": 2,
                                  "drill_url": "/orgs/school/?school_level=associate"}]
    for bad in ({"names": "no_such_figure"}, {"names": "own_contacts", "by": "county"}):
        with pytest.raises(HttpError) as refused:
            _api(world.bureau_admin, **bad)
        assert refused.value.status_code == 400
