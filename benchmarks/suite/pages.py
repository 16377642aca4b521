"""List and detail pages, in-process through Django's test Client against the generated database.

Each page is measured beside (a) a minimal Django view returning the same rows and count as JSON
(``views.py``) and (b) the hand-written SQL computing the same rows and count, on the same
connection. Before timing, the page's linked ids and "共 N 条" are compared with both baselines' rows:
a baseline that computes other rows is said so in the note (its ratio would mean nothing).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.test import override_settings

from benchmarks.suite import Harness, Result, measure, page_rows

NAME = "pages"
ROLES = {"bureau": "bureau_admin", "school admin": "school_admin"}
SEARCH = "科技"  # a word in many generated names ("…科技有限公司"), the common search
PAGE = 25
DETAIL = "/orgs/enterprise/"

LIST_SQL = """SELECT o.id, o.name, o.uscc, i.code, i.name, o.size, o.ownership, o.headcount, o.is_leading,
                     o.integration_status
              FROM orgs_organisation o LEFT JOIN catalog_industry i ON i.id = o.industry_id
              WHERE o.kind = 'enterprise' {where} ORDER BY o.name, o.id LIMIT %s OFFSET %s"""
# Ordered as the page: the Enterprise proxy's ``ordering = ["name", "id"]`` (a proxy's Meta does not
# inherit Organisation's; the harness found the list unordered before).
# Counted as the page counts (core/pagination.py): exactly up to the cap, then "cap+" — the scan stops there.
COUNT_SQL = ("SELECT count(*) FROM (SELECT 1 FROM orgs_organisation o WHERE o.kind = 'enterprise' {where} "
             "LIMIT {limit}) t")


def cap() -> int:
    from chanjiao.core.pagination import count_cap

    return count_cap()


def shown_count(counted: int) -> int:
    """The total a page prints for ``counted`` rows counted with LIMIT cap + 1."""
    return min(counted, cap())


def sql_page(where: str, args: list[Any], page: int = 1, size: int = PAGE) -> tuple[list[int], int]:
    with connection.cursor() as cur:
        cur.execute(COUNT_SQL.format(where=where, limit=cap() + 1), args)
        count = shown_count(cur.fetchone()[0])
        cur.execute(LIST_SQL.format(where=where), [*args, size, (page - 1) * size])
        return [r[0] for r in cur.fetchall()], count


def sql_all_ids(where: str, args: list[Any]) -> set[int]:
    """Every id the filter selects (the page's rows must be among them, and its count theirs)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT o.id FROM orgs_organisation o WHERE o.kind = 'enterprise' {where}", args)
        return {r[0] for r in cur.fetchall()}


def same_rows(ids: list[int], count: int | None, want: set[int]) -> bool:
    """A page is right when its count is the filter's (the cap, when more rows match) and its rows are
    among them (order: checked apart)."""
    return count == shown_count(len(want)) and len(ids) == min(PAGE, len(want)) and set(ids) <= want


def filter_choice() -> tuple[int, int, int]:
    """The (industry, county) pair with the most enterprises: a filtered list that shows a full page."""
    with connection.cursor() as cur:
        cur.execute("""SELECT industry_id, region_id, count(*) FROM orgs_organisation WHERE kind = 'enterprise'
                       AND industry_id IS NOT NULL AND region_id IS NOT NULL
                       GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1""")
        return cur.fetchone()


def busiest_enterprise() -> int:
    """The enterprise with the most related rows (contacts, committee and guidance seats, board seats)."""
    with connection.cursor() as cur:
        cur.execute("""SELECT organisation_id FROM (
                           SELECT organisation_id FROM orgs_contact UNION ALL
                           SELECT organisation_id FROM orgs_committeemembership UNION ALL
                           SELECT organisation_id FROM orgs_guidancemember UNION ALL
                           SELECT organisation_id FROM orgs_boardseat) r
                       JOIN orgs_organisation o ON o.id = r.organisation_id AND o.kind = 'enterprise'
                       GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""")
        return cur.fetchone()[0]


DETAIL_SQL = [
    """SELECT o.*, i.code, i.name, r.code, r.name FROM orgs_organisation o
       LEFT JOIN catalog_industry i ON i.id = o.industry_id LEFT JOIN catalog_region r ON r.id = o.region_id
       WHERE o.id = %(pk)s AND o.kind = 'enterprise'""",
    """SELECT c.id, c.name, c.title, c.phone, c.email, c.is_primary, count(*) OVER ()
       FROM orgs_contact c WHERE c.organisation_id = %(pk)s ORDER BY c.id LIMIT 50""",
    """SELECT m.id, k.name, m.role, m.joined, m.left, count(*) OVER () FROM orgs_committeemembership m
       JOIN orgs_committee k ON k.id = m.committee_id WHERE m.organisation_id = %(pk)s ORDER BY m.id LIMIT 50""",
    """SELECT g.id, k.name, g.person_name, g.person_title, count(*) OVER () FROM orgs_guidancemember g
       JOIN orgs_guidancecommittee k ON k.id = g.committee_id WHERE g.organisation_id = %(pk)s
       ORDER BY g.id LIMIT 50""",
    """SELECT s.id, v.name, t.number, s.role, s.person_name, count(*) OVER () FROM orgs_boardseat s
       JOIN orgs_boardterm t ON t.id = s.term_id JOIN orgs_vocationalgroup v ON v.id = t.group_id
       WHERE s.organisation_id = %(pk)s ORDER BY s.id LIMIT 50""",
]


def sql_detail(pk: int) -> int:
    rows = 0
    with connection.cursor() as cur:
        for sql in DETAIL_SQL:
            cur.execute(sql, {"pk": pk})
            rows += len(cur.fetchall())
    return rows


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _list_figure(h: Harness, role: str, key: str, label: str, params: dict[str, Any], where: str,
                 args: list[Any]) -> Result:
    client = h.client(ROLES[role])
    query = f"?{urlencode(params)}" if params else ""
    page_url, view_url = f"{DETAIL}{query}", f"/_bench/enterprises/{query}"
    ids, count = page_rows(_get(client, page_url).content, DETAIL)
    want = sql_all_ids(where, args)
    sql_ids, sql_count = sql_page(where, args)
    view = _get(client, view_url).json()
    notes = []
    if ids[:PAGE] != sql_ids:
        notes.append("the page's rows or their order differ from the SQL's")
    if not same_rows(ids[:PAGE], count, want):
        notes.append(f"the page's rows differ from the filter's (page {count} rows, SQL {len(want)})")
    if not same_rows(sql_ids, sql_count, want):
        notes.append("SQL baseline's page differs")
    if not same_rows([r["id"] for r in view["results"]], view["count"], want):
        notes.append(f"minimal view differs from the page (view {view['count']} rows)")
    ours, base = measure(lambda: _get(client, page_url), {
        "minimal view": lambda: _get(client, view_url),
        "SQL": lambda: sql_page(where, args)}, h.runs)
    return Result(f"{key}.{role.replace(' ', '_')}", f"{label} ({role})", "ms", ours, base,
                  note="; ".join(notes) or f"{count:,} rows, first {PAGE} shown",
                  extra={"url": page_url, "rows": count})


def run(h: Harness) -> list[Result]:
    results: list[Result] = []
    industry, region, _n = filter_choice()
    search = "AND (o.name ILIKE %s OR o.short_name ILIKE %s OR o.uscc ILIKE %s)"
    with h.rolled_back(), override_settings(ROOT_URLCONF="benchmarks.suite.views"):
        for role in ROLES:
            results.append(_list_figure(h, role, "list.enterprise", "enterprise list, first page", {}, "", []))
            results.append(_list_figure(h, role, "list.enterprise.filtered", "enterprise list, industry + county",
                                        {"industry": industry, "region": region},
                                        "AND o.industry_id = %s AND o.region_id = %s", [industry, region]))
            results.append(_list_figure(h, role, "list.enterprise.search", f"enterprise search q={SEARCH}",
                                        {"q": SEARCH}, search, [f"%{SEARCH}%"] * 3))
        pk = busiest_enterprise()
        client = h.client("bureau_admin")
        related = sql_detail(pk)
        ours, base = measure(lambda: _get(client, f"{DETAIL}{pk}/"), {
            "minimal view": lambda: _get(client, f"/_bench/enterprises/{pk}/"),
            "SQL": lambda: sql_detail(pk)}, h.runs)
        results.append(Result("detail.enterprise.bureau", "enterprise detail (bureau)", "ms", ours, base,
                              note=f"enterprise {pk}: {related - 1} related rows (the most of any)",
                              extra={"url": f"{DETAIL}{pk}/"}))
    return results
