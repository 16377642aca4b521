"""The year's statistics (issue #9 point 8, its benchmark in "Done when"): ``year_figures(user, [2019])``
(reports/statistics.py over core/figures.py) as the province bureau and as a city bureau, beside ONE
hand-written SQL statement computing the same 16 figures (every key of ``STATISTICS``) for 2019.

The SQL is checked against ``year_figures`` before timing (a difference goes into the note), and the
number of queries ``year_figures`` issues is recorded (``queries`` in results.json): it must be the same
at every scale. The province's SQL reads every row (the province reads all of Hubei, which is every
generated row); the city's restricts each record to the city as the jurisdiction rules place it — an
event by its committee's group, an agreement by a party school, a visit, a practice record and an
order class by the school, an alliance by its lead school, a plan by its group.
"""

from __future__ import annotations

from typing import Any

from benchmarks.suite import Harness, Result, Target, measure

NAME = "statistics"
YEAR = 2019
CITY = "4201"  # 武汉市, the largest unit: the city bureau ``bureau_4201``
TARGET = Target("≤ 1.5× the SQL", "ratio_max", 1.5, "SQL (one statement)")

# In the order of STATISTICS (reports/statistics.py); the statement returns one column per key.
KEYS = ("symposia", "symposium_co_hosts", "symposium_committees", "symposium_enterprises", "events",
        "agreements_signed", "intent_agreements", "alliances_founded", "visited_enterprises", "visits",
        "practice_person_times", "practice_days", "order_classes", "order_class_students", "planned_activities",
        "planned_activities_held")


def statement(city: bool) -> str:
    """The one statement: %(first)s / %(last)s bound the year; with ``city``, %(prefix)s is 'CODE%'."""
    def region(column: str) -> str:
        # A row is the city's when the region it is placed by lies in the city (code prefix).
        return (f" AND {column} IN (SELECT o.id FROM orgs_organisation o JOIN catalog_region r ON r.id = o.region_id"
                f" WHERE r.code LIKE %(prefix)s)") if city else ""

    group = (" AND c.group_id IN (SELECT g.id FROM orgs_vocationalgroup g JOIN catalog_region r ON r.id = g.region_id"
             " WHERE r.code LIKE %(prefix)s)") if city else ""
    plan_group = group.replace("c.group_id", "p.group_id")
    events = f"""SELECT e.id, e.kind, e.committee_id FROM engagement_event e
                 JOIN orgs_committee c ON c.id = e.committee_id WHERE e.date BETWEEN %(first)s AND %(last)s{group}"""
    signed = f"""FROM engagement_agreement a WHERE a.status <> 'draft' AND a.signed_on BETWEEN %(first)s AND %(last)s
                 {"AND a.id IN (SELECT x.agreement_id FROM engagement_agreement_schools x WHERE true"
                  + region("x.school_id") + ")" if city else ""}"""
    visits = f"FROM engagement_visit v WHERE v.date BETWEEN %(first)s AND %(last)s{region('v.school_id')}"
    practice = f"""FROM engagement_teacherpractice t JOIN orgs_teacher te ON te.id = t.teacher_id
                   WHERE t.start BETWEEN %(first)s AND %(last)s{region('te.school_id')}"""
    classes = f"FROM engagement_orderclass k WHERE k.cohort_year = %(year)s{region('k.school_id')}"
    planned = f"""FROM engagement_plannedactivity pa JOIN engagement_annualplan p ON p.id = pa.plan_id
                  WHERE p.year = %(year)s{plan_group}"""
    return f"""
        WITH ev AS MATERIALIZED ({events}),
             sym AS (SELECT id, committee_id FROM ev WHERE kind = 'symposium')
        SELECT (SELECT count(*) FROM sym),
               (SELECT count(DISTINCT h.department_id) FROM engagement_event_co_hosts h
                 WHERE h.event_id IN (SELECT id FROM sym)),
               (SELECT count(DISTINCT committee_id) FROM sym),
               (SELECT count(DISTINCT pp.organisation_id) FROM engagement_eventparticipation pp
                  JOIN orgs_organisation o ON o.id = pp.organisation_id
                 WHERE pp.attended AND o.kind = 'enterprise' AND pp.event_id IN (SELECT id FROM sym)),
               (SELECT count(*) FROM ev),
               (SELECT count(*) {signed}),
               (SELECT count(*) {signed} AND a.kind = 'intent'),
               (SELECT count(*) FROM engagement_alliance al WHERE al.founded BETWEEN %(first)s AND %(last)s
                  {region('al.lead_school_id')}),
               (SELECT count(DISTINCT v.enterprise_id) {visits}),
               (SELECT count(*) {visits}),
               (SELECT count(*) {practice}),
               (SELECT coalesce(sum(t.counted_days), 0) {practice}),
               (SELECT count(*) {classes}),
               (SELECT coalesce(sum(k.enrolled), 0) {classes}),
               (SELECT count(*) {planned}),
               (SELECT count(*) {planned}
                  AND EXISTS (SELECT 1 FROM engagement_event e2 WHERE e2.planned_activity_id = pa.id))"""


def sql_figures(city: str | None, year: int = YEAR) -> dict[str, int]:
    """The 16 figures of ``year`` in one statement: the whole province, or ``city``'s."""
    import datetime as dt

    from django.db import connection

    params = {"first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31), "year": year,
              "prefix": f"{city}%" if city else None}
    with connection.cursor() as cur:
        cur.execute(statement(city is not None), params)
        row = cur.fetchone()
    return dict(zip(KEYS, (int(v) for v in row), strict=True))


def ours(user: Any, year: int = YEAR) -> dict[str, int]:
    from chanjiao.reports.statistics import year_figures

    return {key: value.value for key, value in year_figures(user, [year])[year].items()}


def query_count(user: Any, year: int = YEAR) -> int:
    """Queries one ``year_figures`` call issues (the user's scope already resolved, as within a request)."""
    return len(queries_of(user, year))


def queries_of(user: Any, year: int = YEAR) -> list[tuple[str, float]]:
    """(the table a query counts, ms) for each query of one ``year_figures`` call."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        ours(user, year)
    out = []
    for q in queries.captured_queries:
        table = re.search(r'FROM "(\w+)"', q["sql"])
        out.append((table.group(1) if table else "?", float(q["time"]) * 1000))
    return out


def slowest(timed: list[tuple[str, float]]) -> str:
    """Where the time of a call goes, for a missed target's note: the slowest query's share."""
    table, ms = max(timed, key=lambda t: t[1])
    return (f"target missed: its slowest query ({table}) took {ms:,.0f} of {sum(t[1] for t in timed):,.0f} ms "
            "of SQL — see docs/PERFORMANCE.md")


def check(user: Any, city: str | None) -> tuple[str, dict[str, int]]:
    mine, sql = ours(user), sql_figures(city)
    if set(mine) != set(KEYS):
        return f"statistic keys differ: {sorted(set(mine) ^ set(KEYS))}", mine
    wrong = {k: (mine[k], sql[k]) for k in KEYS if mine[k] != sql[k]}
    return (f"figures differ (ours, SQL): {wrong}" if wrong else ""), mine


# (label, username, the SQL's city, DEPLOYMENT_REGION, key, target). The province as a province
# deployment serves it (DEPLOYMENT_REGION=42: its grant covers the deployment, so no region filter), the
# city bureau (bounded to its city whatever the deployment), and — for comparison, without a target — the
# province bureau bounded to 42 with DEPLOYMENT_REGION unset, as the other suites run it: every query then
# carries the region filter (code prefix OR the cooperation subqueries), which reads every row of Hubei.
CASES: tuple[tuple[str, str, str | None, str, str, Target | None], ...] = (
    ("province bureau", "bureau_42", None, "42", "province", TARGET),
    ("city bureau 武汉", f"bureau_{CITY}", CITY, "42", "city", TARGET),
    ("province bureau, bounded, no DEPLOYMENT_REGION", "bureau_42", None, "", "province_bounded", None),
)


def run(h: Harness) -> list[Result]:
    from django.test import override_settings

    from chanjiao.accounts.models import User

    results: list[Result] = []
    with h.rolled_back():
        for label, username, city, served, key, target in CASES:
            with override_settings(DEPLOYMENT_REGION=served):
                user = User.objects.get(username=username)  # a fresh object: the scope is resolved per user
                problem, values = check(user, city)  # also the warm-up: the user's scope is resolved here
                timed = queries_of(user)
                mine, base = measure(lambda user=user: ours(user), {TARGET.baseline or "": lambda city=city:
                                                                    sql_figures(city)}, h.runs)
            result = Result(f"statistics.year.{key}", f"statistics {YEAR}, 16 figures ({label})", "ms", mine, base,
                            target=target, note=problem or f"16 figures equal; {len(timed)} queries",
                            extra={"queries": len(timed), "query_ms": [[t, round(ms, 1)] for t, ms in timed],
                                   "values": values, "year": YEAR, "user": username, "deployment_region": served})
            if target is not None and not target.met(result):
                result.note += "; " + slowest(timed)
            results.append(result)
    return results
