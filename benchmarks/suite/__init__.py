"""The benchmark harness's shared parts (issue #8 point 2): results, the timing loop, the run context.

One module per benchmark family (``imports``, ``postings``, ``pages``, ``api``, ``dashboard``, ``statistics``,
``layout``); each
defines ``NAME`` and ``run(h: Harness) -> list[Result]`` and is listed in ``SUITES`` below (a later issue adds
its module there). A ``Result`` is one figure: our timings beside one or more baselines measured in
the same run, N runs each; the ratio is always computed from the medians, never typed.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# Not ``import statistics``: that name would be the package's attribute, which the ``statistics`` suite
# module (benchmarks/suite/statistics.py) takes once imported.
from statistics import median
from typing import Any

# Run order matters: the import children write (and roll back) on their own connections — the postings'
# in a scratch database of their own — so they run before the in-process suites open their long
# rolled-back transaction.
SUITES = ["imports", "postings", "pages", "api", "dashboard", "statistics", "layout"]


@dataclass
class Target:
    """A target an issue names: ``ratio ≥ value`` (or ``ratio ≤ value``) against one baseline, or an
    absolute ``ours < value``."""

    text: str
    kind: str  # "ratio_min" | "ratio_max" | "max"
    value: float
    baseline: str | None = None  # the baseline a ratio target is against

    def met(self, result: Result) -> bool:
        if self.kind == "ratio_min":
            return result.ratio(self.baseline or "") >= self.value
        if self.kind == "ratio_max":  # ours at most ``value`` × the baseline (statistics ≤ 1.5× the SQL)
            return result.ratio(self.baseline or "") <= self.value
        return result.median() < self.value


@dataclass
class Result:
    key: str  # stable id, e.g. "list.enterprise.bureau"
    figure: str  # what the table says
    unit: str  # "ms", "rows/s", "MB"
    ours: list[float]
    baselines: dict[str, list[float]]  # baseline label → its timings, same run
    target: Target | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def median(self, baseline: str | None = None) -> float:
        return median(self.baselines[baseline] if baseline else self.ours)

    def ratio(self, baseline: str) -> float:
        """ours / baseline, from the medians (for ms: how many times slower; for rows/s: the share)."""
        return self.median() / self.median(baseline)

    def as_dict(self) -> dict[str, Any]:
        def spread(values: list[float]) -> dict[str, Any]:
            return {"median": median(values), "min": min(values), "max": max(values), "runs": values}

        return {"key": self.key, "figure": self.figure, "unit": self.unit, "ours": spread(self.ours),
                "baselines": {label: {**spread(v), "ratio": self.ratio(label)} for label, v in self.baselines.items()},
                "target": self.target.text if self.target else None,
                "met": self.target.met(self) if self.target else None, "note": self.note, **self.extra}


def measure(ours: Callable[[], Any], baselines: dict[str, Callable[[], Any]], runs: int,
            warmup: int = 1) -> tuple[list[float], dict[str, list[float]]]:
    """Milliseconds per call: a warm-up of each, then the runs interleaved (ours, baseline 1, …) so a
    change of machine load during the run hits every side alike."""
    for _ in range(warmup):
        ours()
        for fn in baselines.values():
            fn()
    mine: list[float] = []
    theirs: dict[str, list[float]] = {label: [] for label in baselines}
    for _ in range(runs):
        for label, fn in [("", ours), *baselines.items()]:
            start = time.perf_counter()
            fn()
            spent = (time.perf_counter() - start) * 1000
            (theirs[label] if label else mine).append(spent)
    return mine, theirs


@dataclass
class Harness:
    """What every suite gets: scale, seed, runs, the dataset's database URL, a work folder."""

    scale: float
    seed: int
    runs: int
    url: str
    work: Any  # pathlib.Path
    import_rows: int | None = None  # the import file's size; default max(5,000, 100,000 × scale)
    postings_rows: int | None = None  # the postings file's size; default max(2,000, 1,000,000 × scale)
    log: Callable[[str], None] = print
    _users: dict[str, Any] = field(default_factory=dict)

    @contextlib.contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Everything the in-process suites write (sessions, a token, login events) is rolled back: the
        dataset stays as generated, so --reuse-db measures the same rows every time."""
        from django.db import transaction

        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    def user(self, role: str) -> Any:
        """The first generated user of ``role`` (bureau: the province bureau, which reads everything)."""
        from chanjiao.accounts.models import User

        if role not in self._users:
            self._users[role] = (User.objects.filter(memberships__role=role, memberships__active=True)
                                 .order_by("id").first())
            if self._users[role] is None:
                raise RuntimeError(f"the dataset has no user with role {role}")
        return self._users[role]

    def client(self, role: str) -> Any:
        from django.test import Client

        client = Client()
        client.force_login(self.user(role))
        return client


def page_rows(html: bytes, detail_prefix: str) -> tuple[list[int], int | None]:
    """The ids a list page links to (in order, once each) and its "共 N 条" — to check a baseline
    computes the same rows as the page."""
    text = html.decode("utf-8", "replace")
    ids = list(dict.fromkeys(int(m) for m in re.findall(rf'href="{re.escape(detail_prefix)}(\d+)/"', text)))
    # "共 10,000+ 条": the list counted up to its cap (core/pagination.py), reported as the cap.
    count = re.search(r"共\s*([\d,]+)\+?\s*条", text)
    return ids, int(count.group(1).replace(",", "")) if count else None
