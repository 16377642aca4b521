"""Where one enterprise-list request spends its server time (issue 6, point 21).

    .venv/bin/python benchmarks/profile_list.py --var-dir /tmp/chanjiao-demo [--requests 30]
    .venv/bin/python benchmarks/profile_list.py --var-dir /tmp/x --database-url postgres://…/chanjiao_gen \
        --user bureau_42 --deployment-region 42 --url "/orgs/enterprise/?q=科技"    # the province dataset

Runs in-process with the Django test client against a demo database built by
``benchmarks/load_sqlite.py`` (or ``migrate``/``load_catalogs``/``demo``/``collectstatic`` into
``--var-dir``), signed in as ``demo_bureau``. After warm-up requests it times N requests of
``/orgs/enterprise/`` (300 rows, 25 shown) and splits their wall time into: SQL (every query
timed through ``connection.execute_wrapper``), template rendering (Template.render, minus the SQL
run inside it) and within it ``{% render_table %}`` (django-tables2) and the filter form's widgets,
middleware + view outside the template, then prints cProfile's top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--url", default="/orgs/enterprise/")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--database-url", help="default: the demo SQLite database in --var-dir")
    parser.add_argument("--user", default="demo_bureau", help="who is signed in (bureau_42 on the province data)")
    parser.add_argument("--deployment-region", default="", help="DEPLOYMENT_REGION (42: the province dataset)")
    args = parser.parse_args()
    args.var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(CHANJIAO_PROFILE="demo", CHANJIAO_VAR_DIR=str(args.var_dir),
                      DATABASE_URL=args.database_url or f"sqlite:///{args.var_dir / 'demo.sqlite3'}",
                      DEPLOYMENT_REGION=args.deployment_region,
                      STATIC_ROOT=str(args.var_dir / "static"), DJANGO_SETTINGS_MODULE="chanjiao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.forms.widgets import Widget
    from django.template import Template
    from django.test import Client
    from django_tables2.templatetags.django_tables2 import RenderTableNode

    client = Client()
    from chanjiao.accounts.models import User
    from chanjiao.core.scoping import unscoped

    with unscoped("profile: sign the benchmark user in"):
        client.force_login(User.objects.get(username=args.user))  # axes needs a request for login()
    for _ in range(3):  # warm-up: template compilation, URL resolver, translation catalogues
        assert client.get(args.url).status_code == 200

    sql = {"seconds": 0.0, "count": 0, "in_template": 0.0}
    statements: Counter[str] = Counter()
    spans: dict[str, float] = {"template": 0.0, "table": 0.0, "widgets": 0.0}
    depth = {"template": 0, "widgets": 0}

    def timed(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            spent = time.perf_counter() - started
            sql["seconds"] += spent
            sql["count"] += 1
            if depth["template"]:
                sql["in_template"] += spent  # lazy querysets evaluated while the page renders
            statements[query[:110]] += 1

    def outermost(key: str, original: Any) -> Any:
        """Time the outermost call only: includes, {% extends %} and nested widgets run inside it."""

        def wrapper(self: Any, *a: Any, **kw: Any) -> Any:
            depth[key] = depth.get(key, 0) + 1
            started = time.perf_counter()
            try:
                return original(self, *a, **kw)
            finally:
                depth[key] -= 1
                if depth[key] == 0:
                    spans[key] += time.perf_counter() - started

        return wrapper

    patches = [(Template, "render", "template"), (RenderTableNode, "render", "table"), (Widget, "render", "widgets")]
    originals = [(cls, name, getattr(cls, name)) for cls, name, _key in patches]
    for cls, name, key in patches:
        setattr(cls, name, outermost(key, getattr(cls, name)))
    wall = 0.0
    try:
        with connection.execute_wrapper(timed):
            for _ in range(args.requests):
                started = time.perf_counter()
                assert client.get(args.url).status_code == 200
                wall += time.perf_counter() - started
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)

    n = args.requests
    ms = {k: v / n * 1000 for k, v in {"wall": wall, **spans, "sql": sql["seconds"],
                                        "sql_in_template": sql["in_template"]}.items()}
    print(f"{n} requests of {args.url}, per request (ms, share of wall):")

    def line(label: str, value: float) -> None:
        print(f"  {label:44s} {value:7.1f}  {value / ms['wall']:5.0%}")

    line("wall (test client, whole stack)", ms["wall"])
    line(f"SQL, all ({sql['count'] / n:.0f} queries)", ms["sql"])
    line("template rendering, excl. SQL run inside it", ms["template"] - ms["sql_in_template"])
    line("  of which {% render_table %} (25 rows × 8 cols)", ms["table"])
    line("  of which form widgets (filter form)", ms["widgets"])
    line("  of which the rest (layout, menu, filter card)", ms["template"] - ms["sql_in_template"]
         - ms["table"] - ms["widgets"])
    line("middleware, view, session, scope (the rest)", ms["wall"] - ms["template"] - ms["sql"]
         + ms["sql_in_template"])
    print("\nqueries per request (most frequent first):")
    for query, count in statements.most_common(12):
        print(f"  {count / n:5.1f} × {query}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(args.url)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"\n---- cProfile, {n} requests, by {order} ----")
        print(out.getvalue().split("\n", 6)[-1])


if __name__ == "__main__":
    main()
