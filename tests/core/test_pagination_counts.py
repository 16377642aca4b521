"""Issue #8 point 3: what made the HTTP load test faster, each shown to do what it says.

- A list's total is counted exactly up to ``LIST_COUNT_CAP`` (core/pagination.py): above it the page says
  "共 N+ 条" and the API ``count_exact: false``; a page past the cap still opens; statistics are untouched.
- The filter form's ``<select>``s render in Python, character for character what Django's templates give.
- Choices from public code tables are read once per FILTER_CHOICES_CACHE_SECONDS (production only).
- DATABASES: a psycopg pool (DB_POOL_MAX) in production on PostgreSQL, none on SQLite.
- orgs 0006: the trigram indexes match the SQL the search sends (PostgreSQL).

Real databases (SQLite and PostgreSQL, whichever DATABASE_URL names), no mocks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from chanjiao.catalog.models import Industry
from chanjiao.core import filters as core_filters
from chanjiao.core.filters import fast_selects
from chanjiao.core.pagination import CappedPaginator, capped_count, count_limit
from chanjiao.orgs.filters import EnterpriseFilterSet
from chanjiao.orgs.models import Enterprise
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ROW_COUNT = re.compile(r'data-testid="row-count">(.*?)</span></div>', re.S)
LIST = "/orgs/enterprise/"
API = "/api/orgs/enterprises/"


def enterprises(n: int) -> None:
    """``n`` more enterprises: 2 in the shared world + these."""
    Enterprise.objects.bulk_create(  # bulk_create skips save(): the kind is set here
        Enterprise(kind=Enterprise.kind_value, name=f"计数测试企业{i:03d}", uscc=factories.valid_uscc(8_000_000 + i),
                   size="small", ownership="private") for i in range(n))


def row_count(response: Any) -> str:
    match = ROW_COUNT.search(response.content.decode())
    assert match, "no row count on the page"
    return re.sub(r"<[^>]+>", "", match.group(1))


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---- capped counts -------------------------------------------------------------------------------------


def test_count_limit_and_capped_count(world: Any) -> None:
    enterprises(8)  # 10 in all
    rows = Enterprise.objects.visible_to(world.users["bureau_admin"])
    with override_settings(LIST_COUNT_CAP=4):
        assert count_limit(1, 2) == 5 and count_limit(3, 2) == 7  # the cap, or the end of the page, + 1
        assert capped_count(rows, count_limit(1, 2)) == (5, False)
        assert capped_count(rows, count_limit(5, 2)) == (10, True)  # page 5 of 2: everything counted
    assert capped_count(rows, None) == (10, True)
    assert count_limit(10**20, 25) is None  # past a 64-bit LIMIT: an exact count


def test_count_query_is_limited(world: Any) -> None:
    """The list's count reads at most cap + 1 rows: ``LIMIT`` in the count, never a bare ``COUNT(*)``."""
    enterprises(3)
    client = signed_in(world.users["bureau_admin"])
    with override_settings(LIST_COUNT_CAP=4), CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()
              and "orgs_organisation" in q["sql"]]
    assert counts, "the list counted nothing"
    assert all("LIMIT 26" in sql for sql in counts), counts  # max(cap 4, page 1 × 25) + 1


def test_list_page_says_more_than_the_cap(world: Any) -> None:
    enterprises(28)  # 30 in all: more than one page of 25
    client = signed_in(world.users["bureau_admin"])
    with override_settings(LIST_COUNT_CAP=10_000):
        response = client.get(LIST)
        assert row_count(response) == "共 30 条"
        assert 'data-testid="row-count-capped"' not in response.content.decode()
    with override_settings(LIST_COUNT_CAP=5):
        response = client.get(LIST)
        page = response.content.decode()
        # Page 1 counts 26 rows (the page's 25 + 1): "more than 25", with its tooltip, and a next page.
        assert row_count(response) == "共 25+ 条"
        assert 'data-testid="row-count-capped"' in page and "超过 25 条，未逐条计数" in page
        paginator = response.context["table"].paginator
        assert isinstance(paginator, CappedPaginator) and not paginator.exact and paginator.num_pages == 2
        assert not paginator.is_last_page(2)  # django-tables2 prints "…" after the last number shown
        # Page 2 counts up to its end + 1 (51): all 30, exact; its 5 rows are shown.
        response = client.get(LIST, {"page": "2"})
        assert row_count(response) == "共 30 条"
        table = response.context["table"]
        assert table.page.number == 2 and len(table.page.object_list) == 5 and table.paginator.exact


def test_filtered_list_below_the_cap_is_exact(world: Any) -> None:
    enterprises(28)
    client = signed_in(world.users["bureau_admin"])
    with override_settings(LIST_COUNT_CAP=5):
        response = client.get(LIST, {"q": "计数测试企业00"})  # 000–009: 10 rows, fewer than the 26 counted
        assert row_count(response) == "共 10 条"


def test_api_count_exact_flag(world: Any) -> None:
    enterprises(58)  # 60 in all
    _token, raw = factories.issue_token(world.users["bureau_admin"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with override_settings(LIST_COUNT_CAP=10_000):
        body = client.get(API, {"page_size": "25"}).json()
        assert (body["count"], body["count_exact"], len(body["results"])) == (60, True, 25)
    with override_settings(LIST_COUNT_CAP=5):
        body = client.get(API, {"page_size": "25"}).json()
        # 26 counted: more than 25 match, so page 2 exists for certain.
        assert (body["count"], body["count_exact"], len(body["results"])) == (25, False, 25)
        body = client.get(API, {"page_size": "25", "page": "2"}).json()
        assert (body["count"], body["count_exact"], len(body["results"])) == (50, False, 25)
        body = client.get(API, {"page_size": "25", "page": "3"}).json()  # counts to 76: all 60, exact
        assert (body["count"], body["count_exact"], len(body["results"])) == (60, True, 10)
        # Past the end is still refused (the count there is exact), with the number of pages.
        response = client.get(API, {"page_size": "25", "page": "4"})
        assert response.status_code == 400 and "共 3 页" in response.json()["detail"]


def test_openapi_documents_count_exact(bureau_admin: Any) -> None:
    schema = signed_in(bureau_admin).get("/api/openapi.json").json()
    page = schema["components"]["schemas"]["EnterprisePage"]
    assert "count_exact" in page["required"] and page["properties"]["count_exact"]["type"] == "boolean"
    assert "count_exact" in page["properties"]["count"]["description"]


def test_statistics_stay_exact_when_the_list_is_capped(world: Any) -> None:
    """The dashboard's enterprise figure counts every row while its drill-down list says "25+"."""
    import chanjiao.reports.dashboard  # noqa: F401  # declares the dashboard's figures
    from chanjiao.core import figures

    enterprises(30)  # 32 in all
    user = world.users["bureau_admin"]
    with override_settings(LIST_COUNT_CAP=5):
        totals = figures.evaluate(figures.registry, {}, user)
        whole = [v for v in totals.values() if v.drill_url == LIST]
        assert whole and all(v.value == 32 for v in whole), [(k, v.drill_url, v.value) for k, v in totals.items()]
        assert row_count(signed_in(user).get(LIST)) == "共 25+ 条"


# ---- the filter form ------------------------------------------------------------------------------------


def test_fast_select_renders_what_the_templates_render(world: Any) -> None:
    """Every field of the enterprise filter form, empty and bound (a selected industry, a yes/no, a
    choice): the Python renderer gives the same characters as Django's select/option templates."""
    section = factories.IndustryFactory(code="C", name="制造业<&>", level=Industry.Level.SECTION)
    industry = factories.IndustryFactory(code="C3911", name="计算机整机制造 \"整机\"", level=Industry.Level.CLASS,
                                         section="C", parent=section)
    Enterprise.objects.filter(pk=world.orgs["enterprise"].pk).update(industry=industry)
    request = RequestFactory().get(LIST)
    request.user = world.users["bureau_admin"]
    for data in (None, {"industry": str(industry.pk), "is_leading": "true", "size": "small", "industry_section": "C"}):
        plain = EnterpriseFilterSet(data, queryset=Enterprise.objects.all(), request=request).form
        fast = EnterpriseFilterSet(data, queryset=Enterprise.objects.all(), request=request).form
        for form in (plain, fast):
            for field in form.fields.values():  # undo the filter set's own fast_selects on `plain`
                if form is plain and type(field.widget).__mro__[1].__name__ == "FastSelectMixin":
                    field.widget.__class__ = type(field.widget).__mro__[2]
        fast_selects(fast)
        selects = [n for n, f in fast.fields.items() if type(f.widget).__mro__[1].__name__ == "FastSelectMixin"]
        assert {"industry", "region", "size", "is_leading", "industry_section"} <= set(selects)
        for name in plain.fields:
            assert str(plain[name]) == str(fast[name]), name
    assert "制造业&lt;&amp;&gt;" in str(fast["industry_section"])


def test_catalog_choices_are_read_once_in_production(world: Any) -> None:
    industry = factories.IndustryFactory(code="C3912", name="计算机零部件制造", level=Industry.Level.CLASS)
    Enterprise.objects.filter(pk=world.orgs["enterprise"].pk).update(industry=industry)
    request = RequestFactory().get(LIST)
    request.user = world.users["bureau_admin"]

    def industry_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = str(EnterpriseFilterSet(None, queryset=Enterprise.objects.all(), request=request).form["industry"])
        return sum('FROM "catalog_industry"' in q["sql"] and "industry_id" in q["sql"]
                   for q in queries.captured_queries), html

    core_filters._CHOICES.clear()  # another test's rows may be cached for the same SQL
    with override_settings(FILTER_CHOICES_CACHE_SECONDS=0):
        assert industry_queries()[0] == 1 and industry_queries()[0] == 1  # off: read every time
    with override_settings(FILTER_CHOICES_CACHE_SECONDS=60):
        first, html = industry_queries()
        second, again = industry_queries()
        assert (first, second) == (1, 0) and html == again and "计算机零部件制造" in html
    # Read only when rendered: a filter set built to filter (the dashboard's figures) reads no choices.
    core_filters._CHOICES.clear()  # cold, so an eager read would show here
    with override_settings(FILTER_CHOICES_CACHE_SECONDS=60), CaptureQueriesContext(connection) as queries:
        list(EnterpriseFilterSet({"size": "small"}, queryset=Enterprise.objects.all(), request=request).qs)
    assert not [q for q in queries.captured_queries if 'FROM "catalog_industry"' in q["sql"]]
    # The cached choices are for rendering only: a submitted value is still looked up in the database.
    with override_settings(FILTER_CHOICES_CACHE_SECONDS=60):
        form = EnterpriseFilterSet({"industry": "999999"}, queryset=Enterprise.objects.all(), request=request).form
        assert not form.is_valid() and "industry" in form.errors


def test_search_without_letter_case_skips_upper(world: Any) -> None:
    """Chinese and digits are searched with a plain LIKE (no UPPER() per row), Latin letters still
    case-insensitively; both find the same rows an icontains would."""
    Enterprise.objects.filter(pk=world.orgs["enterprise_b"].pk).update(short_name="Agri科技")
    request = RequestFactory().get(LIST)
    request.user = world.users["bureau_admin"]

    def search(value: str) -> tuple[list[str], str]:
        rows = EnterpriseFilterSet({"q": value}, queryset=Enterprise.objects.visible_to(request.user),
                                   request=request).qs
        return sorted(e.name for e in rows), str(rows.query)

    postgresql = connection.vendor == "postgresql"  # SQLite's LIKE has no UPPER() either way
    names, sql = search("科技")
    assert names == ["乙县农业科技有限公司"] and not (postgresql and "UPPER(" in sql)
    assert search("9000001")[0] == ["甲市智能制造有限公司"]  # a USCC fragment: digits, no case
    names, sql = search("agri")
    assert names == ["乙县农业科技有限公司"] and (not postgresql or "UPPER(" in sql)  # "agri" finds "Agri"


# ---- the DATABASES settings (a fresh interpreter each: settings are read at import) -----------------------


def settings_in(env: dict[str, str], code: str = "") -> Any:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DJANGO_"))}
    base.update(CHANJIAO_PROFILE="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="127.0.0.1",
                DJANGO_SETTINGS_MODULE="chanjiao.settings", **env)
    script = ("import json, django; django.setup(); from django.conf import settings; " + code
              + "d = settings.DATABASES['default']; print(json.dumps({k: d.get(k) for k in "
                "('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}, default=str))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=base, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


PG = "postgres://postgres@127.0.0.1:5432/chanjiao_pool_settings_unused"


def test_production_pools_postgresql_connections() -> None:
    d = settings_in({"DATABASE_URL": PG})
    assert d["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10}
    assert d["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    d = settings_in({"DATABASE_URL": PG, "DB_POOL_MAX": "8", "DB_POOL_MIN": "2", "DB_POOL_TIMEOUT": "3"})
    assert d["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 3}


def test_pool_off_keeps_persistent_connections_if_asked() -> None:
    d = settings_in({"DATABASE_URL": PG, "DB_POOL_MAX": "0", "DB_CONN_MAX_AGE": "60"})
    assert "pool" not in (d["OPTIONS"] or {}) and d["CONN_MAX_AGE"] == 60 and d["CONN_HEALTH_CHECKS"] is True
    d = settings_in({"DATABASE_URL": PG, "DB_POOL_MAX": "0"})
    assert "pool" not in (d["OPTIONS"] or {}) and d["CONN_MAX_AGE"] == 0


def test_sqlite_never_pools(tmp_path: Path) -> None:
    d = settings_in({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "DB_POOL_MAX": "4"})
    assert d["ENGINE"] == "django.db.backends.sqlite3" and "pool" not in d["OPTIONS"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a psycopg pool needs PostgreSQL")
def test_pooled_connection_answers_on_postgresql() -> None:
    """The production settings open a real pool against this server and run a query through it."""
    db = connection.settings_dict  # the test database pytest-django created on this server
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    d = settings_in({"DATABASE_URL": url}, code=(
        "from django.db import connection; connection.ensure_connection(); "
        "assert connection.pool is not None, 'no pool'; "
        "cur = connection.cursor(); cur.execute('SELECT 41 + 1'); assert cur.fetchone()[0] == 42; "
        "connection.close(); "))
    assert d["OPTIONS"]["pool"]["max_size"] == 4


# ---- orgs 0006: trigram indexes ---------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_search_uses_the_trigram_indexes(world: Any) -> None:
    """The indexes are on exactly the expressions the search filter sends: with sequential scans
    disabled, a 3-character search of the enterprise list is answered from them (a bitmap OR)."""
    from chanjiao.orgs.models import Organisation

    request = RequestFactory().get(LIST)
    request.user = world.users["bureau_admin"]
    filterset = EnterpriseFilterSet({"q": "智能制"}, queryset=Enterprise.objects.visible_to(request.user),
                                    request=request)
    # The search condition alone (no kind filter whose own index a tiny table would rather use).
    searched = filterset.search(Organisation.objects.all(), "q", "智能制")
    sql, params = searched.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'orgs_organisation' "
                       "AND indexname LIKE %s", ["%trgm%"])
        assert {r[0] for r in cursor.fetchall()} == {
            "org_name_trgm_idx", "org_short_name_trgm_idx", "org_uscc_trgm_idx", "org_school_code_trgm_idx",
            "org_initials_trgm_idx"}
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "org_name_trgm_idx" in plan and "org_short_name_trgm_idx" in plan and "org_uscc_trgm_idx" in plan, plan
    assert [e.name for e in filterset.qs] == ["甲市智能制造有限公司"]
