"""API lists: ``GET /api/orgs/enterprises/?page=N`` as the bureau with a bearer token (issued in the
rolled-back transaction), beside the hand-written SQL computing the same page and count."""

from __future__ import annotations

import math
from typing import Any

from benchmarks.suite import Harness, Result, measure

NAME = "api"
URL = "/api/orgs/enterprises/"
SIZE = 50  # the API's default page size (chanjiao/core/api.py DEFAULT_PAGE_SIZE)

# Ordered as the API answers (the Enterprise proxy's ordering, see pages.py).
# The count as the API counts it (core/pagination.py count_limit): up to the cap or the page's end, + 1.
SQL = ["SELECT count(*) FROM (SELECT 1 FROM orgs_organisation o WHERE o.kind = 'enterprise' LIMIT %s) t",
       "SELECT o.* FROM orgs_organisation o WHERE o.kind = 'enterprise' ORDER BY o.name, o.id LIMIT %s OFFSET %s"]


def sql_page(page: int) -> list[int]:
    from django.db import connection

    from chanjiao.core.pagination import count_limit

    with connection.cursor() as cur:
        cur.execute(SQL[0], [count_limit(page, SIZE)])
        cur.fetchone()
        cur.execute(SQL[1], [SIZE, (page - 1) * SIZE])
        return [r[0] for r in cur.fetchall()]


def run(h: Harness) -> list[Result]:
    from django.test import Client

    from chanjiao.accounts.models import ApiToken

    results: list[Result] = []
    with h.rolled_back():
        _token, raw = ApiToken.issue(h.user("bureau_admin"), "benchmark")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

        def get(page: int) -> Any:
            response = client.get(URL, {"page": page})
            if response.status_code != 200:
                raise RuntimeError(f"GET {URL}?page={page} answered {response.status_code}: {response.content[:200]!r}")
            return response

        count = get(1).json()["count"]
        for label, page in (("first page", 1), ("middle page", max(1, math.ceil(count / SIZE) // 2))):
            answer = get(page).json()
            # The same count and the same rows in the same order as the SQL.
            ids = [r["id"] for r in answer["results"]]
            same = answer["count"] == count and ids == sql_page(page)
            ours, base = measure(lambda page=page: get(page), {"SQL": lambda page=page: sql_page(page)}, h.runs)
            results.append(Result(f"api.enterprises.{label.split()[0]}", f"API enterprises, {label} (bureau, token)",
                                  "ms", ours, base, extra={"url": f"{URL}?page={page}", "rows": count},
                                  note=(f"page {page} of {math.ceil(count / SIZE):,}, {SIZE} rows" if same else
                                        "SQL baseline's page differs from the API's")))
    return results
