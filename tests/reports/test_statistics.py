"""The year's statistics (reports/statistics.py, issue #9 point 8): on randomly generated records, every
figure of every year equals an independent count written in raw SQL, and the row count (or 合计) of
its drill-down list; the cost is a fixed number of queries; the page, its 统计表 and the API agree."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chanjiao.accounts.models import User
from chanjiao.reports import statistics
from tests import factories
from tests.core.test_figures import populate, shown_value

YEARS = (2018, 2019)


def _between(column: str, year: int) -> str:
    # Dates as ISO text ranges: the same comparison on SQLite (text) and PostgreSQL (date).
    return f"{column} >= '{year}-01-01' AND {column} <= '{year}-12-31'"


def oracle(year: int) -> dict[str, int]:
    """Each statistic for ``year`` over every record (what an unbounded bureau sees), in hand-written SQL."""
    sym = f"SELECT id, committee_id FROM engagement_event WHERE kind = 'symposium' AND {_between('date', year)}"
    signed = f"FROM engagement_agreement WHERE status <> 'draft' AND {_between('signed_on', year)}"
    practice = f"FROM engagement_teacherpractice WHERE {_between('start', year)}"
    sql = {
        "symposia": f"SELECT COUNT(*) FROM ({sym}) s",
        "symposium_co_hosts": f"SELECT COUNT(DISTINCT c.department_id) FROM engagement_event_co_hosts c "
                              f"JOIN ({sym}) s ON s.id = c.event_id",
        "symposium_committees": f"SELECT COUNT(DISTINCT s.committee_id) FROM ({sym}) s",
        "symposium_enterprises": f"SELECT COUNT(DISTINCT p.organisation_id) FROM engagement_eventparticipation p "
                                 f"JOIN ({sym}) s ON s.id = p.event_id JOIN orgs_organisation o "
                                 f"ON o.id = p.organisation_id WHERE p.attended AND o.kind = 'enterprise'",
        "events": f"SELECT COUNT(*) FROM engagement_event WHERE {_between('date', year)}",
        "agreements_signed": f"SELECT COUNT(*) {signed}",
        "intent_agreements": f"SELECT COUNT(*) {signed} AND kind = 'intent'",
        "alliances_founded": f"SELECT COUNT(*) FROM engagement_alliance WHERE {_between('founded', year)}",
        "visits": f"SELECT COUNT(*) FROM engagement_visit WHERE {_between('date', year)}",
        "visited_enterprises": f"SELECT COUNT(DISTINCT enterprise_id) FROM engagement_visit "
                               f"WHERE {_between('date', year)}",
        "practice_person_times": f"SELECT COUNT(*) {practice}",
        "order_classes": f"SELECT COUNT(*) FROM engagement_orderclass WHERE cohort_year = {year}",
        "order_class_students": f"SELECT COALESCE(SUM(enrolled), 0) FROM engagement_orderclass "
                                f"WHERE cohort_year = {year}",
        "planned_activities": f"SELECT COUNT(*) FROM engagement_plannedactivity a JOIN engagement_annualplan p "
                              f"ON p.id = a.plan_id WHERE p.year = {year}",
        "planned_activities_held": f"SELECT COUNT(*) FROM engagement_plannedactivity a JOIN engagement_annualplan p "
                                   f"ON p.id = a.plan_id WHERE p.year = {year} AND EXISTS (SELECT 1 FROM "
                                   f"engagement_event e WHERE e.planned_activity_id = a.id)",
    }
    result = {}
    with connection.cursor() as cursor:
        for key, statement in sql.items():
            cursor.execute(statement)
            result[key] = int(cursor.fetchone()[0])
        result["practice_days"] = _union_days(cursor, practice)
    return result


def _union_days(cursor: Any, practice: str) -> int:
    """Practice days of the year's records, a day counted once per teacher even where records overlap:
    each record's days after the furthest end of the teacher's records that start before it (in SQL
    order), worked out here from the raw rows — a second statement of what counted_days stores."""
    cursor.execute(f"SELECT id, teacher_id, start, \"end\" {practice}")
    year_rows = {row[0] for row in cursor.fetchall()}
    cursor.execute('SELECT id, teacher_id, start, "end" FROM engagement_teacherpractice ORDER BY teacher_id, start, id')
    total, teacher, reach = 0, None, None
    for pk, owner, start, end in cursor.fetchall():
        start, end = _date(start), _date(end)
        if owner != teacher:
            teacher, reach = owner, None
        first = start if reach is None else max(start, reach + _DAY)
        if pk in year_rows:
            total += max(0, (end - first).days + 1)
        reach = end if reach is None else max(reach, end)
    return total


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


_DAY = dt.timedelta(days=1)


@pytest.mark.parametrize("seed", [3, 7, 11, 19])
def test_every_figure_equals_raw_sql_and_its_drill_down_list(world: Any, login: Any, seed: int) -> None:
    populate(world, seed)
    # Overlapping practice of one teacher, beside the seeded records: the days are counted once.
    teacher = factories.TeacherFactory(school=world.school_a)
    for start, end in (("2019-03-01", "2019-04-30"), ("2019-04-01", "2019-05-15"), ("2019-04-10", "2019-04-20")):
        factories.TeacherPracticeFactory(teacher=teacher, enterprise=world.enterprise, start=start, end=end)
    user, client = world.users["bureau_admin"], login("bureau_admin")
    values = statistics.year_figures(user, YEARS)
    nonzero = 0
    for year in YEARS:
        expected = oracle(year)
        got = {key: value.value for key, value in values[year].items()}
        assert got == expected, year
        nonzero += sum(1 for v in got.values() if v)
        for stat in statistics.STATISTICS:
            value = values[year][stat.key]
            assert shown_value(client, value.drill_url, stat.figure) == value.value, (year, stat.key, value.drill_url)
    assert nonzero >= 8  # the generated records reached most figures: equal zeros would prove nothing


@pytest.mark.parametrize("persona", ["school_admin_a", "enterprise_contact", "leader"])
def test_other_roles_see_their_scope_and_each_value_is_its_list(world: Any, login: Any, persona: str) -> None:
    populate(world, 23)
    user, client = world.users[persona], login(persona)
    values = statistics.year_figures(user, YEARS)
    for year in YEARS:
        for stat in statistics.STATISTICS:
            value = values[year][stat.key]
            assert shown_value(client, value.drill_url, stat.figure) == value.value, (persona, year, stat.key)
            for dimension in stat.figure.dims:
                broken = statistics.breakdown(user, stat.key, dimension, year)
                assert sum(g.value for g in broken.groups) <= value.value
                for group in broken.groups:
                    assert shown_value(client, group.drill_url, stat.figure) == group.value


def test_the_practice_days_count_overlaps_once(world: Any) -> None:
    teacher = factories.TeacherFactory(school=world.school_a)
    for start, end in (("2019-03-01", "2019-03-31"), ("2019-03-16", "2019-04-14"), ("2019-03-20", "2019-03-25")):
        factories.TeacherPracticeFactory(teacher=teacher, enterprise=world.enterprise, start=start, end=end)
    # 1 March – 14 April: 31 + 14 = 45 days, though the records add up to 31 + 30 + 6 = 67.
    days = statistics.year_figures(world.users["bureau_admin"], [2019], ["practice_days"])[2019]["practice_days"]
    assert days.value == 45
    first = teacher.practices.order_by("start").first()
    first.delete()  # the others now count what the first one covered
    assert statistics.year_figures(world.users["bureau_admin"], [2019], ["practice_days"])[2019][
        "practice_days"].value == 30


def _queries(user: Any, years: list[int]) -> int:
    with CaptureQueriesContext(connection) as captured:
        statistics.year_figures(User.objects.get(pk=user.pk), years)
    return len(captured)


def test_the_cost_is_a_fixed_number_of_queries(world: Any) -> None:
    populate(world, 1)
    user = world.users["bureau_admin"]
    one_year = _queries(user, [2019])
    assert _queries(user, [2016, 2017, 2018, 2019]) == one_year  # more years: no more queries
    populate(world, 4, scale=5)
    assert _queries(user, [2019]) == one_year  # more rows: no more queries
    lists = {id(s.figure.ui) for s in statistics.STATISTICS}
    assert one_year <= len(lists) + 3  # one per list page (plus resolving the user's scope)


def test_the_page_export_and_api_show_the_same_numbers(world: Any, login: Any) -> None:
    populate(world, 5)
    client = login("bureau_admin")
    table = statistics.statistics_table(world.users["bureau_admin"], 2019)
    page = client.get("/reports/statistics/?year=2019").content.decode()
    shown = dict(re.findall(r'data-key="([a-z_]+)">(\d+)<', page))
    assert shown == {row["key"]: str(row["value"]) for row in table["rows"]}
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/reports/statistics/?year=2019&export=xlsx").content))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    column = header.index("2019年")
    exported = {r[1].value: r[column].value for r in sheet.iter_rows(min_row=2)}
    assert exported == {row["label"]: row["value"] for row in table["rows"]}
    api = _api(world, "bureau_admin", year=2019)
    assert api.status_code == 200
    assert {r["key"]: r["value"] for r in api.json()["rows"]} == {r["key"]: r["value"] for r in table["rows"]}


@pytest.mark.parametrize("raw", ["abc", "0", "99999", "2019.5", " "])
def test_a_bad_year_is_explained_not_a_crash(login: Any, raw: str) -> None:
    response = login("bureau_admin").get("/reports/statistics/", {"year": raw})
    assert response.status_code == 200
    page = response.content.decode()
    if raw.strip():
        assert 'data-testid="year-problem"' in page and "年度" in page


def _api(world: Any, persona: str, **params: Any) -> Any:
    from django.test import Client

    _token, raw = factories.issue_token(world.users[persona])
    return Client().get("/api/reports/statistics", params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_breaks_the_year_down_by_a_dimension(world: Any, login: Any) -> None:
    populate(world, 9)
    response = _api(world, "bureau_admin", year=2019, by="county")
    assert response.status_code == 200
    rows = {r["key"]: r for r in response.json()["rows"]}
    client = login("bureau_admin")
    visits = rows["visits"]
    assert visits["groups"] is not None and sum(g["value"] for g in visits["groups"]) <= visits["value"]
    for group in visits["groups"]:
        assert shown_value(client, group["drill_url"], statistics.BY_KEY["visits"].figure) == group["value"]
    assert rows["symposia"]["groups"] is None  # events have no county


@pytest.mark.parametrize(("params", "status"), [({"year": 1800}, 400), ({"year": "二〇一九"}, 422),
                                                ({"by": "planet"}, 400)])
def test_the_api_refuses_bad_parameters_in_chinese(world: Any, params: dict[str, Any], status: int) -> None:
    response = _api(world, "bureau_admin", **params)
    assert response.status_code == status
    text = str(response.json())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
