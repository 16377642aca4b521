"""Load test of the embedded SQLite database under gunicorn (issue 6, point 21).

    .venv/bin/python benchmarks/load_sqlite.py                    # both policies, 3 workers
    .venv/bin/python benchmarks/load_sqlite.py --policy by_method --workers 1 3 --clients 1 3 10

Builds the demo city into a temporary directory (migrate, load_catalogs, demo: 300 enterprises,
collectstatic into the same directory), then for each request-transaction policy
(``REQUEST_TRANSACTIONS``: ``legacy`` = every request one IMMEDIATE transaction, as before;
``by_method`` = only writes are) and each worker count:

1. starts ``gunicorn chanjiao.wsgi --workers N`` on 127.0.0.1 (a free port);
2. read runs: 1, 3, 10 clients, each signed in as ``demo_bureau`` with its own session, GET the
   enterprise list for ``--seconds`` each;
3. a mixed run: readers GET the list while writers each edit their own contact (GET the edit form,
   POST it back with its CSRF token and a new note); afterwards every writer's contact must hold
   the note of its last accepted POST, read straight from the database file.

Reports requests/s, p50/p95/p99 latency and errors (any answer other than 200 for a read or 302
for a write, a read slower than 10 s, a write slower than 30 s). A write's latency is its edit
form GET plus its POST. Bounded: ``--seconds`` per run, ``--max-requests`` per run, loopback
only; gunicorn is stopped at the end. Exit status 1 when the ``by_method`` policy saw any error.
JSON goes to benchmarks/out/load_sqlite-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
USER, PASSWORD = "demo_bureau", "Chanjiao@2026"
LIST_URL = "/orgs/enterprise/"
CLIENT_TIMEOUT = 10.0  # a read slower than this counts as an error (as in the measurement)
# A write may wait for the lock up to the server's own limit (SQLite busy timeout 20 s): only a
# refusal ("database is locked" after 20 s) or an answer other than 302 is a failed write.
WRITE_TIMEOUT = 30.0


# ---- demo database and server ------------------------------------------------------------------


def demo_env(var_dir: Path, policy: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(CHANJIAO_PROFILE="demo", CHANJIAO_VAR_DIR=str(var_dir), REQUEST_TRANSACTIONS=policy,
               DATABASE_URL=f"sqlite:///{var_dir / 'demo.sqlite3'}", STATIC_ROOT=str(var_dir / "static"))
    return env


def build_demo(var_dir: Path, *, data: bool) -> None:
    env = demo_env(var_dir, "by_method")
    commands = [["migrate", "-v0"], ["load_catalogs"], ["demo"]] if data else []
    # Static files every time: the pages fail on a manifest that lacks a newly added asset.
    for command in [*commands, ["collectstatic", "--noinput", "-v0"]]:
        subprocess.run([str(PYTHON), "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on a free loopback port with the given environment (load_http.py reuses it)."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(GUNICORN), "chanjiao.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/accounts/login/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}, see {self.log.name}")
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


# ---- clients ------------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of the page's main form (the one with a csrfmiddlewaretoken), as a browser sends them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in {"submit", "button", "file"}:
                self.fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def signed_in(base: str, user: str = USER, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=CLIENT_TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    answer = session.post(base + "/accounts/login/", timeout=CLIENT_TIMEOUT, allow_redirects=False,
                          data={"csrfmiddlewaretoken": token.group(1), "username": user, "password": password},
                          headers={"Referer": base + "/accounts/login/"})
    assert answer.status_code == 302, f"log-in of {user} failed: {answer.status_code}"
    return session


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


@dataclass
class Result:
    policy: str
    workers: int
    run: str
    clients: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    error_samples: list[str]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def read_loop(session: requests.Session, base: str, stop: threading.Event, tally: Tally, budget: Any) -> None:
    while not stop.is_set() and budget():
        started = time.perf_counter()
        error = None
        try:
            answer = session.get(base + LIST_URL, timeout=CLIENT_TIMEOUT, allow_redirects=False)
            if answer.status_code != 200:
                error = f"GET {answer.status_code}"
        except requests.RequestException as exc:
            error = f"GET {type(exc).__name__}"
        tally.add(time.perf_counter() - started, error)


def write_loop(session: requests.Session, base: str, contact_pk: int, stop: threading.Event, tally: Tally,
               budget: Any, last_note: dict[int, str]) -> None:
    url = f"{base}/orgs/contact/{contact_pk}/edit/"
    n = 0
    while not stop.is_set() and budget():
        n += 1
        started = time.perf_counter()
        error = None
        try:
            form = FormFields()
            form.feed(session.get(url, timeout=WRITE_TIMEOUT).text)
            note = f"负载测试 {contact_pk}-{n}"
            data = {**form.fields, "note": note}
            answer = session.post(url, data=data, timeout=WRITE_TIMEOUT, allow_redirects=False,
                                  headers={"Referer": url})
            if answer.status_code == 302:
                last_note[contact_pk] = note
            else:
                error = f"POST {answer.status_code}"
        except requests.RequestException as exc:
            error = f"POST {type(exc).__name__}"
        tally.add(time.perf_counter() - started, error)


def run(base: str, policy: str, workers: int, name: str, readers: int, writers: list[int], seconds: float,
        max_requests: int, db_file: Path) -> list[Result]:
    sessions = [signed_in(base) for _ in range(readers + len(writers))]
    stop = threading.Event()
    count = [0]
    count_lock = threading.Lock()

    def budget() -> bool:
        with count_lock:
            count[0] += 1
            return count[0] <= max_requests

    reads, writes = Tally(), Tally()
    last_note: dict[int, str] = {}
    threads = [threading.Thread(target=read_loop, args=(sessions[i], base, stop, reads, budget))
               for i in range(readers)]
    threads += [threading.Thread(target=write_loop, args=(sessions[readers + i], base, pk, stop, writes, budget,
                                                          last_note))
                for i, pk in enumerate(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(WRITE_TIMEOUT * 2)
    elapsed = time.perf_counter() - started
    results = []
    for label, tally, clients in (("read", reads, readers), ("write", writes, len(writers))):
        if not clients:
            continue
        errors = list(tally.errors)
        if label == "write":
            # Every accepted edit must be in the database: the last note of each writer is stored.
            con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=20)
            for pk, note in last_note.items():
                (stored,) = con.execute("SELECT note FROM orgs_contact WHERE id = ?", [pk]).fetchone()
                if stored != note:
                    errors.append(f"contact {pk}: stored {stored!r}, last accepted {note!r}")
            con.close()
        results.append(Result(policy, workers, name if label == "read" else f"{name} (writes)", clients,
                              len(tally.latencies), round(elapsed, 2), round(len(tally.latencies) / elapsed, 1),
                              round(percentile(tally.latencies, 50)), round(percentile(tally.latencies, 95)),
                              round(percentile(tally.latencies, 99)), len(errors), sorted(set(errors))[:5]))
    for s in sessions:
        s.close()
    return results


def writer_contacts(db_file: Path, n: int) -> list[int]:
    con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    pks = [r[0] for r in con.execute("SELECT id FROM orgs_contact ORDER BY id LIMIT ?", [n])]
    con.close()
    return pks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policy", choices=["legacy", "by_method", "both"], default="both")
    parser.add_argument("--workers", type=int, nargs="+", default=[3])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run (default 10)")
    parser.add_argument("--max-requests", type=int, default=3000, help="cap per run (default 3000)")
    parser.add_argument("--mixed", type=int, nargs=2, default=[6, 4], metavar=("READERS", "WRITERS"))
    parser.add_argument("--var-dir", type=Path, help="reuse a demo database built here (default: a temp dir)")
    args = parser.parse_args()
    policies = ["legacy", "by_method"] if args.policy == "both" else [args.policy]

    with tempfile.TemporaryDirectory(prefix="chanjiao-load-") as tmp:
        var_dir = args.var_dir or Path(tmp)
        db_file = var_dir / "demo.sqlite3"
        if not db_file.exists():
            print(f"building the demo city in {var_dir} …", flush=True)
        build_demo(var_dir, data=not db_file.exists())
        writers = writer_contacts(db_file, args.mixed[1])
        results: list[Result] = []
        for policy in policies:
            for workers in args.workers:
                server = Server(demo_env(var_dir, policy), workers, var_dir / f"gunicorn-{policy}-{workers}.log")
                try:
                    for clients in args.clients:
                        results += run(server.base, policy, workers, "list", clients, [], args.seconds,
                                       args.max_requests, db_file)
                        print(_row(results[-1]), flush=True)
                    for r in run(server.base, policy, workers, "mixed", args.mixed[0], writers, args.seconds,
                                 args.max_requests, db_file):
                        results.append(r)
                        print(_row(r), flush=True)
                finally:
                    server.stop()

    out_dir = ROOT / "benchmarks" / "out"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"load_sqlite-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    print(f"\n{out}")
    print("| policy | workers | run | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(_row(r))
    failed = [r for r in results if r.policy == "by_method" and r.errors]
    for r in failed:
        print(f"ERRORS ({r.policy}, {r.run}, {r.clients} clients): {r.error_samples}", file=sys.stderr)
    return 1 if failed else 0


def _row(r: Result) -> str:
    return (f"| {r.policy} | {r.workers} | {r.run} | {r.clients} | {r.requests} | {r.rps} | {r.p50_ms} | "
            f"{r.p95_ms} | {r.p99_ms} | {r.errors} |")


if __name__ == "__main__":
    sys.exit(main())
