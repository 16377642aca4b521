"""Job postings at scale (issue #11 "Done when"): ingesting and classifying N postings against a COPY of the
same rows, and the demand figures per pillar industry at that size against hand-written SQL.

The work is benchmarks/import_postings.py's (its docstring says what each side does); this suite runs it as a
child process with ``max(2,000, 1,000,000 × scale)`` rows (``--postings-rows`` overrides) in a scratch database
of its own beside the dataset (``<dataset>_postings``, dropped at the end; its migrated template stays for the
next run), and turns its JSON into the harness's figures:

* ``import.postings.rate`` — rows/s of the full import (validate, derive, classify, link, audit) beside COPY's;
* ``import.postings.reimport`` — rows/s of the same file imported again (nothing changes) beside COPY's;
* ``import.postings.peak_rss`` — the import child's peak memory beside the COPY child's;
* ``postings.demand.by_pillar`` — ``supply.by_pillar`` for one year beside one SQL statement computing the same
  per-pillar counts (the script checks them equal for every year first). Target (issue #11): < 2 s.

The imports run once each (a million rows take half an hour); the demand figure runs five times after a
warm-up, ours and the SQL interleaved, inside the script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.suite import Harness, Result, Target

NAME = "postings"
ROOT = Path(__file__).resolve().parents[2]
TARGET = Target("< 2 s", "max", 2000)


def rows_for(h: Harness) -> int:
    return h.postings_rows or max(2_000, round(1_000_000 * h.scale))


def measure_postings(h: Harness, rows: int) -> dict[str, Any]:
    """The script's report (its JSON), run in a child process on the dataset's server."""
    database = urlsplit(h.url).path.lstrip("/") + "_postings"
    output = Path(h.work) / f"import_postings-{rows}.json"
    env = {**os.environ, "DATABASE_URL": h.url}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "import_postings.py"), "--rows", str(rows),
                           "--database", database, "--output", str(output)],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"import_postings.py failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(output.read_text())


def results_from(report: dict[str, Any]) -> list[Result]:
    """The harness's figures from one report of import_postings.py."""
    n, copy, first, again, demand = (report["rows"], report["copy"], report["import"], report["reimport"],
                                     report["demand"])
    linked = (f"{first['with_enterprise']:,} linked to an enterprise, {first['with_region']:,} to a region, "
              f"{first['relistings']:,} re-listings; classified_by {first['classified_by']}")
    ms = {side: [t * 1000 for t in times] for side, times in demand["times"].items()}
    return [
        Result("import.postings.rate", f"import {n:,} postings (validate, classify, link, audit)", "rows/s",
               [first["rows_per_s"]], {"COPY": [copy["rows_per_s"]]}, note=linked,
               extra={"rows": n, "seconds": {"import": first["seconds"], "copy": copy["seconds"]}}),
        Result("import.postings.reimport", f"re-import the same {n:,} postings (unchanged)", "rows/s",
               [again["rows_per_s"]], {"COPY": [copy["rows_per_s"]]}, note=f"{again['unchanged']:,} unchanged",
               extra={"rows": n}),
        Result("import.postings.peak_rss", f"peak RSS, import of {n:,} postings", "MB",
               [first["peak_rss_mb"]], {"COPY": [copy["peak_rss_mb"]]}, extra={"rows": n}),
        Result("postings.demand.by_pillar",
               f"postings per pillar industry {demand['year']} ({demand['first_listings']:,} first listings)", "ms",
               ms["ours"], {"SQL": ms["sql"]}, target=TARGET,
               note=f"{demand['pillars']} pillars, {demand['queries']} queries",
               extra={"rows": n, "figures": demand["figures"][str(demand["year"])]}),
    ]


def run(h: Harness) -> list[Result]:
    rows = rows_for(h)
    h.log(f"  {rows:,} postings into a scratch database of their own")
    return results_from(measure_postings(h, rows))
