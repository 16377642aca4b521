"""HTTP load test on the province dataset (issue 8, point 3).

    .venv/bin/python benchmarks/load_http.py --database-url postgres://postgres@127.0.0.1:5432/chanjiao_gen

Starts the production server on loopback — ``gunicorn chanjiao.wsgi`` with ``CHANJIAO_PROFILE=production``
(a throw-away SECRET_KEY, ``ALLOWED_HOSTS=127.0.0.1``, static files collected into a temp dir) and
``manage.py db_worker`` beside it — against the generated PostgreSQL database, then runs ``--users``
concurrent clients (threads + requests, one signed-in session each) for ``--seconds``. The users are
the province bureau (``bureau_42``), city bureaus, school admins and enterprise contacts; each loop
picks one request from a weighted mix (``MIX``): the enterprise list, the list filtered by industry +
county, the detail of a random enterprise the user can see, a search, the dashboard ``/``, a small
export (the filtered list ``?export=xlsx``, below EXPORT_BACKGROUND_ROWS so it is answered inline) and
the API list with a bearer token. An error is any answer other than 200 (and, for the export, not an
xlsx file) or a request slower than 10 s.

Plain http on loopback: the production profile's HTTPS-only settings (SSL redirect, HSTS, secure
cookies) are switched off with the documented ``HTTPS=0`` override (settings.py); nothing else differs.

The server's environment is the caller's (``DB_POOL_MAX=0`` turns the production profile's connection pool
off) plus ``DEPLOYMENT_REGION=42``: the province deployment, where bureau_42's grant reads everything.
``--pg-options "-c max_parallel_workers_per_gather=0"`` sets PostgreSQL session settings for the server
(libpq's PGOPTIONS); ``--think S`` adds a mean think time of S seconds between a user's requests (the
targets are stated for the closed loop without one).

Targets (issue 8): 0 errors, p95 <= 300 ms, p99 <= 800 ms. Prints a table per request kind, then a
profile of the slowest kind (by p95): the request run once in-process with cProfile against the same
database (top 15 cumulative entries, SQL count and time). JSON goes to benchmarks/out/load_http-<time>.json.

The run writes to the database: sessions, audit events (sign-ins, exports) and API tokens; the tokens
(named ``load_http``) are deleted at the end. Point it at a copy (``CREATE DATABASE x TEMPLATE
chanjiao_gen``) to keep the generated database byte-identical.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.load_sqlite import PYTHON, ROOT, Server, Tally, percentile, signed_in

PASSWORD = "Bench@2026-chanjiao"  # benchmarks/generators/accounts.py
CLIENT_TIMEOUT = 10.0
TOKEN_NAME = "load_http"
SEARCH = "科技"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Request kind → weight (share of the loops).
MIX = {"list": 20, "filtered": 15, "detail": 25, "search": 10, "dashboard": 10, "export": 5, "api": 15}
# Role → share of the users (the province bureau signs in several times, one session each).
ROLES = {"province bureau": 0.2, "city bureau": 0.2, "school admin": 0.3, "enterprise contact": 0.3}
TARGETS = {"p95_ms": 300, "p99_ms": 800}


def production_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CHANJIAO_PROFILE"}}
    env.update(CHANJIAO_PROFILE="production", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
               DATABASE_URL=database_url, CHANJIAO_VAR_DIR=str(var_dir), STATIC_ROOT=str(var_dir / "static"),
               HTTPS="0",  # loopback is plain http: the documented override of the HTTPS-only settings
               # The province deployment: bureau_42's grant covers Hubei (42), so it reads with no region filter.
               DEPLOYMENT_REGION="42")
    return env


def env_pool() -> str:
    """DB_POOL_MAX as the server gets it (settings.py: the production profile pools 4 when unset)."""
    return os.environ.get("DB_POOL_MAX", "default (4)")


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


# ---- accounts, tokens and what each user can see -----------------------------------------------

SETUP = """
import json
from chanjiao.accounts.models import ApiToken, User
from chanjiao.core.scoping import unscoped
from django.db import connection
"""

PICK_USERS = SETUP + """
n = json.loads(__N__)
picked = {}
with connection.cursor() as cur:
    for role, key, extra in [("province bureau", "bureau_admin", "AND u.username = 'bureau_42'"),
                             ("city bureau", "bureau_admin", "AND u.username <> 'bureau_42'"),
                             ("school admin", "school_admin", ""), ("enterprise contact", "enterprise_contact", "")]:
        cur.execute(f'''SELECT u.username FROM accounts_user u JOIN accounts_membership m ON m.user_id = u.id
                        WHERE m.role = %s AND m.active AND u.is_active {extra} ORDER BY u.id''', [key])
        picked[role] = [r[0] for r in cur.fetchall()]
with unscoped("load test: API tokens for the benchmark users"):
    tokens = {}
    for role, names in picked.items():
        for name in names[:n.get(role, 0)]:
            tokens[name] = ApiToken.issue(User.objects.get(username=name), "load_http", days=1)[1]
print(json.dumps({"users": {r: v[:n.get(r, 0)] for r, v in picked.items()}, "tokens": tokens}))
"""

DROP_TOKENS = SETUP + """
with unscoped("load test: remove its API tokens"):
    print(ApiToken.objects.filter(name="load_http").delete()[0])
"""


@dataclass
class LoadUser:
    role: str
    username: str
    token: str
    session: requests.Session | None = None
    detail_ids: list[int] | None = None
    filtered: str = ""
    api_pages: int = 1  # pages of 50 the user's API list has (at most 3): no request for a page past the end


def pick_users(env: dict[str, str], count: int) -> list[LoadUser]:
    """Several roles: the province bureau's share signs in as bureau_42, the others as distinct users."""
    per_role = {r: max(1, round(count * share)) for r, share in ROLES.items()}
    per_role["enterprise contact"] += count - sum(per_role.values())
    distinct = {r: 1 if r == "province bureau" else n for r, n in per_role.items()}
    code = PICK_USERS.replace("__N__", repr(json.dumps(distinct)))
    answer = json.loads(manage(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1])
    users = []
    for role, n in per_role.items():
        names = answer["users"][role]
        for i in range(n):
            name = names[i % len(names)]
            users.append(LoadUser(role, name, answer["tokens"][name]))
    return users


def busiest_pair(database_url: str, ids: list[int] | None) -> tuple[int, int] | None:
    """The (industry, county) pair most frequent among ``ids`` (all enterprises when None)."""
    import psycopg

    where, args = ("AND id = ANY(%s)", [ids]) if ids is not None else ("", [])
    with psycopg.connect(database_url) as con:
        row = con.execute(f"""SELECT industry_id, region_id FROM orgs_organisation WHERE kind = 'enterprise'
                              AND industry_id IS NOT NULL AND region_id IS NOT NULL {where}
                              GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1""", args).fetchone()
    return (row[0], row[1]) if row else None


def prepare(user: LoadUser, base: str, database_url: str, province_pair: tuple[int, int] | None) -> None:
    user.session = signed_in(base, user.username, PASSWORD)
    # What the user can see: the API's first page (session auth), then the filter from those rows.
    answer = user.session.get(base + "/api/orgs/enterprises/", timeout=CLIENT_TIMEOUT)
    answer.raise_for_status()
    user.detail_ids = [r["id"] for r in answer.json()["results"]]
    user.api_pages = max(1, min(3, math.ceil(answer.json()["count"] / 50)))
    pair = province_pair if user.role == "province bureau" else busiest_pair(database_url, user.detail_ids)
    user.filtered = f"industry={pair[0]}&region={pair[1]}" if pair else "industry=&region="


def url_for(kind: str, user: LoadUser, rng: random.Random) -> tuple[str, dict[str, str]]:
    if kind == "list":
        return "/orgs/enterprise/", {}
    if kind == "filtered":
        return f"/orgs/enterprise/?{user.filtered}", {}
    if kind == "detail":
        return (f"/orgs/enterprise/{rng.choice(user.detail_ids)}/" if user.detail_ids else "/orgs/enterprise/"), {}
    if kind == "search":
        return f"/orgs/enterprise/?q={SEARCH}", {}
    if kind == "dashboard":
        return "/", {}
    if kind == "export":
        return f"/orgs/enterprise/?{user.filtered}&export=xlsx", {}
    return f"/api/orgs/enterprises/?page={rng.randint(1, user.api_pages)}", {"Authorization": f"Bearer {user.token}"}


def one_request(kind: str, user: LoadUser, base: str, rng: random.Random) -> str | None:
    path, headers = url_for(kind, user, rng)
    try:
        if kind == "api":  # the bearer token alone, no session cookie
            answer = requests.get(base + path, headers=headers, timeout=CLIENT_TIMEOUT, allow_redirects=False)
        else:
            assert user.session is not None
            answer = user.session.get(base + path, timeout=CLIENT_TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return f"{kind} {type(exc).__name__}"
    if answer.status_code != 200:
        return f"{kind} {answer.status_code} {path}"
    if kind == "export" and not answer.headers.get("Content-Type", "").startswith(XLSX):
        return f"export not an xlsx ({answer.headers.get('Content-Type')})"
    return None


@dataclass
class Row:
    kind: str
    count: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    error_samples: list[str]


def row(kind: str, tally: Tally, elapsed: float) -> Row:
    lat = tally.latencies
    return Row(kind, len(lat), round(len(lat) / elapsed, 1), round(percentile(lat, 50)), round(percentile(lat, 95)),
               round(percentile(lat, 99)), len(tally.errors), sorted(set(tally.errors))[:5])


def run_load(users: list[LoadUser], base: str, seconds: float, seed: int,
             think: float = 0.0) -> tuple[list[Row], float]:
    tallies = {k: Tally() for k in MIX}
    by_role = {r: Tally() for r in ROLES}
    everything = Tally()
    stop = threading.Event()
    kinds, weights = list(MIX), list(MIX.values())

    def loop(user: LoadUser, rng: random.Random) -> None:
        while not stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            error = one_request(kind, user, base, rng)
            took = time.perf_counter() - started
            tallies[kind].add(took, error)
            by_role[user.role].add(took, error)
            everything.add(took, error)
            if think > 0:
                stop.wait(rng.expovariate(1 / think))  # a person reading the page: mean `think` seconds

    threads = [threading.Thread(target=loop, args=(u, random.Random(seed + i))) for i, u in enumerate(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(CLIENT_TIMEOUT * 2)
    elapsed = time.perf_counter() - started
    roles = [row(f"role: {r}", by_role[r], elapsed) for r in ROLES]
    return [row(k, tallies[k], elapsed) for k in MIX] + roles + [row("all", everything, elapsed)], elapsed


# ---- where the CPU went ----------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # "pid (comm) state ppid …": comm may hold spaces and parentheses.
    start, end = text.index(" ("), text.rindex(")")
    return [text[:start], text[start + 2: end], *text[end + 2:].split()]


def cpu_snapshot(server_pid: int, worker_pid: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master + workers), the db_worker, PostgreSQL (the postmaster's
    reaped backends + live ones: with DB_CONN_MAX_AGE=0 each request's backend exits) and this load
    generator, plus the machine's busy and total seconds (/proc/stat)."""
    groups = {"gunicorn": 0.0, "db_worker": 0.0, "postgres": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            f = _stat(int(entry.name))
        except (OSError, ValueError):
            continue  # the process ended while we looked
        pid, comm, ppid = int(f[0]), f[1], int(f[3])
        used = (int(f[13]) + int(f[14])) / TICK
        if pid == server_pid or ppid == server_pid:
            groups["gunicorn"] += used
        elif pid == worker_pid or ppid == worker_pid:
            groups["db_worker"] += used
        elif comm == "postgres" or comm.startswith("postgres:"):
            groups["postgres"] += used + (int(f[15]) + int(f[16])) / TICK  # + reaped children (postmaster)
    t = os.times()
    groups["load generator"] = t.user + t.system
    cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    groups["machine busy"] = (sum(cpu) - cpu[3] - cpu[4]) / TICK  # all but idle and iowait
    groups["machine total"] = sum(cpu) / TICK
    return groups


def cpu_split(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Cores used on average over the window, per group."""
    wall = (after["machine total"] - before["machine total"]) / (os.cpu_count() or 1)
    return {k: round((after[k] - before[k]) / wall, 2) for k in before if k != "machine total"}


# ---- profile of the slowest request, in-process --------------------------------------------------

PROFILE = """
import cProfile, io, pstats, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from chanjiao.accounts.models import User
from chanjiao.core.scoping import unscoped
username, path, token = {username!r}, {path!r}, {token!r}
client = Client(HTTP_AUTHORIZATION=f"Bearer {{token}}") if path.startswith("/api/") else Client()
if not path.startswith("/api/"):
    with unscoped("load test profile: sign the user in"):
        client.force_login(User.objects.get(username=username))
assert client.get(path).status_code == 200  # warm: templates, caches, connection
profiler = cProfile.Profile()
with CaptureQueriesContext(connection) as queries:
    started = time.perf_counter()
    profiler.enable()
    status = client.get(path).status_code
    profiler.disable()
    took = time.perf_counter() - started
sql = sum(float(q["time"]) for q in queries.captured_queries)
print(f"{{path}} as {{username}}: {{status}}, {{took * 1000:.0f}} ms in-process, "
      f"{{len(queries.captured_queries)}} SQL queries taking {{sql * 1000:.0f}} ms")
slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
for q in slowest:
    print(f"  {{float(q['time']) * 1000:.0f}} ms: {{q['sql'][:300]}}")
out = io.StringIO()
stats = pstats.Stats(profiler, stream=out)
# The middleware chain wraps everything; the project's and Django's own work below it is what tells.
stats.sort_stats("cumulative").print_stats(r"^(?!.*(middleware|denials|handlers|test/client|deprecation)).*", 15)
stats.sort_stats("tottime").print_stats(15)
print(out.getvalue())
"""


DEMAND = """
import json, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from chanjiao.accounts.models import User
from chanjiao.core.scoping import unscoped
for role, username, kind, path, token in json.loads(__CASES__):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}") if kind == "api" else Client()
    if kind != "api":
        with unscoped("load test demand: sign the user in"):
            client.force_login(User.objects.get(username=username))
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        status = client.get(path).status_code
        took = time.perf_counter() - started
    sql = sum(float(q["time"]) for q in queries.captured_queries)
    print(json.dumps([role, kind, status, round(took * 1000), len(queries.captured_queries), round(sql * 1000)]))
"""


def demand(env: dict[str, str], users: list[LoadUser]) -> list[list[Any]]:
    """Each kind as one user of each role, once, alone, in-process: its time and SQL time (the work one
    request costs the server with no queueing; the load run's latencies are this plus the wait)."""
    rng = random.Random(0)
    cases = []
    for role in ROLES:
        u = next(x for x in users if x.role == role)
        cases += [[role, u.username, kind, url_for(kind, u, rng)[0], u.token] for kind in MIX]
    out = manage({**env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}, "shell", "--no-imports", "-c",
                 DEMAND.replace("__CASES__", repr(json.dumps(cases, ensure_ascii=False))))
    return [json.loads(line) for line in out.splitlines() if line.startswith("[")]


def profile(env: dict[str, str], kind: str, users: list[LoadUser]) -> str:
    """The slowest kind, as the heaviest role that requests it (the province bureau), once under cProfile."""
    user = users[0]
    path, _headers = url_for(kind, user, random.Random(0))
    code = PROFILE.format(username=user.username, path=path, token=user.token)
    # In-process requests come from the test client's host.
    return manage({**env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}, "shell", "--no-imports", "-c", code)


# ---- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/chanjiao_gen")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="0: no load, only the per-request cost")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean think time in seconds between a user's requests (exponential); 0: none, "
                             "the closed loop the targets are stated for")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile-kind", choices=list(MIX), help="default: the slowest kind of the run")
    parser.add_argument("--pg-options", default=os.environ.get("PGOPTIONS", ""),
                        help='PostgreSQL session settings for the server, as libpq\'s PGOPTIONS '
                             '(e.g. "-c max_parallel_workers_per_gather=0")')
    args = parser.parse_args()

    users: list[LoadUser] = []
    rows: list[Row] = []
    elapsed, cpu, load_before, load_after = 0.0, {}, os.getloadavg(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="chanjiao-load-http-") as tmp:
        var_dir = Path(tmp)
        env = production_env(args.database_url, var_dir)
        if args.pg_options:
            env["PGOPTIONS"] = args.pg_options  # libpq applies these to every connection the server opens
        manage(env, "collectstatic", "--noinput", "-v0")
        try:
            worker_log = open(var_dir / "db_worker.log", "w")  # noqa: SIM115
            worker = subprocess.Popen([str(PYTHON), "manage.py", "db_worker", "--queue-name", "*"], cwd=ROOT,
                                      env=env, stdout=worker_log, stderr=subprocess.STDOUT)
            server = Server(env, args.workers, var_dir / "gunicorn.log")
            try:
                users = pick_users(env, args.users)
                print(f"{len(users)} users: " + ", ".join(f"{r} × {sum(u.role == r for u in users)}"
                                                         for r in ROLES), flush=True)
                province_pair = busiest_pair(args.database_url, None)
                for u in users:
                    prepare(u, server.base, args.database_url, province_pair)
                # Warm-up: every kind once per role (not counted), so the run measures a warm server.
                rng = random.Random(args.seed)
                for role in ROLES:
                    u = next(x for x in users if x.role == role)
                    for kind in MIX:
                        if error := one_request(kind, u, server.base, rng):
                            print(f"warm-up, {role}: {error}", flush=True)
                if args.seconds > 0:
                    load_before = os.getloadavg()
                    print(f"load average before: {load_before}; running {args.users} users for "
                          f"{args.seconds:.0f} s (think {args.think:g} s), {args.workers} gunicorn workers, "
                          f"DB_POOL_MAX {env_pool()}, PGOPTIONS {args.pg_options!r} …", flush=True)
                    cpu_before = cpu_snapshot(server.proc.pid, worker.pid)
                    rows, elapsed = run_load(users, server.base, args.seconds, args.seed, args.think)
                    cpu = cpu_split(cpu_before, cpu_snapshot(server.proc.pid, worker.pid))
                    load_after = os.getloadavg()
            finally:
                server.stop()
                worker.terminate()
                worker.wait(20)
                worker_log.close()
                for u in users:
                    if u.session:
                        u.session.close()

            met: dict[str, bool] = {}
            if rows:
                overall = rows[-1]
                met = {"errors": overall.errors == 0, "p95_ms": overall.p95_ms <= TARGETS["p95_ms"],
                       "p99_ms": overall.p99_ms <= TARGETS["p99_ms"]}
                print("\n| kind | count | req/s | p50 ms | p95 ms | p99 ms | errors |")
                print("|---|---:|---:|---:|---:|---:|---:|")
                for r in rows:
                    print(f"| {r.kind} | {r.count} | {r.rps} | {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | {r.errors} |")
                print(f"\nthroughput {overall.rps} req/s over {elapsed:.1f} s; load average before {load_before}, "
                      f"after {load_after}")
                print(f"cores used on average over the run ({os.cpu_count()} in all): "
                      + ", ".join(f"{k} {v}" for k, v in cpu.items()))
                print("targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in met.items()))
                for r in rows[:len(MIX)]:
                    if r.errors:
                        print(f"errors ({r.kind}): {r.error_samples}", file=sys.stderr)
            print("\none request alone, in-process (ms; SQL queries and their ms):", flush=True)
            cost = demand(env, users)
            print("| role | kind | status | ms | queries | SQL ms |\n|---|---|---:|---:|---:|---:|")
            for c in cost:
                print("| " + " | ".join(str(x) for x in c) + " |")
            slowest = args.profile_kind or (max(rows[:len(MIX)], key=lambda r: r.p95_ms).kind if rows else
                                            max(cost, key=lambda c: c[3])[1])
            print(f"\nprofile of {slowest} (as the province bureau):", flush=True)
            prof = profile(env, slowest, users)
            print(prof)
        finally:
            # The tokens live until here: the in-process API requests above use them.
            print(f"API tokens removed: {manage(env, 'shell', '--no-imports', '-c', DROP_TOKENS).strip()}")

    out_dir = ROOT / "benchmarks" / "out"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"load_http-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({
        "database": args.database_url.rsplit("/", 1)[-1], "users": args.users, "seconds": args.seconds,
        "workers": args.workers, "think": args.think, "pg_options": args.pg_options, "db_pool_max": env_pool(),
        "mix": MIX, "roles": {r: sum(u.role == r for u in users) for r in ROLES},
        "elapsed": round(elapsed, 2), "load_before": load_before, "load_after": load_after, "cores_used": cpu,
        "rows": [asdict(r) for r in rows], "targets": TARGETS, "met": met, "slowest": slowest,
        "demand": cost, "profile": prof}, ensure_ascii=False, indent=1))
    print(out)
    return 0 if met and all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
