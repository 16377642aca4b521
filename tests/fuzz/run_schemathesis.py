"""Schema-driven API fuzz run (issue 6 D): schemathesis against /api/openapi.json.

    .venv/bin/python tests/fuzz/run_schemathesis.py [--max-examples N] [--max-time SECONDS] [--keep]

Builds a throwaway SQLite database (migrate, code tables, a small demo city), issues an API token
for the demo bureau admin (a global writer, so writes are exercised too), starts gunicorn on a free
loopback port and runs schemathesis with that token. Checks: no server error, every status code
documented for its operation, every response body matching its documented schema. Exits non-zero
on any finding (or if the server does not start). Bounded: ``--max-examples`` per operation and
``--max-time`` for the whole schemathesis run (defaults keep the whole script under ~5 minutes on
2 cores). Not a pytest test: .ci/run calls it as a stage of its own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# ignored_auth: each operation is also sent without the token and must answer 401.
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,ignored_auth"

_ISSUE_TOKEN = """
from chanjiao.accounts.models import ApiToken, User
_token, raw = ApiToken.issue(User.objects.get(username="demo_bureau"), "schemathesis", days=1)
print(raw)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            text=True, stdout=subprocess.PIPE if capture else None)
    return result.stdout or ""


def _wait_until_up(url: str, token: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "25")))
    parser.add_argument("--max-time", type=int, default=int(os.environ.get("FUZZ_MAX_TIME", "120")),
                        help="time budget of the schemathesis run in seconds")
    parser.add_argument("--enterprises", type=int, default=22,
                        help="demo enterprises to generate (at least 2 per pillar)")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run")
    parser.add_argument("--keep", action="store_true", help="keep the database and the report directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chanjiao-fuzz-"))
    # Everything the run writes stays in ``work``: database, media, collected static files (the
    # error pages need the static manifest).
    env = {**os.environ, "CHANJIAO_PROFILE": "demo", "DATABASE_URL": f"sqlite:///{work / 'fuzz.sqlite3'}",
           "CHANJIAO_VAR_DIR": str(work / "var"), "STATIC_ROOT": str(work / "static"), "PYTHONUNBUFFERED": "1"}
    server = None
    try:
        started = time.monotonic()
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        _manage(env, "load_catalogs")
        _manage(env, "load_crosswalk")
        _manage(env, "demo", "--enterprises", str(args.enterprises))
        token = _manage(env, "shell", "-c", _ISSUE_TOKEN, capture=True).strip().splitlines()[-1]
        print(f"== world ready in {time.monotonic() - started:.0f} s", flush=True)

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "chanjiao.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--timeout", "60", "--log-level", "warning",
             # No request-line limit: a 414 would be gunicorn's answer, not the API's; the API itself
             # must answer any address (e.g. a query string of thousands of repeated parameters).
             "--limit-request-line", "0"], cwd=ROOT, env=env)
        _wait_until_up(f"{base}/api/openapi.json", token, server)

        command = [str(BIN / "schemathesis"), "--no-color", "run", f"{base}/api/openapi.json",
                   "--header", f"Authorization: Bearer {token}",
                   "--checks", CHECKS,
                   "--max-examples", str(args.max_examples),
                   "--max-time", str(args.max_time),
                   "--phases", "examples,coverage,fuzzing",
                   "--workers", "2",
                   "--request-timeout", "30",
                   "--suppress-health-check", "too_slow,filter_too_much",
                   "--report", "junit", "--report-dir", str(work / "report")]
        if args.seed is not None:
            command += ["--seed", str(args.seed)]
        print("== " + " ".join(c if "Bearer" not in c else "Authorization: Bearer …" for c in command), flush=True)
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        print(f"== schemathesis exit code {result.returncode} after {time.monotonic() - started:.0f} s", flush=True)
        return result.returncode
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"== kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
