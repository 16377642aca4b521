"""The fit analytics of a province (issue #10 "Done when"): what the yearly fit report computes for the
province bureau for 2019 — ``fit.counts`` (the warning page's tiles and per-school table, and the per-major
counts of the lists, in one statement), ``lists.three_lists`` (the three published lists) and
``supply.by_pillar`` (supply against demand per pillar industry, through the crosswalk version in force)
— in one call, beside hand-written SQL computing the same outputs in three statements:

1. the fit: every offering live at the end of 2019 judged by the national defaults (MJ-08A: under 30
   enrolled in each of the 3 years, majors of 大类/类 61, 72, 75 exempt; MJ-09: no enrolment in 3 years,
   offerings started by the window's first year; MJ-08B: more than 40 % of the city's schools of the
   level offer the major, cities with at least 3 such schools; EMP-60 and JL-01 are off by default, so
   their counts are 0), then counted with ``GROUPING SETS`` for the whole jurisdiction, per school and per
   major (red = a red rule, amber = an amber one and no red, green = none);
2. the 急需紧缺 list: declared demand per 专业类 against the year's graduates;
3. per pillar industry: enrolment and graduates of the offerings whose 专业类 the crosswalk maps onto an
   industry overlapping the pillar's, and the demand of the enterprises within it.

The SQL is checked against ours before timing (differences go into the note); the number of queries
one call issues is recorded. Target (issue #10): the province's analytics < 2 s. The city bureau of 武汉
(``bureau_4201``, bounded to its city: every statement carries the region filter) is measured without a
target, for comparison. Both run with ``DEPLOYMENT_REGION=42`` (a province deployment), like the statistics.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from benchmarks.suite import Harness, Result, Target, measure

NAME = "layout"
YEAR = 2019
CITY = "4201"  # 武汉市
TARGET = Target("< 2 s", "max", 2000)
BASELINE = "SQL (3 statements)"
# The national defaults the SQL restates (layout/rules.py): MJ-08A, MJ-09, MJ-08B.
MIN_ENROLMENT, LOW_YEARS, EXEMPT = 30, 3, ("61", "72", "75")
NONE_YEARS = 3
MAX_RATE, MIN_SCHOOLS = 40, 3
LIVE = ("filed", "enrolling", "suspended")  # layout.models.LIVE_OFFERING_STATUSES
# fit_rules() order: the columns of the fit statement's per-rule counts (EMP-60 and JL-01 off by default: 0).
RULES = ("MJ-08A", "MJ-09", "MJ-08B", "EMP-60", "JL-01", "FIT-01", "FIT-02")
MIN_FALL = 10  # FIT-02: demand down by at least 10 %


# ---------------------------------------------------------------------------------------------- ours


def analytics(user: Any, year: int = YEAR) -> dict[str, Any]:
    """The province's fit analytics as the pages compute them (the crosswalk in force looked up, as a page does)."""
    from chanjiao.layout import crosswalk, fit, lists, supply

    version = crosswalk.in_force("42", dt.date(year, 12, 31))
    counted = fit.counts(user, year)  # as the yearly report does: the tiles, the school table and the lists at once
    return {"city": counted.city, "schools": counted.schools, "lists": lists.three_lists(user, year, counted),
            "pillars": supply.by_pillar(user, year, version)}


def normal(result: dict[str, Any]) -> dict[str, Any]:
    """Ours in the baseline's shape: plain numbers, no labels, links or objects."""
    def majors(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(r["major_id"], r["major__code"], r["total"], r["red"], r["amber"], tuple(r["rules"])) for r in rows]

    lists = result["lists"]
    return {"city": {k: int(result["city"][k] or 0) for k in ("total", "red", "amber", "green")},
            "schools": [(r["school_id"], r["total"], r["red"], r["amber"], r["green"]) for r in result["schools"]],
            "restrict": majors(lists["restrict"]), "upgrade": majors(lists["upgrade"]),
            "urgent": [(r["class_code"], r["class_name"], r["demand"], r["graduates"], r["gap"])
                       for r in lists["urgent"]],
            "pillars": sorted((r.pillar.pk, r.enrolled, r.graduates, r.demand) for r in result["pillars"])}


def ours(user: Any, year: int = YEAR) -> dict[str, Any]:
    return normal(analytics(user, year))


# ---------------------------------------------------------------------------------------------- the SQL


def _region(column: str, city: bool) -> str:
    return f" AND {column} LIKE %(prefix)s" if city else ""


def fit_statement(city: bool) -> str:
    """Offerings live at the year's end (filed by then, last status change effective by then not a
    cancellation), flagged, counted for the whole, per school and per major in one pass."""
    exempt = " OR ".join(f"m.code LIKE '{c}%%'" for c in EXEMPT)
    live = ", ".join(f"'{s}'" for s in LIVE)
    day = "coalesce(sc.effective_on, (sc.created_at AT TIME ZONE %(tz)s)::date)"
    return f"""
        WITH o AS MATERIALIZED (
            SELECT o.id, o.school_id, o.major_id, o.start_year, s.name AS school_name, s.school_level,
                   r.code AS region_code, substr(r.code, 1, 4) AS city, m.code AS major_code, m.class_code,
                   (m.code IS NOT NULL AND ({exempt})) AS exempt
            FROM layout_offering o JOIN orgs_organisation s ON s.id = o.school_id
            LEFT JOIN catalog_region r ON r.id = s.region_id LEFT JOIN catalog_major m ON m.id = o.major_id
            WHERE o.filed_on <= %(end)s{_region("r.code", city)}
              AND coalesce((SELECT sc.target FROM core_statuschange sc
                            WHERE sc.content_type_id = %(ct)s AND sc.object_id = o.id AND {day} <= %(end)s
                            ORDER BY {day} DESC, sc.created_at DESC, sc.id DESC LIMIT 1), 'filed') <> 'cancelled'),
        w AS MATERIALIZED (SELECT y.offering_id,
                     count(*) FILTER (WHERE y.year >= %(low_first)s AND y.enrolled < %(min)s) AS low,
                     count(*) FILTER (WHERE y.year >= %(none_first)s AND y.enrolled > 0) AS enrolling,
                     max(y.enrolled) FILTER (WHERE y.year = %(year)s) AS enrolled_now,
                     max(y.enrolled) FILTER (WHERE y.year = %(year)s - 1) AS enrolled_before
              FROM layout_offeringyear y
              WHERE y.year BETWEEN least(%(low_first)s, %(none_first)s, %(year)s - 1) AND %(year)s
                AND y.offering_id IN (SELECT id FROM o) GROUP BY 1),
        -- FIT-01: per group region, the majors the crosswalk maps onto one of the group's pillar industries.
        groups AS MATERIALIZED (SELECT DISTINCT r.code FROM orgs_pillarindustry p
                                JOIN orgs_vocationalgroup g ON g.id = p.group_id
                                JOIN catalog_region r ON r.id = g.region_id),
        mapped AS MATERIALIZED (SELECT DISTINCT r.code, m.id AS major_id
                   FROM orgs_pillarindustry p JOIN orgs_vocationalgroup g ON g.id = p.group_id
                   JOIN catalog_region r ON r.id = g.region_id
                   JOIN orgs_pillarindustry_industries x ON x.pillarindustry_id = p.id
                   JOIN catalog_industry pi ON pi.id = x.industry_id
                   JOIN layout_crosswalkentry e ON e.version_id = %(fit_version)s
                   JOIN catalog_industry ei ON ei.id = e.industry_id
                        AND ((pi.level = 1 AND pi.code = ei.section) OR ei.code LIKE pi.code || '%%'
                             OR pi.code LIKE ei.code || '%%')
                   JOIN catalog_major m ON m.id = e.major_id
                        OR (e.major_id IS NULL AND m.class_code = e.class_code
                            AND m.id NOT IN (SELECT major_id FROM layout_crosswalkentry
                                             WHERE version_id = %(fit_version)s AND major_id IS NOT NULL))),
        hit AS MATERIALIZED (SELECT DISTINCT o.id FROM o JOIN mapped p ON p.major_id = o.major_id
                AND o.region_code LIKE p.code || '%%'),
        -- FIT-02: the city's declared demand per 专业类 in the year and the year before.
        demand AS MATERIALIZED (
            SELECT substr(r.code, 1, 4) AS city, x.class_code, sum(x.headcount) FILTER (WHERE x.year = %(year)s) AS now,
                   sum(x.headcount) FILTER (WHERE x.year = %(year)s - 1) AS before
            FROM layout_declareddemand x JOIN orgs_organisation e ON e.id = x.enterprise_id
            JOIN catalog_region r ON r.id = e.region_id
            WHERE x.year IN (%(year)s, %(year)s - 1) GROUP BY 1, 2),
        offered AS MATERIALIZED (SELECT substr(r.code, 1, 4) AS city, x.major_id, count(DISTINCT x.school_id) AS n
                    FROM layout_offering x JOIN orgs_organisation s ON s.id = x.school_id
                    JOIN catalog_region r ON r.id = s.region_id
                    WHERE x.status IN ({live}) AND x.major_id IN (SELECT major_id FROM o) GROUP BY 1, 2),
        level AS MATERIALIZED (SELECT substr(r.code, 1, 4) AS city, s.school_level, count(*) AS n
                  FROM orgs_organisation s JOIN catalog_region r ON r.id = s.region_id
                  WHERE s.school_level IN (SELECT school_level FROM o) GROUP BY 1, 2),
        flagged AS (
            SELECT o.*, f.*, (f.mj08a OR f.mj09) AS red,
                   ((f.mj08b OR f.fit01 OR f.fit02) AND NOT (f.mj08a OR f.mj09)) AS amber,
                   NOT (f.mj08a OR f.mj09 OR f.mj08b OR f.fit01 OR f.fit02) AS green
            FROM o LEFT JOIN w ON w.offering_id = o.id
            LEFT JOIN offered ON offered.city = o.city AND offered.major_id = o.major_id
            LEFT JOIN level ON level.city = o.city AND level.school_level = o.school_level
            LEFT JOIN hit ON hit.id = o.id
            LEFT JOIN demand ON demand.city = o.city AND demand.class_code = o.class_code
            CROSS JOIN LATERAL (SELECT
                NOT o.exempt AND coalesce(w.low, 0) = %(low_years)s AS mj08a,
                o.start_year <= %(none_first)s AND coalesce(w.enrolling, 0) = 0 AS mj09,
                coalesce(o.major_id IS NOT NULL AND level.n >= %(min_schools)s
                         AND offered.n * 100 > level.n * %(max_rate)s, false) AS mj08b,
                o.major_id IS NOT NULL AND EXISTS (SELECT 1 FROM groups g WHERE o.region_code LIKE g.code || '%%')
                    AND hit.id IS NULL AS fit01,
                coalesce(o.major_id IS NOT NULL AND demand.before > 0
                         AND coalesce(demand.now, 0) * 100 <= demand.before * (100 - %(min_fall)s)
                         AND w.enrolled_now > w.enrolled_before, false) AS fit02) f)
        SELECT GROUPING(school_id) AS by_school, GROUPING(major_id) AS by_major, school_id, major_id,
               max(major_code), count(*), count(*) FILTER (WHERE red), count(*) FILTER (WHERE amber),
               count(*) FILTER (WHERE green), count(*) FILTER (WHERE mj08a), count(*) FILTER (WHERE mj09),
               count(*) FILTER (WHERE mj08b), 0, 0, count(*) FILTER (WHERE fit01), count(*) FILTER (WHERE fit02)
        FROM flagged GROUP BY GROUPING SETS ((), (school_id, school_name), (major_id))
        ORDER BY GROUPING(school_id), GROUPING(major_id), school_name, school_id, max(major_code)"""


def urgent_statement(city: bool) -> str:
    return f"""
        SELECT d.class_code, coalesce(nm.class_name, ''), d.n, coalesce(g.n, 0), d.n - coalesce(g.n, 0)
        FROM (SELECT x.class_code, sum(x.headcount) AS n FROM layout_declareddemand x
              {"JOIN orgs_organisation e ON e.id = x.enterprise_id JOIN catalog_region r ON r.id = e.region_id"
               if city else ""}
              WHERE x.year = %(year)s AND x.class_code <> ''{_region("r.code", city)} GROUP BY 1) d
        LEFT JOIN (SELECT m.class_code, sum(y.graduates) AS n FROM layout_offeringyear y
                   JOIN layout_offering o ON o.id = y.offering_id JOIN catalog_major m ON m.id = o.major_id
                   {"JOIN orgs_organisation s ON s.id = o.school_id JOIN catalog_region r ON r.id = s.region_id"
                    if city else ""}
                   WHERE y.year = %(year)s{_region("r.code", city)} GROUP BY 1) g ON g.class_code = d.class_code
        LEFT JOIN (SELECT DISTINCT ON (class_code) class_code, class_name FROM catalog_major
                   ORDER BY class_code, class_name) nm ON nm.class_code = d.class_code
        WHERE d.n > coalesce(g.n, 0)
        ORDER BY 5 DESC, 1"""


def supply_statement(city: bool) -> str:
    """Per pillar: the crosswalk entries overlapping its industries (within them, or enclosing one), the
    majors they reach (a major's own entries, else its 专业类's), their 2019 figures, and the demand of
    enterprises whose industry lies within the pillar's (or, without an industry, by 专业类)."""
    section = 1  # catalog.Industry.Level.SECTION
    school_region = "JOIN orgs_organisation s ON s.id = o.school_id JOIN catalog_region r ON r.id = s.region_id"
    return f"""
        WITH pil AS MATERIALIZED (SELECT p.id FROM orgs_pillarindustry p
                     {"JOIN orgs_vocationalgroup g ON g.id = p.group_id JOIN catalog_region r ON r.id = g.region_id"
                      if city else ""} WHERE true{_region("r.code", city)}),
        pc AS MATERIALIZED (SELECT x.pillarindustry_id AS pillar, i.code, i.level, i.section
               FROM orgs_pillarindustry_industries x
               JOIN catalog_industry i ON i.id = x.industry_id WHERE x.pillarindustry_id IN (SELECT id FROM pil)),
        en AS MATERIALIZED (SELECT e.class_code, e.major_id, i.code, i.section, i.level FROM layout_crosswalkentry e
               JOIN catalog_industry i ON i.id = e.industry_id WHERE e.version_id = %(version)s),
        pe AS MATERIALIZED (SELECT DISTINCT pc.pillar, en.class_code, en.major_id FROM pc JOIN en ON CASE
                   WHEN pc.level = {section} THEN en.section = pc.code
                   ELSE en.code LIKE pc.code || '%%' OR (length(en.code) BETWEEN 2 AND length(pc.code) - 1
                                                        AND pc.code LIKE en.code || '%%')
                        OR (en.level = {section} AND en.code = pc.section) END),
        pm AS MATERIALIZED (SELECT DISTINCT pe.pillar, m.id AS major_id FROM pe JOIN catalog_major m
               ON m.id = pe.major_id OR (pe.major_id IS NULL AND m.class_code = pe.class_code
                                         AND m.id NOT IN (SELECT major_id FROM en WHERE major_id IS NOT NULL))),
        ym AS MATERIALIZED (SELECT o.major_id, sum(y.enrolled) AS enrolled, sum(y.graduates) AS graduates
                            FROM layout_offeringyear y JOIN layout_offering o ON o.id = y.offering_id
                            {school_region if city else ""}
                            WHERE y.year = %(year)s{_region("r.code", city)} GROUP BY 1),
        sup AS MATERIALIZED (SELECT pm.pillar, sum(ym.enrolled) AS enrolled, sum(ym.graduates) AS graduates
                             FROM pm JOIN ym ON ym.major_id = pm.major_id GROUP BY 1),
        -- An industry lies within a pillar's code when that code is its 门类 (a level-1 code) or a prefix of
        -- its own code (GB/T 4754 codes have at most 4 digits): joined on equality, not on LIKE.
        within AS MATERIALIZED (
            SELECT DISTINCT pc.pillar, a.industry_id FROM pc JOIN (
                SELECT i.id AS industry_id, k.key, k.is_section FROM catalog_industry i
                CROSS JOIN LATERAL (VALUES (i.section, true), (left(i.code, 2), false), (left(i.code, 3), false),
                                           (i.code, false)) k(key, is_section)) a
            ON a.key = pc.code AND a.is_section = (pc.level = {section})),
        d AS MATERIALIZED (SELECT e.industry_id, x.class_code, sum(x.headcount) AS n FROM layout_declareddemand x
                           JOIN orgs_organisation e ON e.id = x.enterprise_id
                           {"LEFT JOIN catalog_region r ON r.id = e.region_id" if city else ""}
                           WHERE x.year = %(year)s{_region("r.code", city)} GROUP BY 1, 2),
        dem AS MATERIALIZED (SELECT pillar, sum(n) AS n FROM (
                    SELECT w.pillar, d.n FROM d JOIN within w ON w.industry_id = d.industry_id
                    UNION ALL
                    SELECT pe.pillar, d.n FROM d JOIN (SELECT DISTINCT pillar, class_code FROM pe
                                                       WHERE major_id IS NULL) pe
                        ON pe.class_code = d.class_code WHERE d.industry_id IS NULL) both_ GROUP BY 1)
        SELECT pil.id, coalesce(sup.enrolled, 0), coalesce(sup.graduates, 0), coalesce(dem.n, 0)
        FROM pil LEFT JOIN sup ON sup.pillar = pil.id LEFT JOIN dem ON dem.pillar = pil.id ORDER BY pil.id"""


def params(city: str | None, year: int = YEAR) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from chanjiao.layout.crosswalk import in_force
    from chanjiao.layout.models import Offering

    version = in_force("42", dt.date(year, 12, 31))
    fit_version = in_force(settings.DEPLOYMENT_REGION, timezone.localdate())
    return {"year": year, "end": dt.date(year, 12, 31), "tz": settings.TIME_ZONE,
            "ct": ContentType.objects.get_for_model(Offering).pk, "prefix": f"{city}%" if city else None,
            "low_first": year - LOW_YEARS + 1, "none_first": year - NONE_YEARS + 1, "min": MIN_ENROLMENT,
            "low_years": LOW_YEARS, "min_schools": MIN_SCHOOLS, "max_rate": MAX_RATE,
            "version": version.pk if version is not None else 0, "min_fall": MIN_FALL,
            # FIT-01 maps by the version in force today where the platform serves (rules.fit_crosswalk).
            "fit_version": fit_version.pk if fit_version is not None else 0}


def sql(city: str | None, p: dict[str, Any]) -> dict[str, Any]:
    """The same outputs as ``ours`` from the three statements (``p``: ``params(city)``)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(fit_statement(city is not None), p)
        counted = cur.fetchall()
        cur.execute(urgent_statement(city is not None), p)
        urgent = [tuple(int(v) if i >= 2 else v for i, v in enumerate(row)) for row in cur.fetchall()]
        cur.execute(supply_statement(city is not None), p)
        pillars = [tuple(int(v) for v in row) for row in cur.fetchall()]
    city_counts = {"total": 0, "red": 0, "amber": 0, "green": 0}
    schools, majors = [], []
    for by_school, by_major, school, major, code, total, red, amber, green, *per_rule in counted:
        if by_school and by_major:
            city_counts = {"total": total, "red": red, "amber": amber, "green": green}
        elif not by_school:
            schools.append((school, total, red, amber, green))
        elif major is not None:
            rules = tuple(r for r, n in zip(RULES, per_rule, strict=True) if n)
            majors.append((major, code, total, red, amber, rules))
    return {"city": city_counts, "schools": schools, "restrict": [m for m in majors if m[3]],
            "upgrade": [m for m in majors if not m[3] and m[4]], "urgent": urgent, "pillars": pillars}


# ---------------------------------------------------------------------------------------------- the run


def captured(user: Any) -> tuple[dict[str, Any], list[tuple[str, float]]]:
    """One ``analytics`` call: its outputs (``normal``) and (the table a query reads first, ms) per query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        values = ours(user)
    out = []
    for q in queries.captured_queries:
        table = re.search(r'FROM "(\w+)"', q["sql"])
        out.append((table.group(1) if table else "?", float(q["time"]) * 1000))
    return values, out


def differences(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    """'' when equal, else which parts differ and how (first differing rows)."""
    wrong = []
    for key in mine:
        if mine[key] != theirs[key]:
            a, b = mine[key], theirs[key]
            if isinstance(a, list):
                extra = [r for r in a if r not in b][:3]
                missing = [r for r in b if r not in a][:3]
                wrong.append(f"{key}: {len(a)} vs {len(b)} rows, only ours {extra}, only SQL {missing}")
            else:
                wrong.append(f"{key}: {a} vs {b}")
    return ("outputs differ (ours vs SQL): " + "; ".join(wrong)) if wrong else ""


def rules_changed() -> str:
    """'' when the fit rules are those the SQL restates (ids and order), else the note saying so."""
    from chanjiao.layout.fit import fit_rules

    ids = tuple(r.id for r in fit_rules())
    return "" if ids == RULES else f"outputs differ: the fit rules are now {ids}, the SQL restates {RULES}"


def summary(values: dict[str, Any]) -> dict[str, int]:
    return {"offerings": values["city"]["total"], "red": values["city"]["red"], "amber": values["city"]["amber"],
            "schools": len(values["schools"]), "restrict": len(values["restrict"]),
            "upgrade": len(values["upgrade"]), "urgent": len(values["urgent"]), "pillars": len(values["pillars"]),
            "demand": sum(p[3] for p in values["pillars"]), "graduates": sum(p[2] for p in values["pillars"])}


# (label, username, the SQL's city, key, target)
CASES: tuple[tuple[str, str, str | None, str, Target | None], ...] = (
    ("province bureau", "bureau_42", None, "province", TARGET),
    ("city bureau 武汉", f"bureau_{CITY}", CITY, "city", None),
)


def run(h: Harness) -> list[Result]:
    from django.test import override_settings

    from chanjiao.accounts.models import User

    results: list[Result] = []
    with h.rolled_back(), override_settings(DEPLOYMENT_REGION="42"):
        for label, username, city, key, target in CASES:
            user = User.objects.get(username=username)  # a fresh object: the scope is resolved per user
            p = params(city)
            # The checked call is the warm-up (the user's scope resolved, the catalogues cached): at full scale
            # one call of ours takes minutes, so it is not repeated more than the runs need.
            mine, timed = captured(user)
            problem = differences(mine, sql(city, p)) or rules_changed()
            mine_ms, base = measure(lambda user=user: analytics(user), {BASELINE: lambda city=city, p=p: sql(city, p)},
                                    h.runs, warmup=0)
            values = summary(mine)
            result = Result(f"layout.fit.{key}", f"fit analytics {YEAR} ({label})", "ms", mine_ms, base,
                            target=target, note=problem or f"outputs equal; {len(timed)} queries; {values}",
                            extra={"queries": len(timed), "values": values, "year": YEAR, "user": username,
                                   "slowest": sorted(([t, round(ms, 1)] for t, ms in timed),
                                                     key=lambda x: -x[1])[:10],
                                   "query_ms": round(sum(ms for _t, ms in timed), 1)})
            if target is not None and not target.met(result):
                table, ms = max(timed, key=lambda t: t[1])
                result.note += (f"; target missed: {len(timed)} queries, {result.extra['query_ms']:,.0f} ms of SQL, "
                                f"the slowest ({table}) {ms:,.0f} ms")
            results.append(result)
    return results
