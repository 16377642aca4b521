"""The Redis task backend with two workers that never run a job twice (issue #8 point 6).

The production shape, in processes: one "web" process (``manage.py shell``) queues background
exports through ``start_export`` with ``TASKS_BACKEND=redis``; two ``manage.py rqworker`` processes
(django-rq, with django-tasks-rq's job class, as docs/deployment.md starts them) take them from the
same Redis queue and run ``run_export`` against the same PostgreSQL database. Settings are read at
process start, so nothing here is an in-process imitation.

"Exactly once" is read from two independent records: RQ keeps one result per execution of a job
(``Job.results()``, with the worker's name), and each export leaves one ``queued → running`` status
change and one ``export`` security event. A job delivered twice would show two results (and the
second run would find the job no longer queued), a job lost none.

Redis: a dedicated database (``REDIS_TEST_URL``, default db 7), flushed before and after — never db 0.
Without Redis the test skips; ``REQUIRE_REDIS=1`` (.ci/run) turns every skip into a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from chanjiao.core.jobs import Job
from chanjiao.core.models import AuditEvent
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/7")
REQUIRED = os.environ.get("REQUIRE_REDIS", "") == "1"
JOBS = 40
WORKERS = ("rq-test-worker-1", "rq-test-worker-2")
TIMEOUT = 90  # seconds for the whole run; it takes ~10 s on the 2-core CI machine

pytestmark = pytest.mark.django_db(transaction=True)  # the rows must be committed: other processes read them

# The web process's half: what the list page does for an export above EXPORT_BACKGROUND_ROWS.
ENQUEUE = """
import os
from django.http import QueryDict
from chanjiao.accounts.models import User
from chanjiao.core.jobs import start_export
from chanjiao.orgs import ui
owner = User.objects.get(pk=int(os.environ["EXPORT_OWNER"]))
for n in range(int(os.environ["EXPORT_JOBS"])):
    start_export(ui.schools, owner, QueryDict(f"q=甲市&sort=-name&n={n}"), "list", 7)
"""


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"REQUIRE_REDIS=1: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_db() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        _skip_or_fail(f"Redis at {REDIS_URL} is unreachable ({exc})")
    client.flushdb()  # only the dedicated test database
    yield client
    client.flushdb()
    client.close()


def _process_env(tmp_path: Path) -> dict[str, str]:
    if connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL: the workers are other processes, and the SQLite test database is in memory")
    db = connection.settings_dict  # the test database: the workers must see the rows this test commits
    login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    url = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    return {**os.environ, "CHANJIAO_PROFILE": "test", "DATABASE_URL": url, "TASKS_BACKEND": "redis",
            "REDIS_URL": REDIS_URL, "JOB_RESULT_DIR": str(tmp_path / "jobs"), "PYTHONPATH": str(ROOT)}


def _wait(condition: Any, what: str, deadline: float, workers: list[subprocess.Popen[bytes]]) -> None:
    while not condition():
        for w in workers:
            if w.poll() is not None:
                raise AssertionError(f"a worker exited early (code {w.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_two_redis_workers_run_every_export_exactly_once(world: Any, redis_db: Any, tmp_path: Path) -> None:
    from rq import Worker
    from rq.job import Job as RQJob
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    env = _process_env(tmp_path)
    for n in range(6):
        factories.SchoolFactory(name=f"甲市第{n + 3}职业学校", school_code=f"41410001{n + 10}")
    owner = world.bureau_admin
    deadline = time.monotonic() + TIMEOUT
    logs = [open(tmp_path / f"{name}.log", "wb") for name in WORKERS]  # noqa: SIM115 (closed below)
    workers = [subprocess.Popen([sys.executable, "manage.py", "rqworker", "default", "--job-class",
                                 "django_tasks_rq.Job", "--name", name], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
               for name, log in zip(WORKERS, logs, strict=True)]
    try:
        # Both workers listen before the first job is queued, so neither can drain the queue alone.
        _wait(lambda: {w.name for w in Worker.all(connection=redis_db)} >= set(WORKERS), "both workers to register",
              deadline, workers)
        subprocess.run([sys.executable, "manage.py", "shell", "-c", ENQUEUE], cwd=ROOT, check=True, timeout=TIMEOUT,
                       env={**env, "EXPORT_OWNER": str(owner.pk), "EXPORT_JOBS": str(JOBS)})
        assert Job.objects.filter(kind="export").count() == JOBS
        _wait(lambda: not Job.objects.exclude(status__in=Job.FINISHED).exists() and
              FinishedJobRegistry("default", connection=redis_db).count + FailedJobRegistry(
                  "default", connection=redis_db).count >= JOBS, "every job to finish", deadline, workers)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)  # RQ's warm shutdown: the current job ends first
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
        for log in logs:
            log.close()
    output = "\n".join((tmp_path / f"{name}.log").read_text(errors="replace")[-3000:] for name in WORKERS)

    jobs = list(Job.objects.filter(kind="export").order_by("pk"))
    assert [(j.status, j.progress, j.rows) for j in jobs] == [("succeeded", 100, 7)] * JOBS, output
    assert all(j.result_file and (tmp_path / "jobs" / j.result_file).is_file() for j in jobs)
    # RQ: every queued job finished once — one execution result each, none failed or left queued.
    assert FailedJobRegistry("default", connection=redis_db).count == 0, output
    finished = FinishedJobRegistry("default", connection=redis_db).get_job_ids()
    executions: Counter[int] = Counter()
    ran_on: Counter[str] = Counter()
    for rq_id in finished:
        rq_job = RQJob.fetch(rq_id, connection=redis_db)
        results = rq_job.results()
        assert len(results) == 1, f"{rq_id} ran {len(results)} times"
        assert rq_job.timeout == 3600  # settings.RQ_QUEUES: not RQ's 180 s, which would kill a large import
        executions[rq_job.args[0]] += 1
        ran_on[results[0].worker_name] += 1
    assert executions == Counter({j.pk: 1 for j in jobs})
    # Both workers did work (their split varies from run to run).
    assert set(ran_on) == set(WORKERS) and sum(ran_on.values()) == JOBS, ran_on
    # The database's own record of each run: started once, one export event, each by the task.
    for job in jobs:
        assert [(c.source, c.target) for c in job.status_history().order_by("id")] == [
            ("queued", "running"), ("running", "succeeded")]
    events = Counter(e.changes["job"] for e in AuditEvent.objects.filter(action="export"))
    assert events == Counter({j.pk: 1 for j in jobs})
    assert set(AuditEvent.objects.filter(action="export").values_list("source", flat=True)) == {"task:export"}
