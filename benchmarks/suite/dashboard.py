"""The dashboard (``/``, reports/dashboard.py over core/figures.py) as the bureau and as a school admin,
beside the hand-written SQL computing the same figures with GROUP BY: the tiles (organisations by
kind), the two charts (enterprises by 门类, schools by level, with their names), and for the school
admin its own-organisation figures. The tiles and charts are checked against ``dashboard_for`` first."""

from __future__ import annotations

from typing import Any

from benchmarks.suite import Harness, Result, measure

NAME = "dashboard"
ROLES = {"bureau": "bureau_admin", "school admin": "school_admin"}

SQL = [
    "SELECT kind, count(*) FROM orgs_organisation GROUP BY kind",
    # Counted per 小类 first, then summed per 门类 with its name (a join before the GROUP BY is misestimated).
    """SELECT i.section, s.name, sum(c.n) FROM (
           SELECT industry_id, count(*) AS n FROM orgs_organisation
           WHERE kind = 'enterprise' AND industry_id IS NOT NULL GROUP BY 1) c
       JOIN catalog_industry i ON i.id = c.industry_id JOIN catalog_industry s ON s.code = i.section AND s.level = 1
       GROUP BY 1, 2 ORDER BY 1""",
    """SELECT school_level, count(*) FROM orgs_organisation WHERE kind = 'school' AND school_level <> ''
       GROUP BY 1 ORDER BY 1""",
]
# The own-organisation figures: a school's (teachers, 双师型, its guidance committees), then everyone's.
SCHOOL_SQL = """SELECT (SELECT count(*) FROM orgs_teacher WHERE school_id = ANY(%(orgs)s)),
              (SELECT count(*) FROM orgs_teacher WHERE school_id = ANY(%(orgs)s) AND is_dual_qualified),
              (SELECT count(*) FROM orgs_guidancecommittee WHERE school_id = ANY(%(orgs)s))"""
OWN_SQL = [
    """SELECT (SELECT count(*) FROM orgs_contact WHERE organisation_id = ANY(%(orgs)s)),
              (SELECT count(DISTINCT committee_id) FROM orgs_committeemembership
                WHERE organisation_id = ANY(%(orgs)s) AND "left" IS NULL),
              (SELECT count(*) FROM orgs_guidancemember WHERE organisation_id = ANY(%(orgs)s) AND "left" IS NULL)""",
]


def sql_figures(orgs: list[int]) -> dict[str, Any]:
    from django.db import connection

    out: dict[str, Any] = {}
    with connection.cursor() as cur:
        for i, sql in enumerate(SQL):
            cur.execute(sql)
            out[str(i)] = cur.fetchall()
        if orgs:
            cur.execute("SELECT id, name, kind FROM orgs_organisation WHERE id = ANY(%s)", [orgs])
            out["own"] = cur.fetchall()
            if any(kind == "school" for _i, _n, kind in out["own"]):
                cur.execute(SCHOOL_SQL, {"orgs": orgs})
                out["school_figures"] = cur.fetchone()
            cur.execute(OWN_SQL[0], {"orgs": orgs})
            out["own_figures"] = cur.fetchone()
    return out


def _check(user: Any, orgs: list[int]) -> str:
    """The SQL's tiles and chart values against the dashboard's own figures."""
    from chanjiao.reports.dashboard import dashboard_for

    board, sql = dashboard_for(user), sql_figures(orgs)
    kinds = dict(sql["0"])
    tiles = {t["key"]: t["value"] for t in board["tiles"]}
    want = {"schools": kinds.get("school", 0), "enterprises": kinds.get("enterprise", 0),
            "departments": kinds.get("department", 0), "associations": kinds.get("association", 0),
            "institutes": kinds.get("institute", 0)}
    sections = sorted(int(n) for _c, _l, n in sql["1"])
    charted = sorted(v for c in board["charts"] if c["key"] == "enterprises" for v in c["values"])
    problems = []
    if tiles != want:
        problems.append(f"tiles differ: dashboard {tiles}, SQL {want}")
    if sections != charted:
        problems.append("industry chart differs from SQL")
    return "; ".join(problems)


def run(h: Harness) -> list[Result]:
    from chanjiao.core.scoping import get_scope

    results: list[Result] = []
    with h.rolled_back():
        for label, role in ROLES.items():
            user = h.user(role)
            client = h.client(role)
            orgs = sorted(get_scope(user).orgs())

            def page(client: Any = client) -> Any:
                response = client.get("/")
                if response.status_code != 200:
                    raise RuntimeError(f"GET / answered {response.status_code}")
                return response

            problem = _check(user, orgs)
            ours, base = measure(page, {"SQL (GROUP BY)": lambda orgs=orgs: sql_figures(orgs)}, h.runs)
            results.append(Result(f"dashboard.{label.replace(' ', '_')}", f"dashboard / ({label})", "ms", ours, base,
                                  note=problem or "tiles, charts" + (", own figures" if orgs else "")))
    return results
