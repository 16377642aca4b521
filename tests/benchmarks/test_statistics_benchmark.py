"""The statistics benchmark (benchmarks/suite/statistics.py, issue #9 "Done when"): its one hand-written SQL
statement computes exactly what ``year_figures`` computes, so the ratio compares the same work; the
generator's practice days are what ``recount_practice_days`` would store; ``year_figures`` costs the same
number of queries with more rows; and the benchmark entry runs and names its target.

PostgreSQL only (the generator loads through COPY). The generator writes Hubei at scale 0.02 into a
scratch database named after the test database; each test points Django's connection at it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test import override_settings

from tests.benchmarks.scratch import serving

SCALE = 0.02
SEED = 3
YEARS = (2017, 2018, 2019, 2020)

pytestmark = [
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="the generator writes through PostgreSQL COPY; SQLite has no COPY"),
    pytest.mark.django_db(transaction=True),
]


def _scratch_url() -> str:
    name = settings.DATABASES["default"]["NAME"]
    name = name if name.startswith("test_") else f"test_{name}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}_stat"))


@pytest.fixture(scope="module")
def province() -> Iterator[str]:
    from benchmarks.generate import drop_database, generate

    url = _scratch_url()
    try:
        generate(url, SCALE, SEED, quiet=True)
        yield url
    finally:
        drop_database(url, template=True)


def _user(username: str) -> Any:
    from chanjiao.accounts.models import User

    return User.objects.get(username=username)  # fresh: the scope is resolved per user object


def _sql(url: str, statement: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(statement).fetchall()


@pytest.mark.parametrize(("username", "city", "served"), [("bureau_42", None, "42"), ("bureau_42", None, ""),
                                                          ("bureau_4201", "4201", "42")])
def test_the_one_sql_statement_computes_what_year_figures_computes(province: str, username: str, city: str | None,
                                                                   served: str) -> None:
    from benchmarks.suite import statistics as bench
    from chanjiao.reports.statistics import STATISTICS

    assert tuple(s.key for s in STATISTICS) == bench.KEYS  # every statistic, none left out
    totals = dict.fromkeys(bench.KEYS, 0)
    with serving(province), override_settings(DEPLOYMENT_REGION=served):
        user = _user(username)
        for year in YEARS:
            ours = bench.ours(user, year)
            assert ours == bench.sql_figures(city, year), (username, year)
            for key, value in ours.items():
                totals[key] += value
    # Not an empty comparison: every figure counts something over the four years.
    assert all(totals.values()), totals


def test_the_province_sees_more_than_the_city(province: str) -> None:
    from benchmarks.suite import statistics as bench

    with serving(province):
        city, whole = bench.sql_figures("4201"), bench.sql_figures(None)
    assert all(city[k] <= whole[k] for k in bench.KEYS) and city["visits"] < whole["visits"]


def test_generated_practice_days_are_what_the_recount_stores(province: str) -> None:
    # counted_days restated with a window function: the days past the furthest end of the teacher's
    # earlier records in (start, id) order; days is the record's own length, both ends included.
    wrong = _sql(province, """
        SELECT id FROM (
            SELECT id, days, counted_days, "end" - start + 1 AS own,
                   GREATEST(0, "end" - GREATEST(start, coalesce(reach + 1, start)) + 1) AS counted
            FROM (SELECT *, max("end") OVER (PARTITION BY teacher_id ORDER BY start, id
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
                  FROM engagement_teacherpractice) w) x
        WHERE days <> own OR counted_days <> counted""")
    assert wrong == []
    overlapping, total = _sql(province, """SELECT count(*) FILTER (WHERE counted_days < days), count(*)
                                           FROM engagement_teacherpractice""")[0]
    assert 0 < overlapping < total  # some records overlap an earlier one: the case counted_days is for
    # And the service that keeps the column agrees with the generator on a sample of teachers.
    from chanjiao.engagement.services import recount_practice_days

    teachers = [t for (t,) in _sql(province, "SELECT DISTINCT teacher_id FROM engagement_teacherpractice "
                                             "WHERE counted_days < days ORDER BY 1 LIMIT 50")]
    with serving(province):
        assert recount_practice_days(teachers) == 0  # nothing to change


def test_year_figures_costs_the_same_queries_with_more_rows(province: str) -> None:
    from django.db import connection

    from benchmarks.suite import statistics as bench

    with serving(province):
        user = _user("bureau_4201")
        bench.ours(user)  # the user's scope resolved, as once per request
        few, before = bench.query_count(user), bench.ours(user)
        with connection.cursor() as cur:  # twice the visits and order classes of 2019 (rolled back below)
            cur.execute("BEGIN")
            cur.execute("""INSERT INTO engagement_visit (created_at, updated_at, school_id, enterprise_id, date,
                               purpose, outcome, follow_up)
                           SELECT created_at, updated_at, school_id, enterprise_id, date, purpose, '', ''
                           FROM engagement_visit WHERE date >= '2019-01-01' AND date <= '2019-12-31'""")
            cur.execute("""INSERT INTO engagement_orderclass (created_at, updated_at, school_id, enterprise_id,
                               major_id, cohort_year, name, planned, enrolled, mentors)
                           SELECT created_at, updated_at, school_id, enterprise_id, major_id, cohort_year,
                                  name || '（二）', planned, enrolled, '' FROM engagement_orderclass
                           WHERE cohort_year = 2019""")
            try:
                many, after = bench.query_count(user), bench.ours(user)
                assert after == bench.sql_figures("4201")
            finally:
                cur.execute("ROLLBACK")
    assert many == few
    assert after["visits"] == 2 * before["visits"] > 0
    assert after["order_class_students"] == 2 * before["order_class_students"] > 0


def test_the_benchmark_entry_runs_beside_its_baseline(province: str, tmp_path: Any) -> None:
    from benchmarks.suite import Harness
    from benchmarks.suite import statistics as bench

    with serving(province):
        h = Harness(scale=SCALE, seed=SEED, runs=1, url=province, work=tmp_path, log=lambda _m: None)
        results = {r.key: r for r in bench.run(h)}
    assert set(results) == {"statistics.year.province", "statistics.year.city", "statistics.year.province_bounded"}
    for key, r in results.items():
        assert r.ours and r.baselines["SQL (one statement)"], key
        assert "differ" not in r.note, (key, r.note)
        assert r.extra["queries"] >= 1 and sum(r.extra["values"].values()) > 0
        data = r.as_dict()
        assert data["baselines"]["SQL (one statement)"]["ratio"] == r.median() / r.median("SQL (one statement)")
    # The target on the province and the city (≤ 1.5× the SQL); the bounded case is for comparison.
    assert results["statistics.year.province"].target is not None
    assert results["statistics.year.province_bounded"].target is None
    target = results["statistics.year.city"].target
    assert target is not None and target.met(results["statistics.year.city"]) == (
        results["statistics.year.city"].ratio("SQL (one statement)") <= 1.5)
