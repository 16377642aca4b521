"""The demo city's matching cycle 2017–2020 (issue #9 point 11): built once at the default size, its 2019
records reproduce the seed article's figures — each counted here by hand-written SQL on the tables, not
by the platform's figure code; other years differ; a second build creates nothing; the rows hang together.

The expected 2019 values are the article's (../shared/seed), typed here from the article, never read
from ``chanjiao/demo/plan.py``.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from chanjiao.demo.city import build_city

pytestmark = pytest.mark.django_db

# 宜昌 2019 (the seed article): 10 symposia with 9 departments through 9 committees; 118 enterprises attended;
# 131 合作意向书; schools visited 1,077 enterprises; 1,554 person-times of practice; 108 order classes, 7,053 students.
SEED_2019 = {"symposia": 10, "symposium_co_hosts": 9, "symposium_committees": 9, "symposium_enterprises": 118,
             "intent_agreements": 131, "visited_enterprises": 1077, "practice_person_times": 1554,
             "order_classes": 108, "order_class_students": 7053}

TABLES = ["orgs_organisation", "orgs_teacher", "engagement_annualplan", "engagement_annualplan_issuers",
          "engagement_plannedactivity", "engagement_event", "engagement_event_co_hosts",
          "engagement_eventparticipation", "engagement_agreement", "engagement_agreement_schools",
          "engagement_agreement_enterprises", "engagement_agreement_majors", "engagement_alliance",
          "engagement_alliance_members", "engagement_visit", "engagement_visit_visitors",
          "engagement_teacherpractice", "engagement_orderclass", "core_statuschange", "core_auditevent"]


# demo_city: tests/conftest.py (built once per module, rolled back after it)


@pytest.fixture(autouse=True)
def _city(demo_city: None, db: Any) -> None:
    """Every test here sees the built city (and rolls back its own changes)."""


def _one(sql: str, *params: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _year(y: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, 1, 1), dt.date(y + 1, 1, 1)


def figures_by_sql(y: int) -> dict[str, int]:
    """The contract's definitions (docs: the lead's contract, 'The statistics'), written out in SQL."""
    lo, hi = _year(y)
    symposia = "SELECT id, committee_id FROM engagement_event WHERE kind = 'symposium' AND date >= %s AND date < %s"
    return {
        "symposia": _one(f"SELECT COUNT(*) FROM ({symposia}) s", lo, hi),
        "symposium_committees": _one(f"SELECT COUNT(DISTINCT committee_id) FROM ({symposia}) s", lo, hi),
        "symposium_co_hosts": _one(
            f"SELECT COUNT(DISTINCT c.department_id) FROM engagement_event_co_hosts c JOIN ({symposia}) s "
            "ON s.id = c.event_id", lo, hi),
        "symposium_enterprises": _one(
            f"SELECT COUNT(DISTINCT p.organisation_id) FROM engagement_eventparticipation p JOIN ({symposia}) s "
            "ON s.id = p.event_id JOIN orgs_organisation o ON o.id = p.organisation_id "
            "WHERE o.kind = 'enterprise' AND p.attended = %s", lo, hi, True),
        "intent_agreements": _one(
            "SELECT COUNT(*) FROM engagement_agreement WHERE kind = 'intent' AND status <> 'draft' "
            "AND signed_on >= %s AND signed_on < %s", lo, hi),
        "visited_enterprises": _one(
            "SELECT COUNT(DISTINCT enterprise_id) FROM engagement_visit WHERE date >= %s AND date < %s", lo, hi),
        "practice_person_times": _one(
            "SELECT COUNT(*) FROM engagement_teacherpractice WHERE start >= %s AND start < %s", lo, hi),
        "order_classes": _one("SELECT COUNT(*) FROM engagement_orderclass WHERE cohort_year = %s", y),
        "order_class_students": _one(
            "SELECT COALESCE(SUM(enrolled), 0) FROM engagement_orderclass WHERE cohort_year = %s", y),
    }


def test_2019_reproduces_the_seed_figures():
    assert figures_by_sql(2019) == SEED_2019


def test_other_years_differ_plausibly():
    years = {y: figures_by_sql(y) for y in (2017, 2018, 2019, 2020)}
    differ = [k for k in SEED_2019 if years[2018][k] != years[2019][k]]
    assert len(differ) >= 7, differ
    for key in ("symposium_enterprises", "intent_agreements", "visited_enterprises", "practice_person_times",
                "order_classes", "order_class_students"):
        # Growth to 2019, the epidemic's dip in 2020; never nothing.
        assert 0 < years[2017][key] < years[2018][key] < years[2019][key], key
        assert 0 < years[2020][key] < years[2019][key], key


def test_the_city_is_large_enough():
    assert _one("SELECT COUNT(*) FROM orgs_organisation WHERE kind = 'enterprise'") >= 1500
    assert _one("SELECT COUNT(*) FROM orgs_teacher") >= 1500
    categories = dict(_rows("SELECT category, COUNT(*) FROM orgs_teacher GROUP BY category"))
    assert set(categories) == {"subject", "instructor", "general"}
    assert categories["subject"] > categories["instructor"] and categories["subject"] > categories["general"]
    # Hired over many years, some new teachers without enterprise experience who practised before teaching.
    assert _one("SELECT COUNT(DISTINCT hire_date) FROM orgs_teacher") > 50
    assert _one("SELECT COUNT(*) FROM engagement_teacherpractice p JOIN orgs_teacher t ON t.id = p.teacher_id "
                "WHERE p.pre_service = %s AND t.enterprise_years = 0 AND t.hire_date >= %s", True,
                dt.date(2017, 1, 1)) > 0


def _rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table_counts() -> dict[str, int]:
    return {t: _one(f"SELECT COUNT(*) FROM {t}") for t in TABLES}


def test_a_second_build_creates_nothing():
    before = _table_counts()
    summary = build_city()
    assert {k: v for k, v in summary.created.items() if v} == {}
    assert _table_counts() == before
    out = io.StringIO()
    call_command("demo", stdout=out)  # what `make demo` runs a second time
    assert "未做任何修改" in out.getvalue()
    assert _table_counts() == before


def test_the_plan_the_events_and_the_agreements_hang_together():
    lo, hi = _year(2019)
    # Each year has its joint notice (宜教职成〔Y〕N号) issued by the bureau and departments.
    assert [r[0] for r in _rows("SELECT year FROM engagement_annualplan ORDER BY year")] == [2017, 2018, 2019, 2020]
    assert _one("SELECT COUNT(*) FROM engagement_annualplan WHERE number LIKE %s", "宜教职成〔2019〕%号") == 1
    assert _one("SELECT COUNT(*) FROM engagement_annualplan_issuers i JOIN orgs_organisation o "
                "ON o.id = i.organisation_id WHERE o.kind <> 'department'") == 0
    # Planned vs held: every event of 2019 fulfils a planned activity of the 2019 plan, some were not held.
    planned = _one("SELECT COUNT(*) FROM engagement_plannedactivity a JOIN engagement_annualplan p ON p.id = a.plan_id "
                   "WHERE p.year = 2019")
    held = _one("SELECT COUNT(*) FROM engagement_plannedactivity a JOIN engagement_annualplan p ON p.id = a.plan_id "
                "WHERE p.year = 2019 AND EXISTS (SELECT 1 FROM engagement_event e WHERE e.planned_activity_id = a.id)")
    assert 0 < held < planned
    assert _one("SELECT COUNT(*) FROM engagement_event e JOIN engagement_plannedactivity a "
                "ON a.id = e.planned_activity_id JOIN engagement_annualplan p ON p.id = a.plan_id "
                "WHERE e.date >= %s AND e.date < %s AND p.year <> 2019", lo, hi) == 0
    assert {r[0] for r in _rows("SELECT DISTINCT kind FROM engagement_event")} == {
        "symposium", "tour", "teacher_training", "competition"}
    # Symposia are co-hosted by industry authorities only (never the bureau itself).
    assert _one("SELECT COUNT(*) FROM engagement_event_co_hosts c JOIN orgs_organisation o ON o.id = c.department_id "
                "WHERE o.kind <> 'department' OR o.is_industry_authority = %s", False) == 0
    # Agreements signed at a symposium: on its date, by a firm that attended it.
    at_events = _one("SELECT COUNT(*) FROM engagement_agreement WHERE signing_event_id IS NOT NULL")
    assert at_events > 0
    assert _one("SELECT COUNT(*) FROM engagement_agreement a JOIN engagement_event e ON e.id = a.signing_event_id "
                "WHERE a.signed_on <> e.date OR e.kind <> 'symposium'") == 0
    assert _one("SELECT COUNT(*) FROM engagement_agreement a JOIN engagement_agreement_enterprises ae "
                "ON ae.agreement_id = a.id WHERE a.signing_event_id IS NOT NULL AND NOT EXISTS ("
                "SELECT 1 FROM engagement_eventparticipation p WHERE p.event_id = a.signing_event_id "
                "AND p.organisation_id = ae.organisation_id AND p.attended = %s)", True) == 0
    # Every agreement has a school and an enterprise; every kind occurs.
    assert _one("SELECT COUNT(*) FROM engagement_agreement a WHERE NOT EXISTS (SELECT 1 FROM "
                "engagement_agreement_schools s WHERE s.agreement_id = a.id) OR NOT EXISTS (SELECT 1 FROM "
                "engagement_agreement_enterprises x WHERE x.agreement_id = a.id)") == 0
    assert _one("SELECT COUNT(*) FROM (SELECT agreement_id FROM engagement_agreement_schools GROUP BY agreement_id "
                "HAVING COUNT(*) > 1) two") > 0  # 1+1+V+N: a college beside a secondary school
    assert {r[0] for r in _rows("SELECT DISTINCT kind FROM engagement_agreement")} == {
        "intent", "deep", "order", "apprenticeship", "internship_base", "training_base", "other"}
    # The status is the last step of the agreement's workflow history, and the dates allow it.
    ct = _one("SELECT id FROM django_content_type WHERE app_label = 'engagement' AND model = 'agreement'")
    assert _one("SELECT COUNT(*) FROM engagement_agreement a WHERE a.status <> (SELECT c.target "
                "FROM core_statuschange c WHERE c.content_type_id = %s AND c.object_id = a.id "
                "ORDER BY c.created_at DESC, c.id DESC LIMIT 1)",
                ct) == 0
    today = dt.date.today()
    assert _one("SELECT COUNT(*) FROM engagement_agreement WHERE status IN ('signed', 'in_force') AND \"end\" < %s",
                today) == 0
    assert _one("SELECT COUNT(*) FROM engagement_agreement WHERE status = 'expired' AND (\"end\" IS NULL OR "
                "\"end\" >= %s)", today) == 0
    assert _one("SELECT COUNT(*) FROM engagement_agreement WHERE status = 'terminated'") > 0
    assert _one("SELECT COUNT(*) FROM engagement_agreement WHERE predecessor_id IS NOT NULL") > 0
    # Alliances were founded at symposia, on their day.
    assert _one("SELECT COUNT(*) FROM engagement_alliance a JOIN engagement_event e ON e.id = a.founding_event_id "
                "WHERE e.kind = 'symposium' AND e.date = a.founded") == _one("SELECT COUNT(*) FROM engagement_alliance")


def test_visits_practice_and_order_classes_hang_together():
    # The visitors are the visiting school's own teachers, already hired.
    assert _one("SELECT COUNT(*) FROM engagement_visit_visitors vv JOIN engagement_visit v ON v.id = vv.visit_id "
                "JOIN orgs_teacher t ON t.id = vv.teacher_id "
                "WHERE t.school_id <> v.school_id OR t.hire_date > v.date") == 0
    assert _one("SELECT COUNT(*) FROM engagement_visit_visitors") > _one("SELECT COUNT(*) FROM engagement_visit") / 2
    # Practice: days is the record's own length; overlapping records of one teacher exist and are counted once.
    rows = _rows("SELECT teacher_id, start, \"end\", days, counted_days FROM engagement_teacherpractice "
                 "ORDER BY teacher_id, start, id")
    overlaps = straddles = 0
    teacher, covered = None, None
    for t, start, end, days, counted in rows:
        start, end = _date(start), _date(end)
        assert days == (end - start).days + 1
        if t != teacher:
            teacher, covered = t, None
        first = start if covered is None else max(start, covered + dt.timedelta(days=1))
        overlaps += covered is not None and start <= covered
        assert counted == max(0, (end - first).days + 1)
        covered = end if covered is None else max(covered, end)
        straddles += start.year != end.year
    assert overlaps > 0 and straddles > 0
    assert _one("SELECT COUNT(*) FROM engagement_teacherpractice p JOIN orgs_teacher t ON t.id = p.teacher_id "
                "WHERE p.start < t.hire_date") == 0
    # Order classes: outcomes in order for the earlier cohorts, none yet for 2020; most rest on an order agreement
    # the class's school is a party to.
    assert _one("SELECT COUNT(*) FROM engagement_orderclass WHERE graduates > enrolled OR hired > graduates "
                "OR retained > hired") == 0
    assert _one("SELECT COUNT(*) FROM engagement_orderclass WHERE cohort_year = 2017 AND retained IS NOT NULL") > 0
    assert _one("SELECT COUNT(*) FROM engagement_orderclass WHERE cohort_year = 2020 AND graduates IS NOT NULL") == 0
    with_agreement = _one("SELECT COUNT(*) FROM engagement_orderclass o JOIN engagement_agreement a "
                          "ON a.id = o.agreement_id WHERE a.kind = 'order' AND EXISTS (SELECT 1 FROM "
                          "engagement_agreement_schools s WHERE s.agreement_id = a.id AND s.school_id = o.school_id)")
    assert with_agreement > 0.7 * _one("SELECT COUNT(*) FROM engagement_orderclass")
    assert _one("SELECT COUNT(*) FROM engagement_orderclass WHERE mentors = ''") == 0


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_every_engagement_record_passes_the_models_own_validation():
    from chanjiao.engagement.models import (
        Agreement,
        Alliance,
        AnnualPlan,
        Event,
        EventParticipation,
        OrderClass,
        PlannedActivity,
        TeacherPractice,
        Visit,
    )

    for model in (AnnualPlan, PlannedActivity, Event, EventParticipation, Agreement, Alliance, Visit,
                  TeacherPractice, OrderClass):
        rows = list(model._base_manager.order_by("pk")[::25])  # every 25th row: the checks are per row
        assert rows, model.__name__
        for row in rows:
            row.full_clean()


def test_every_demo_write_left_an_audit_event():
    for table, label in (("engagement_event", "engagement.event"), ("engagement_agreement", "engagement.agreement"),
                         ("engagement_teacherpractice", "engagement.teacherpractice"),
                         ("engagement_visit", "engagement.visit"), ("engagement_orderclass", "engagement.orderclass"),
                         ("orgs_teacher", "orgs.teacher")):
        rows = _one(f"SELECT COUNT(*) FROM {table}")
        events = _one("SELECT COUNT(DISTINCT object_id) FROM core_auditevent WHERE object_type = %s "
                      "AND action = 'create'", label)
        assert events == rows, table


def test_the_statistics_page_for_2019_shows_the_seed_figures():
    """What the bureau reads after ``make demo``: the 2019 statistics page, its numbers as shown, and the
    list behind each (its "共 N 条", or the 合计 of the students)."""
    import re

    from django.test import Client

    from chanjiao.accounts.models import User
    from chanjiao.reports.statistics import BY_KEY
    from tests.core.test_figures import shown_value

    client = Client()
    client.force_login(User.objects.get(username="demo_bureau"))
    page = client.get("/reports/statistics/?year=2019").content.decode()
    shown = {key: int(value) for key, value in re.findall(r'data-key="([a-z_]+)">(\d+)<', page)}
    assert {key: shown[key] for key in SEED_2019} == SEED_2019
    links = dict(re.findall(r'<a href="([^"]+)" data-testid="stat-value" data-key="([a-z_]+)"', page))
    for url, key in links.items():
        if key in SEED_2019:
            assert shown_value(client, url.replace("&amp;", "&"), BY_KEY[key].figure) == SEED_2019[key], key
