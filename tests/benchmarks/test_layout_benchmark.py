"""The fit-analytics benchmark (benchmarks/suite/layout.py, issue #10 "Done when"): the generator writes the
layout rows ``sizes()`` names, and some of them break each warning rule the national defaults enable; the
three hand-written statements compute exactly what the pages' functions compute (province and city); and
the benchmark entry runs beside its baseline and carries the issue's target.

PostgreSQL only (the generator loads through COPY). Hubei at scale 0.03 (12 schools — 武汉 has three 中职, enough
for the 布点率 rule's minimum of 3 — 360 offerings, 6,000 enterprises) goes into a scratch database named after
the test database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test import override_settings

from tests.benchmarks.scratch import serving

SCALE = 0.03
SEED = 5

pytestmark = [
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="the generator writes through PostgreSQL COPY; SQLite has no COPY"),
    pytest.mark.django_db(transaction=True),
]


def _scratch_url() -> str:
    name = settings.DATABASES["default"]["NAME"]
    name = name if name.startswith("test_") else f"test_{name}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}_layout"))


@pytest.fixture(scope="module")
def province() -> Iterator[str]:
    from benchmarks.generate import drop_database, generate

    url = _scratch_url()
    try:
        generate(url, SCALE, SEED, quiet=True)
        yield url
    finally:
        drop_database(url, template=True)


@contextmanager
def _serving(url: str) -> Iterator[None]:
    """``serving`` with PostgreSQL's JIT off on that connection: the pages' supply figures are one statement of
    ~560 subqueries whose JIT compilation alone takes 20 s or more (benchmarks/README.md, the layout section);
    JIT changes no result, only the time, and these tests check results (the connection is closed after)."""
    from django.db import connection

    with serving(url):
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        yield


def _sql(url: str, statement: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(statement).fetchall()


def _user(username: str) -> Any:
    from chanjiao.accounts.models import User

    return User.objects.get(username=username)  # fresh: the scope is resolved per user object


def test_the_generator_writes_the_layout_rows_sizes_names(province: str) -> None:
    from benchmarks.generators import sizes

    want = sizes(SCALE)
    for label in ("layout.offering", "layout.offeringyear", "layout.crosswalkversion", "layout.crosswalkentry",
                  "layout.declareddemand"):
        assert _sql(province, f'SELECT count(*) FROM "{label.replace(".", "_")}"')[0][0] == want[label], label
    # A school's majors are of its own level, once each; every offering is enrolling, with 2015–2019 figures.
    assert _sql(province, """SELECT count(*) FROM layout_offering o JOIN orgs_organisation s ON s.id = o.school_id
                             JOIN catalog_major m ON m.id = o.major_id
                             WHERE m.level <> s.school_level OR o.status <> 'enrolling'""")[0][0] == 0
    assert _sql(province, "SELECT min(year), max(year) FROM layout_offeringyear")[0] == (2015, 2019)
    assert _sql(province, """SELECT count(*) FROM layout_offeringyear
                             WHERE employed > graduates OR employed_related > employed""")[0][0] == 0  # OFY-D1
    # The default crosswalk as crosswalk.load_default makes it; the demand of 2019, one row per enterprise.
    assert _sql(province, "SELECT number, status, region_id FROM layout_crosswalkversion") == [(1, "published", None)]
    assert _sql(province, """SELECT count(DISTINCT enterprise_id), min(year), max(year) FROM layout_declareddemand
                             """)[0] == (want["orgs.organisation:enterprise"], 2019, 2019)
    # Most firms ask for a 专业类 the crosswalk maps onto (an industry enclosing) their own industry.
    mapped, total = _sql(province, """
        SELECT count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM layout_crosswalkentry e JOIN catalog_industry ei ON ei.id = e.industry_id
                   WHERE e.class_code = d.class_code AND i.code LIKE ei.code || '%')), count(*)
        FROM layout_declareddemand d JOIN orgs_organisation o ON o.id = d.enterprise_id
        JOIN catalog_industry i ON i.id = o.industry_id""")[0]
    assert total and mapped > total / 2


@pytest.mark.parametrize(("username", "city"), [("bureau_42", None), ("bureau_4201", "4201")])
def test_the_sql_computes_what_the_pages_compute(province: str, username: str, city: str | None) -> None:
    from benchmarks.suite import layout as bench

    with _serving(province), override_settings(DEPLOYMENT_REGION="42"):
        assert bench.rules_changed() == ""  # the SQL restates every fit rule, in fit_rules() order
        ours, _queries = bench.captured(_user(username))
        assert ours == bench.sql(city, bench.params(city))
    # Not an empty comparison: offerings are judged red, amber and green, and every list has rows.
    counts = ours["city"]
    assert counts["total"] == sum(s[1] for s in ours["schools"]) > 0
    assert counts["red"] and counts["amber"] and counts["green"]
    assert ours["restrict"] and ours["upgrade"] and ours["urgent"] and ours["pillars"]
    if city is None:  # the province: each rule the defaults enable that the data can break is broken
        broken = {rule for row in ours["restrict"] + ours["upgrade"] for rule in row[5]}
        assert {"MJ-08A", "MJ-09", "MJ-08B", "FIT-01"} <= broken
        assert any(p[2] and p[3] for p in ours["pillars"])  # a pillar with both graduates and demand


def test_the_city_sees_part_of_the_province(province: str) -> None:
    from benchmarks.suite import layout as bench

    with _serving(province), override_settings(DEPLOYMENT_REGION="42"):
        whole, city = bench.sql(None, bench.params(None)), bench.sql("4201", bench.params("4201"))
    assert 0 < city["city"]["total"] < whole["city"]["total"]
    assert {s[0] for s in city["schools"]} < {s[0] for s in whole["schools"]}
    assert len(city["pillars"]) < len(whole["pillars"])


def test_the_benchmark_entry_runs_beside_its_baseline(province: str, tmp_path: Any) -> None:
    from benchmarks.suite import Harness
    from benchmarks.suite import layout as bench

    with _serving(province):
        h = Harness(scale=SCALE, seed=SEED, runs=1, url=province, work=tmp_path, log=lambda _m: None)
        results = {r.key: r for r in bench.run(h)}
    assert set(results) == {"layout.fit.province", "layout.fit.city"}
    for key, r in results.items():
        assert r.ours and r.baselines[bench.BASELINE], key
        assert "differ" not in r.note, (key, r.note)
        assert r.extra["queries"] >= 1 and r.extra["values"]["offerings"] > 0
        data = r.as_dict()
        assert data["baselines"][bench.BASELINE]["ratio"] == r.median() / r.median(bench.BASELINE)
    # The target on the province (< 2 s); the city is for comparison.
    province_result = results["layout.fit.province"]
    assert province_result.target is not None and results["layout.fit.city"].target is None
    assert province_result.target.met(province_result) == (province_result.median() < 2000)
    assert province_result.as_dict()["met"] == (province_result.median() < 2000)
