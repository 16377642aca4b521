"""Every benchmark in one command (issue #8 point 2): the dataset, each benchmark beside its baseline, a table.

    .venv/bin/python benchmarks/run.py --scale 0.1 --runs 5
    .venv/bin/python benchmarks/run.py --scale 1 --reuse-db            # the full province, generated before
    .venv/bin/python benchmarks/run.py --scale 0.1 --only pages api     # some suites only

(1) generates the province dataset with benchmarks/generate.py into its scratch database (default
``chanjiao_gen`` on the server of DATABASE_URL, as the generator names it) — or, with --reuse-db,
reuses that database when it holds the same scale and seed (the harness marks what it generated
with a database comment; an unmarked database is accepted when its row counts equal the sizes of
that scale); (2) runs every suite in benchmarks/suite/ (imports, postings, pages, api, dashboard, statistics,
layout), each figure beside its baseline measured in the same run, N runs each after a warm-up; (3) prints the table —
figure, ours, baseline, ratio, target, met, note — and writes benchmarks/results.json with the raw
timings, the machine (cores, load average), the date and the git commit. Nothing the benchmarks
write stays in the dataset: every run happens in a transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results.json"


def marker(scale: float, seed: int) -> str:
    return f"chanjiao-generate scale={scale:g} seed={seed}"


def dataset_state(url: str, scale: float, seed: int) -> str:
    """"same" (marked with this scale and seed, or unmarked with this scale's row counts), "other" or "none"."""
    import psycopg

    from benchmarks.generate import scratch_url
    from benchmarks.generators import sizes

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(scratch_url(url, "postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [name]).fetchone()
    if row is None:
        return "none"
    if row[0]:
        return "same" if row[0] == marker(scale, seed) else "other"
    want = sizes(scale)
    try:
        with psycopg.connect(url) as conn:
            kinds = dict(conn.execute("SELECT kind, count(*) FROM orgs_organisation GROUP BY kind").fetchall())
            teachers = conn.execute("SELECT count(*) FROM orgs_teacher").fetchone()[0]
    except psycopg.Error:
        return "other"
    same = (kinds.get("enterprise") == want["orgs.organisation:enterprise"]
            and kinds.get("school") == want["orgs.organisation:school"] and teachers == want["orgs.teacher"])
    return "same" if same else "other"


def prepare_dataset(url: str, scale: float, seed: int, reuse: bool, log: Any = print) -> float:
    """Generate (or reuse) the dataset; returns the seconds spent generating (0 when reused)."""
    import psycopg

    from benchmarks.generate import generate, scratch_url

    if reuse:
        state = dataset_state(url, scale, seed)
        if state == "same":
            log(f"reusing {urlsplit(url).path.lstrip('/')} (scale {scale:g}, seed {seed})")
            return 0.0
        if state == "other":
            raise SystemExit(f"{urlsplit(url).path.lstrip('/')} holds another scale or seed: run without --reuse-db "
                             "to generate it anew, or name another --database")
    start = time.perf_counter()
    log(f"generating scale {scale:g}, seed {seed} into {urlsplit(url).path.lstrip('/')} …")
    generate(url, scale, seed, quiet=True)
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(scratch_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker(scale, seed)}'")
    return time.perf_counter() - start


def setup_django(url: str) -> None:
    """Django on the dataset, DEBUG off (the generator may have set it up already, on the same URL)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CHANJIAO_PROFILE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chanjiao.settings")
    os.environ["DEBUG"] = "false"  # measured as served, not with the debug machinery
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def run_suites(h: Any, only: list[str] | None = None) -> list[Any]:
    from benchmarks.suite import SUITES

    results = []
    for name in SUITES:
        if only and name not in only:
            continue
        start = time.perf_counter()
        module = importlib.import_module(f"benchmarks.suite.{name}")
        h.log(f"{name} …")
        results.extend(module.run(h))
        h.log(f"  {name}: {time.perf_counter() - start:.0f} s")
    return results


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip())
    return {"cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform(),
            "git_commit": commit, "git_dirty": dirty}


def report(results: list[Any], meta: dict[str, Any]) -> dict[str, Any]:
    return {**meta, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "figures": [r.as_dict() for r in results]}


def fmt(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == "rows/s" or value >= 100 else f"{value:,.1f}"


def table_rows(results: list[Any]) -> list[list[str]]:
    rows = []
    for r in results:
        for i, (label, values) in enumerate(r.baselines.items()):
            target = r.target if r.target and (r.target.baseline in (None, label)) and (
                r.target.baseline == label or i == 0) else None
            ours = (f"{fmt(r.median(), r.unit)} {r.unit} ({fmt(min(r.ours), r.unit)}–{fmt(max(r.ours), r.unit)})"
                    if i == 0 else "″")
            rows.append([r.figure if i == 0 else "″", ours,
                         f"{label}: {fmt(statistics.median(values), r.unit)} "
                         f"({fmt(min(values), r.unit)}–{fmt(max(values), r.unit)})",
                         f"{r.ratio(label):.2f}" if r.unit == "ms" or r.ratio(label) >= 1 else f"{r.ratio(label):.1%}",
                         target.text if target else "—",
                         ("yes" if target.met(r) else "NO") if target else "—",
                         r.note if i == 0 else ""])
    return rows


def print_table(results: list[Any], out: Any = sys.stdout) -> None:
    header = ["figure", "ours: median (min–max)", "baseline: median (min–max)", "ratio", "target", "met", "note"]
    rows = table_rows(results)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join(["---", "---:", "---:", "---:", "---", "---", "---"]) + "|", file=out)
    for row in rows:
        print("| " + " | ".join(row) + " |", file=out)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from benchmarks.suite import SUITES, Harness

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (at least 5; a smoke test may pass 1 "
                                                            "with --allow-few-runs)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="suites to run: " + " ".join(SUITES))
    parser.add_argument("--reuse-db", action="store_true", help="reuse the dataset when it holds this scale and seed")
    parser.add_argument("--database", default=None, help="the dataset's database (default: the generator's, "
                                                         "chanjiao_gen)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--import-rows", type=int, default=None,
                        help="rows in the import file (default: max(5,000, 100,000 × scale))")
    parser.add_argument("--postings-rows", type=int, default=None,
                        help="job postings imported (default: max(2,000, 1,000,000 × scale))")
    parser.add_argument("--allow-few-runs", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from benchmarks.generate import default_url, scratch_url

    if args.runs < 5 and not args.allow_few_runs:
        parser.error("--runs must be at least 5")
    if args.only and set(args.only) - set(SUITES):
        parser.error(f"--only takes {' '.join(SUITES)}")
    url = scratch_url(default_url(), args.database) if args.database else default_url()
    started, load_at_start = time.perf_counter(), [round(x, 2) for x in os.getloadavg()]
    os.environ["DEBUG"] = "false"  # before the generator may set Django up
    generated_s = prepare_dataset(url, args.scale, args.seed, args.reuse_db)
    setup_django(url)
    with tempfile.TemporaryDirectory(prefix="chanjiao-bench-") as work:
        h = Harness(scale=args.scale, seed=args.seed, runs=args.runs, url=url, work=Path(work),
                    import_rows=args.import_rows, postings_rows=args.postings_rows)
        results = run_suites(h, args.only)
    data = report(results, {"scale": args.scale, "seed": args.seed, "runs": args.runs,
                            "database": urlsplit(url).path.lstrip("/"), "generated_seconds": round(generated_s, 1),
                            "total_seconds": round(time.perf_counter() - started, 1),
                            "machine": {**machine(), "load_average_at_start": load_at_start}})
    args.output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"\nscale {args.scale:g}, seed {args.seed}, {args.runs} runs; load average (1, 5, 15 min) "
          f"{' '.join(str(x) for x in load_at_start)} at the start, "
          f"{' '.join(str(x) for x in data['machine']['load_average'])} at the end, "
          f"{data['machine']['cores']} cores; "
          f"{data['total_seconds']:.0f} s → {args.output}\n")
    print_table(results)
    return data


if __name__ == "__main__":
    main()
