"""The teacher enterprise-practice tracker (TP-01, TP-02, TP-08 as a city override; issue #9 point 6).

Expectations are worked out by hand from the dates in each test (a month is 30 counted days, windows
are calendar years: engagement/practice.py), or — for generated data — by a brute-force day-by-day
count in Python that shares no code with the SQL nor with ``practice.standing``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chanjiao.catalog.models import Region
from chanjiao.core import rules
from chanjiao.core.rules import ParamResolver, RuleViolation
from chanjiao.engagement import practice
from chanjiao.orgs.models import Teacher
from chanjiao.orgs.rules import years_before
from tests import factories

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)  # the day of every computation; its 5-year window starts 2021-06-30, 2-year 2024-06-30
TP01, TP02 = rules.rules["TP-01"], rules.rules["TP-02"]
LONG_AGO = dt.date(2005, 9, 1)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def teacher(school: Any, hired: dt.date | None = LONG_AGO, **fields: Any) -> Teacher:
    return factories.TeacherFactory(school=school, hire_date=hired, **fields)


def record(world: Any, who: Teacher, start: str, end: str, **fields: Any) -> Any:
    return factories.TeacherPracticeFactory(teacher=who, enterprise=world.enterprise, start=day(start),
                                            end=day(end), **fields)


def row(who: Teacher, on: dt.date = ON) -> practice.TrackerRow:
    [found] = practice.tracker(Teacher.objects.filter(pk=who.pk), resolver=ParamResolver(on))
    return found


def flagged_by_check(who: Teacher, rule: rules.Rule, on: dt.date = ON) -> bool:
    obj = Teacher.objects.get(pk=who.pk)
    return any(f.rule_id == rule.id for f in rules.check(obj, practice.PRACTICE, resolver=ParamResolver(on)))


def flagged_by_scan(who: Teacher, rule: rules.Rule, on: dt.date = ON) -> bool:
    return rules.scan(rule, Teacher.objects.filter(pk=who.pk), resolver=ParamResolver(on)).exists()


def param(name: str, code: str, value: int) -> Any:
    return factories.RuleParameterFactory(rule_id="TP-01", param=name, jurisdiction=code, value=value,
                                          effective_from=dt.date(2020, 1, 1), source_note="TP-08 宁波")


# --- the threshold -----------------------------------------------------------------------------------------------


def test_exactly_six_months_passes_and_one_day_short_is_flagged(world: Any) -> None:
    full, short = teacher(world.school_a), teacher(world.school_a)
    record(world, full, "2024-01-01", "2024-06-28")  # 31+29+31+30+31+28 = 180 days = 6 × 30
    record(world, short, "2024-01-01", "2024-06-27")  # 179 days
    assert (row(full).done, row(full).shortfall) == (180, 0)
    assert row(full).status != practice.OVERDUE
    assert (row(short).done, row(short).shortfall, row(short).status) == (179, 1, practice.OVERDUE)
    assert row(short).due == ON
    for rule_check in (flagged_by_check, flagged_by_scan):
        assert not rule_check(full, TP01)
        assert rule_check(short, TP01)


def test_a_record_straddling_the_window_start_counts_only_its_part_inside(world: Any) -> None:
    who = teacher(world.school_a)
    # The window of 2026-06-30 starts 2021-06-30: of 2021-06-01 … 2021-07-09 only 06-30 … 07-09 count (10 days).
    record(world, who, "2021-06-01", "2021-07-09")
    record(world, who, "2025-03-01", "2025-08-31")  # 31+30+31+30+31+31 = 184 days, wholly inside
    assert row(who).done == 10 + 184


def test_days_after_the_day_of_the_computation_are_not_counted_yet(world: Any) -> None:
    who = teacher(world.school_a)
    record(world, who, "2026-06-01", "2026-12-31")  # 2026-06-01 … 06-30 done: 30 days
    assert row(who).done == 30
    assert row(who).status == practice.OVERDUE


def test_overlapping_records_are_not_counted_twice(world: Any) -> None:
    who = teacher(world.school_a)
    record(world, who, "2024-01-01", "2024-03-31")  # 91
    record(world, who, "2024-03-01", "2024-05-31")  # overlaps March
    record(world, who, "2024-01-01", "2024-03-31")  # the same period twice
    record(world, who, "2024-02-10", "2024-02-20")  # inside the first
    # The union is 2024-01-01 … 2024-05-31: 31+29+31+30+31 = 152 days (the four records sum to 91+92+91+11).
    assert row(who).done == 152
    assert row(who).shortfall == 28
    record(world, who, "2024-06-01", "2024-06-28")  # adjacent: +28 → exactly 180
    assert row(who).done == 180
    assert not flagged_by_scan(who, TP01) and not flagged_by_check(who, TP01)


# --- new teachers ------------------------------------------------------------------------------------------------


def test_a_teacher_hired_last_month_is_not_overdue(world: Any) -> None:
    who = teacher(world.school_a, hired=dt.date(2026, 5, 30))
    found = row(who)
    assert found.done == 0 and found.shortfall == 180
    assert found.status == practice.NEW
    assert found.due == dt.date(2031, 5, 30)  # first held to the rule when the first 5 years are full
    assert not flagged_by_scan(who, TP01) and not flagged_by_check(who, TP01)
    # Five years on, still nothing recorded: overdue.
    assert row(who, on=dt.date(2031, 5, 30)).status == practice.OVERDUE
    assert row(who, on=dt.date(2031, 5, 29)).status == practice.DUE


def test_a_teacher_hired_on_29_february_is_held_to_it_from_1_march(world: Any) -> None:
    who = teacher(world.school_a, hired=dt.date(2024, 2, 29))
    # 2029 has no 29 February; the window of 2029-02-28 still starts 2024-02-28, before the hire.
    assert row(who).due == dt.date(2029, 3, 1)


# --- the due date ------------------------------------------------------------------------------------------------


def test_the_due_date_as_old_practice_slides_out_of_the_window(world: Any) -> None:
    exact, longer = teacher(world.school_a), teacher(world.school_a)
    for who in (exact, longer):
        record(world, who, "2020-10-01", "2020-12-31")  # 5.5 years before ON: already outside the window
        record(world, who, "2025-01-01", "2025-03-31")  # 90 days
    record(world, exact, "2021-09-01", "2021-11-29")  # 90 days
    record(world, longer, "2021-08-01", "2021-11-29")  # 121 days
    assert row(exact).done == 180 and row(longer).done == 211
    # Counting back from ON: 90 days in 2025, then the last 90 days of the 2021 record, 2021-09-01 … 11-29.
    # 2021-09-01 leaves the window when the window starts 2021-09-02, i.e. on 2026-09-02 (64 days after ON).
    for who in (exact, longer):
        assert row(who).due == dt.date(2026, 9, 2)
        assert row(who).status == practice.DUE
        assert not flagged_by_scan(who, TP01)
    assert row(exact, on=dt.date(2026, 9, 2)).status == practice.OVERDUE
    assert row(exact, on=dt.date(2026, 9, 1)).done == 180


def test_the_day_after_the_threshold_day_is_29_february(world: Any) -> None:
    who = teacher(world.school_a)
    record(world, who, "2024-02-28", "2024-08-25")  # exactly 180 days: its first day is the 180th counted back
    # The window of 2029-02-28 starts 2024-02-28 and still holds all 180 days; that of 2029-03-01 starts
    # 2024-03-01 and has lost 28 and 29 February.
    assert (row(who).done, row(who).due, row(who).status) == (180, dt.date(2029, 3, 1), practice.OK)
    assert row(who, on=dt.date(2029, 2, 28)).status == practice.DUE
    assert row(who, on=dt.date(2029, 3, 1)).status == practice.OVERDUE


# --- jurisdictions (TP-08 as a city's rule parameters) -----------------------------------------------------------


def _region(code: str) -> Region:
    level = {2: Region.Level.PROVINCE, 4: Region.Level.CITY, 6: Region.Level.COUNTY}[len(code)]
    return factories.RegionFactory(code=code, name=f"地区{code}", level=level)


def test_a_city_override_changes_the_outcome(world: Any) -> None:
    regions = {c: _region(c) for c in ("42", "4205", "420502", "4206", "420602")}
    here = factories.SchoolFactory(region=regions["420502"])
    elsewhere = factories.SchoolFactory(region=regions["420602"])
    ours, theirs = teacher(here), teacher(elsewhere)
    for who in (ours, theirs):
        record(world, who, "2023-01-01", "2023-06-29")  # 180 days, 3 years before ON
    assert not flagged_by_scan(ours, TP01) and not flagged_by_check(ours, TP01)
    # TP-08 (宁波-style, stricter): 2 months every 2 years, for city 4205 — the window now starts 2024-06-30.
    param("months", "4205", 2)
    param("years", "4205", 2)
    found = row(ours)
    assert (found.required, found.years, found.done, found.status) == (60, 2, 0, practice.OVERDUE)
    assert flagged_by_scan(ours, TP01) and flagged_by_check(ours, TP01)
    # The other city keeps the national values.
    assert (row(theirs).required, row(theirs).done, row(theirs).status) == (180, 180, practice.OK)
    assert not flagged_by_scan(theirs, TP01) and not flagged_by_check(theirs, TP01)
    [finding] = [f for f in rules.check(Teacher.objects.get(pk=ours.pk), practice.PRACTICE,
                                        resolver=ParamResolver(ON)) if f.rule_id == "TP-01"]
    assert finding.params["months"].jurisdiction == "4205" and finding.threshold == {"months": 2, "years": 2}
    assert str(TP01.citation) == "《职业学校教师企业实践规定》（教师〔2016〕3号）第四条"


# --- who is tracked ----------------------------------------------------------------------------------------------


def test_general_course_teachers_are_not_tracked_by_tp01(world: Any) -> None:
    general = teacher(world.school_a, category="general")
    instructor = teacher(world.school_a, category="instructor")
    rows = practice.tracker(Teacher.objects.filter(pk__in=[general.pk, instructor.pk]), resolver=ParamResolver(ON))
    assert [r.teacher_id for r in rows] == [instructor.pk]
    assert not flagged_by_scan(general, TP01) and not flagged_by_check(general, TP01)
    assert flagged_by_scan(instructor, TP01)


def test_tp02_flags_a_new_teacher_without_enterprise_experience_or_pre_service_practice(world: Any) -> None:
    hired = dt.date(2025, 9, 1)
    bare = teacher(world.school_a, hired=hired, enterprise_years=Decimal("0"))
    experienced = teacher(world.school_a, hired=hired, enterprise_years=Decimal("3"))
    prepared = teacher(world.school_a, hired=hired, enterprise_years=Decimal("0"))
    record(world, prepared, "2025-07-01", "2025-08-31", pre_service=True)
    late = teacher(world.school_a, hired=hired, enterprise_years=Decimal("0"))
    record(world, late, "2025-10-01", "2025-10-31")  # after the hire: not 先实践、再上岗
    general = teacher(world.school_a, hired=hired, enterprise_years=Decimal("0"), category="general")
    veteran = teacher(world.school_a, hired=dt.date(2015, 12, 31), enterprise_years=Decimal("0"))  # before 2016
    first_day = teacher(world.school_a, hired=dt.date(2016, 1, 1), enterprise_years=Decimal("0"))
    for who, expected in ((bare, True), (experienced, False), (prepared, False), (late, True), (general, False),
                          (veteran, False), (first_day, True)):
        assert flagged_by_check(who, TP02) == expected, who.name
        assert flagged_by_scan(who, TP02) == expected, who.name


# --- generated data: the SQL equals a brute-force count ------------------------------------------------------------


def _brute_force(periods: list[tuple[dt.date, dt.date]], hired: dt.date | None, months: int, years: int,
                 on: dt.date) -> tuple[int, dt.date | None]:
    """(days done in the window of ``on``, the first short day within 183 days) — day by day."""
    done_days = {s + dt.timedelta(days=i) for s, e in periods for i in range((e - s).days + 1)}
    done_days = {d for d in done_days if d <= on}
    required = months * 30

    def short(d: dt.date) -> bool:
        start = years_before(d, years)
        if hired is not None and start < hired:
            return False  # not yet a full window since the hire
        return sum(1 for x in done_days if start <= x <= d) < required

    done = sum(1 for x in done_days if years_before(on, years) <= x <= on)
    for offset in range(184):
        d = on + dt.timedelta(days=offset)
        if short(d):
            return done, d
    return done, None


def _generated(world: Any, seed: int) -> dict[int, list[tuple[dt.date, dt.date]]]:
    rng = random.Random(seed)
    periods: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for n in range(24):
        school = world.school_a if n % 2 else world.school_b
        hired = rng.choice([None, LONG_AGO, ON - dt.timedelta(days=rng.randint(0, 2500))])
        who = teacher(school, hired=hired, category=rng.choice(["subject", "subject", "instructor", "general"]))
        periods[who.pk] = []
        for _ in range(rng.randint(0, 4)):
            start = ON - dt.timedelta(days=rng.randint(-20, 2200))
            end = start + dt.timedelta(days=rng.randint(0, 150))
            record(world, who, start.isoformat(), end.isoformat())
            periods[who.pk].append((start, end))
    return periods


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tracker_and_school_counts_equal_a_brute_force_count(world: Any, seed: int) -> None:
    periods = _generated(world, seed)
    teachers = Teacher.objects.filter(pk__in=list(periods))
    rows = {r.teacher_id: r for r in practice.tracker(teachers, resolver=ParamResolver(ON))}
    expected_counts: dict[int, dict[str, int]] = {}
    for who in teachers:
        if who.category == "general":
            assert who.pk not in rows
            continue
        done, first_short = _brute_force(periods[who.pk], who.hire_date, 6, 5, ON)
        got = rows[who.pk]
        assert got.done == done, who.pk
        if first_short is not None:
            assert got.due == first_short, who.pk
            status = practice.OVERDUE if first_short == ON else practice.DUE
        else:
            assert got.due > ON + dt.timedelta(days=183), who.pk
            status = "later"
        assert (got.status == status) if status != "later" else got.status in (practice.OK, practice.NEW)
        counts = expected_counts.setdefault(who.school_id, {"due": 0, "overdue": 0, "tracked": 0})
        counts["tracked"] += 1
        if status in ("due", "overdue"):
            counts[status] += 1
        # The rule agrees with the tracker: Python check per object and the SQL scan.
        assert flagged_by_check(who, TP01) == (status == practice.OVERDUE), who.pk
    scanned = set(rules.scan(TP01, teachers, resolver=ParamResolver(ON)).values_list("pk", flat=True))
    assert scanned == {pk for pk, r in rows.items() if r.status == practice.OVERDUE}
    summary = {s.school_id: s for s in practice.school_summary(teachers, resolver=ParamResolver(ON))}
    got_counts = {k: {"due": s.due, "overdue": s.overdue, "tracked": s.tracked} for k, s in summary.items()}
    assert got_counts == expected_counts


def test_the_tracker_costs_the_same_queries_for_2_and_20_teachers(world: Any) -> None:
    def measure(n: int) -> int:
        school = factories.SchoolFactory()
        for i in range(n):
            who = teacher(school)
            record(world, who, "2024-01-01", "2024-02-01")
            record(world, who, f"2024-01-{10 + i % 10:02d}", "2024-04-30")
        resolver = ParamResolver(ON)
        with CaptureQueriesContext(connection) as captured:
            rows = practice.tracker(Teacher.objects.filter(school=school), resolver=resolver)
            practice.school_summary(Teacher.objects.filter(school=school), resolver=resolver)
        assert len(rows) == n
        return len(captured)

    small, large = measure(2), measure(20)
    assert small == large == 3  # the thresholds in force once, the tracker, the summary


def test_record_scan_keeps_tp01_violations_with_the_records_seen(world: Any) -> None:
    who = teacher(world.school_a)
    record(world, who, "2025-01-01", "2025-01-31")
    rules.record_scan(TP01, Teacher.objects.filter(pk=who.pk), on=ON)
    violation = RuleViolation.objects.get(rule_id="TP-01", object_id=who.pk, resolved_at__isnull=True)
    assert violation.observed["periods"] == [["2025-01-01", "2025-01-31"]]
    assert "180" in violation.message


# --- the page ----------------------------------------------------------------------------------------------------


def _page_world(world: Any) -> tuple[Teacher, Teacher, Teacher]:
    today = timezone.localdate()
    overdue = teacher(world.school_a, name="逾期教师甲")  # nothing recorded, hired long ago
    fine = teacher(world.school_a, name="达标教师甲")
    record(world, fine, (today - dt.timedelta(days=400)).isoformat(), (today - dt.timedelta(days=100)).isoformat())
    other = teacher(world.school_b, name="乙校教师")
    teacher(world.school_a, name="新教师甲", hired=today - dt.timedelta(days=20), enterprise_years=Decimal("0"))
    return overdue, fine, other


def test_page_renders_for_the_bureau_and_a_school_admin_sees_only_its_teachers(world: Any, login: Any) -> None:
    overdue, fine, other = _page_world(world)
    bureau = login("bureau_admin").get("/engagement/practice-tracker/")
    assert bureau.status_code == 200
    html = bureau.content.decode()
    for who in (overdue, fine, other):
        assert f'data-teacher="{who.pk}"' in html
    assert f'href="/orgs/teacher/{overdue.pk}/"' in html
    assert "《职业学校教师企业实践规定》（教师〔2016〕3号）第四条" in html
    assert "每 5 年累计不少于 6 个月（180 天）" in html

    school = login("school_admin_a").get("/engagement/practice-tracker/")
    assert school.status_code == 200
    html = school.content.decode()
    assert f'data-teacher="{overdue.pk}"' in html and f'data-teacher="{fine.pk}"' in html
    assert f'data-teacher="{other.pk}"' not in html and "乙校教师" not in html
    assert f'data-school="{world.school_b.pk}"' not in html
    newcomer = Teacher.objects.get(name="新教师甲")
    assert f'data-tp02="{newcomer.pk}"' in html  # TP-02: no practice before the hire

    only_overdue = login("school_admin_a").get("/engagement/practice-tracker/", {"status": "overdue"}).content.decode()
    assert f'data-teacher="{overdue.pk}"' in only_overdue and f'data-teacher="{fine.pk}"' not in only_overdue
    bad = login("school_admin_a").get("/engagement/practice-tracker/", {"status": "x", "school": "abc"})
    assert bad.status_code == 200 and "参数无效" in bad.content.decode()


def test_page_for_others_shows_their_scope_and_anonymous_users_sign_in(world: Any, login: Any) -> None:
    _page_world(world)
    page = login("enterprise_contact").get("/engagement/practice-tracker/")
    assert page.status_code == 200 and "data-teacher=" not in page.content.decode()
    assert login(None).get("/engagement/practice-tracker/").status_code == 302


def test_due_or_overdue_is_scoped_to_the_user(world: Any) -> None:
    overdue, fine, other = _page_world(world)
    mine = {r.teacher_id for r in practice.due_or_overdue(world.users["school_admin_a"])}
    assert overdue.pk in mine and other.pk not in mine and fine.pk not in mine
    everyone = {r.teacher_id for r in practice.due_or_overdue(world.users["bureau_admin"])}
    assert {overdue.pk, other.pk} <= everyone


def test_page_shows_the_city_values_in_force_with_the_citation(world: Any, login: Any) -> None:
    _region("42"), _region("4205")
    param("months", "4205", 2)
    param("years", "4205", 2)
    html = login("bureau_admin").get("/engagement/practice-tracker/").content.decode()
    assert 'data-jurisdiction="4205"' in html and "每 2 年累计不少于 2 个月（60 天）" in html
    assert 'data-jurisdiction=""' in html and "每 5 年累计不少于 6 个月（180 天）" in html


def test_the_page_computes_the_standing_for_a_chosen_day(world: Any, login: Any) -> None:
    # Practised 2019: met the rule at the end of 2020, overdue by 2026 (nothing after it).
    who = teacher(world.school_a, hired=dt.date(2010, 9, 1), enterprise_years=Decimal("3"), name="按日统计教师")
    record(world, who, "2019-01-01", "2019-12-31")
    client = login("school_admin_a")
    then = client.get("/engagement/practice-tracker/", {"on": "2020-12-31", "status": "ok"}).content.decode()
    assert "按日统计教师" in then
    later = client.get("/engagement/practice-tracker/", {"on": "2026-06-30", "status": "overdue"}).content.decode()
    assert "按日统计教师" in later
    for bad in ("2020-13-01", "1800-01-01"):
        page = client.get("/engagement/practice-tracker/", {"on": bad}).content.decode()
        assert "统计日期应" in page
