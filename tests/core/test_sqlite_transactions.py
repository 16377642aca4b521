"""Request transactions (issue 6, point 21): reads never hold SQLite's write lock, writes still
run in one IMMEDIATE transaction, PostgreSQL keeps one transaction per request.

The views below are served through the real middleware stack (ROOT_URLCONF points at this
module). The two-connection tests run each client in its own thread with its own connection to a
WAL SQLite file, opened with the project's own connection settings.
"""

from __future__ import annotations

import copy
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from chanjiao.core.db import request_needs_transaction

SQLITE = connection.vendor == "sqlite"
only_sqlite = pytest.mark.skipif(not SQLITE, reason="SQLite's single write lock")

# ---- views under test -------------------------------------------------------------------------

seen: dict[str, Any] = {}
events: dict[str, threading.Event] = {}


@login_not_required
@csrf_exempt
def probe(request: HttpRequest) -> HttpResponse:
    seen["in_atomic_block"] = connections["default"].in_atomic_block
    return HttpResponse("ok")


def _new_session_row() -> None:
    Session.objects.create(session_key=uuid.uuid4().hex, session_data="", expire_date=timezone.now() + timedelta(1))


@login_not_required
@csrf_exempt
def write_then_crash(request: HttpRequest) -> HttpResponse:
    _new_session_row()
    raise RuntimeError("boom after a write")


@login_not_required
@csrf_exempt
def write_then_deny(request: HttpRequest) -> HttpResponse:
    _new_session_row()
    raise PermissionDenied


@login_not_required
def slow_read(request: HttpRequest) -> HttpResponse:
    """A page view that reads, then takes its time (as a big list page does) before reading again."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT count(*) FROM t")
        events["reader_inside"].set()
        events["written"].wait(5)
        cur.execute("SELECT count(*) FROM t")
        (count,) = cur.fetchone()
    return HttpResponse(str(count))


@login_not_required
@csrf_exempt
def read_then_write(request: HttpRequest) -> HttpResponse:
    """A form post that reads (validation, scope check) and then writes."""
    first = request.GET.get("who") == "first"
    with connections["default"].cursor() as cur:
        cur.execute("SELECT count(*) FROM t")
        if first:
            events["first_read"].set()
            events["second_read"].wait(1.0)  # never comes while the first holds the write lock
        else:
            events["second_read"].set()
        cur.execute("INSERT INTO t (x) VALUES (%s)", [request.GET.get("who")])
    return HttpResponse("saved")


urlpatterns = [
    path("probe/", probe),
    path("crash/", write_then_crash),
    path("deny/", write_then_deny),
    path("slow-read/", slow_read),
    path("read-then-write/", read_then_write),
]


@pytest.fixture
def urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


# ---- the policy -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "get"])
def test_safe_methods_run_without_a_transaction_on_sqlite(method: str) -> None:
    assert request_needs_transaction(method, "sqlite") is False


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unsafe_methods_run_in_a_transaction_on_sqlite(method: str) -> None:
    assert request_needs_transaction(method, "sqlite") is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_request_runs_in_a_transaction_on_postgresql(method: str) -> None:
    assert request_needs_transaction(method, "postgresql") is True


# ---- the policy as the middleware stack applies it ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_get_runs_outside_a_transaction_on_sqlite_and_inside_one_on_postgresql(urls: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/probe/").status_code == 200
    # SQLite: no request-wide transaction, so no BEGIN IMMEDIATE. PostgreSQL: unchanged.
    assert seen["in_atomic_block"] is (not SQLITE)
    if SQLITE:
        assert not any(q["sql"].upper().startswith("BEGIN") for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_post_runs_in_one_immediate_transaction(urls: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert Client().post("/probe/").status_code == 200
    assert seen["in_atomic_block"] is True
    if SQLITE:
        assert queries.captured_queries[0]["sql"] == "BEGIN IMMEDIATE"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("url", "status"), [("/crash/", 500), ("/deny/", 403)])
def test_a_failed_post_rolls_back_its_writes(urls: None, url: str, status: int) -> None:
    response = Client(raise_request_exception=False).post(url)
    assert response.status_code == status
    assert Session.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_get_that_writes_commits_its_write(urls: None) -> None:
    """No request transaction on SQLite GETs, but their own writes (export event, session) still land."""
    assert Client(raise_request_exception=False).post("/crash/").status_code == 500
    assert Session.objects.count() == 0
    # Same view, safe method: the write was done before the crash, outside any request transaction
    # on SQLite (committed); inside the request transaction on PostgreSQL (rolled back).
    assert Client(raise_request_exception=False).get("/crash/").status_code == 500
    assert Session.objects.count() == (1 if SQLITE else 0)


# ---- two real connections on a WAL SQLite file -------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path, urls: None) -> Any:
    """A WAL database file and a factory of connections to it with the project's settings."""
    db_file = tmp_path / "two.sqlite3"
    base = copy.deepcopy(connections["default"].settings_dict)
    base["NAME"] = str(db_file)

    def wrapper(timeout: float, transaction_mode: str | None = None) -> SQLiteWrapper:
        settings_dict = copy.deepcopy(base)
        settings_dict["OPTIONS"]["timeout"] = timeout
        if transaction_mode:
            settings_dict["OPTIONS"]["transaction_mode"] = transaction_mode
        return SQLiteWrapper(settings_dict, alias="default")

    setup = wrapper(5)
    with setup.cursor() as cur:
        cur.execute("CREATE TABLE t (x TEXT)")
    setup.close()
    events.clear()
    for name in ("reader_inside", "written", "first_read", "second_read"):
        events[name] = threading.Event()
    return wrapper


def _in_thread(make_conn: Any, work: Any, out: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        conn = make_conn()  # a connection belongs to the thread that opens it
        connections["default"] = conn  # thread-local: only this thread's requests use the file
        try:
            out[key] = work()
        except Exception as exc:  # reported by the test's assertion
            out[key] = exc
        finally:
            conn.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_page_view_does_not_block_a_concurrent_write(sqlite_file: Any) -> None:
    out: dict[str, Any] = {}
    reader = _in_thread(lambda: sqlite_file(timeout=5), lambda: Client().get("/slow-read/"), out, "read")
    assert events["reader_inside"].wait(5)

    def write() -> str:
        # A short lock wait: with a read holding the write lock this fails "database is locked".
        with transaction.atomic(), connections["default"].cursor() as cur:
            cur.execute("INSERT INTO t (x) VALUES ('w')")
        events["written"].set()
        return "written"

    writer = _in_thread(lambda: sqlite_file(timeout=0.5), write, out, "write")
    writer.join(10)
    events["written"].set()
    reader.join(10)
    assert out["write"] == "written"
    assert out["read"].status_code == 200


def _two_read_then_write_posts(sqlite_file: Any, transaction_mode: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def post(who: str) -> Any:
        return Client(raise_request_exception=False).post(f"/read-then-write/?who={who}")

    first = _in_thread(lambda: sqlite_file(10, transaction_mode), lambda: post("first"), out, "first")
    assert events["first_read"].wait(5)
    second = _in_thread(lambda: sqlite_file(10, transaction_mode), lambda: post("second"), out, "second")
    first.join(15)
    second.join(15)
    return out


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_that_read_then_write_both_succeed(sqlite_file: Any) -> None:
    out = _two_read_then_write_posts(sqlite_file, None)  # the project's transaction mode
    assert (out["first"].status_code, out["second"].status_code) == (200, 200)
    check = sqlite_file(5)
    with check.cursor() as cur:
        cur.execute("SELECT x FROM t ORDER BY rowid")
        assert [r[0] for r in cur.fetchall()] == ["first", "second"]
    check.close()


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_control_the_same_posts_fail_when_transactions_begin_deferred(sqlite_file: Any) -> None:
    """Why writes must begin IMMEDIATE: the scenario above is a real race, not a formality."""
    out = _two_read_then_write_posts(sqlite_file, "DEFERRED")
    # Whichever writes second holds a stale snapshot and is refused ("database is locked").
    assert sorted([out["first"].status_code, out["second"].status_code]) == [200, 500]
