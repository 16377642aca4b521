"""Which requests run in one database transaction, and how it begins (issue 6, point 21).

SQLite has a single write lock per database file. The connection opens every transaction with
``BEGIN IMMEDIATE`` (settings: ``OPTIONS["transaction_mode"]``), which takes that lock at the start:
a read that later writes can then never fail with "database is locked" half-way through, it waits
for the lock up front instead. With ``ATOMIC_REQUESTS`` every request was such a transaction, so
every page view — reads included — held the write lock for its whole duration and requests ran one
at a time across all workers.

The policy here, on SQLite:

* unsafe methods (POST, PUT, PATCH, DELETE) run in one ``BEGIN IMMEDIATE`` transaction, as before:
  a view that raises (scoping re-check → PermissionDenied, audit failure, any error) rolls back whole;
* safe methods (GET, HEAD, OPTIONS, TRACE) run in autocommit, with no request-wide transaction.
  WAL readers never wait for the writer. The few writes a safe request does (the export security
  event, the session's idle-timeout refresh) open their own ``transaction.atomic()``, which begins
  ``IMMEDIATE`` and waits for the lock like any other write.

Why not a DEFERRED read transaction for safe requests: inside it, a write (even a savepoint) has
to upgrade a read snapshot to the write lock, and SQLite refuses that at once ("database is
locked", no busy wait) when another connection committed since the snapshot was taken. Autocommit
has no such upgrade. The cost: the queries of one page (count, page of rows) may see different
committed states — harmless for a page that is re-read on every view.

PostgreSQL is unchanged: ``ATOMIC_REQUESTS`` stays on (every request one transaction); its
readers never block writers, so there is nothing to gain there.

``REQUEST_TRANSACTIONS=legacy`` in the environment restores ``ATOMIC_REQUESTS`` on SQLite too; it
exists for the before/after load test in ``benchmarks/load_sqlite.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse

from chanjiao.core.db_router import REPLICA

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def request_needs_transaction(method: str, vendor: str) -> bool:
    """Whether a request with this method runs in one transaction on a database of this vendor."""
    if vendor != "sqlite":
        return True
    return method.upper() not in SAFE_METHODS


def transaction_aliases(method: str) -> list[str]:
    """The databases this middleware opens a request transaction on (those without ATOMIC_REQUESTS)."""
    aliases = []
    for alias in settings.DATABASES:
        if alias == REPLICA:
            continue  # read-only statistics (core/db_router.py): nothing to roll back, no connection to open
        conn = connections[alias]
        if conn.settings_dict.get("ATOMIC_REQUESTS"):
            continue  # Django's own per-view transaction already covers this database
        if request_needs_transaction(method, conn.vendor):
            aliases.append(alias)
    return aliases


class RequestTransactionMiddleware:
    """One transaction per unsafe request on SQLite; none for safe requests (see module docstring).

    Place it last in MIDDLEWARE so it wraps the view (and its template rendering) like
    ``ATOMIC_REQUESTS`` does. Exceptions raised by the view are turned into responses by Django
    before they reach ``__call__``, so ``process_exception`` marks the transaction for rollback.
    Unlike ``ATOMIC_REQUESTS`` it opens the transaction before the URL is resolved, so it does not
    honour ``@transaction.non_atomic_requests`` (no view uses it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        aliases = transaction_aliases(request.method or "GET")
        request._transaction_aliases = aliases  # type: ignore[attr-defined]
        if not aliases:
            return self.get_response(request)
        with ExitStack() as stack:
            for alias in aliases:
                stack.enter_context(transaction.atomic(using=alias))
            response = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        self._rollback(getattr(request, "_transaction_aliases", []))

    @staticmethod
    def _rollback(aliases: list[str]) -> None:
        for alias in aliases:
            if connections[alias].in_atomic_block:
                transaction.set_rollback(True, using=alias)
