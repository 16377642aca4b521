"""Read-heavy statistics on a read replica (issue #8 point 6).

With ``DATABASE_REPLICA_URL`` set (settings.py), the database alias ``replica`` names a PostgreSQL
hot standby and ``ReplicaRouter`` is installed. It sends a read to the replica only inside
``reading_from_replica()`` — entered by ``core.figures.evaluate`` around its counting queries, the
``COUNT``/``GROUP BY`` scans over every organisation that dominate the dashboard's cost — and sends
everything else, every write included, to ``default``.

Why only there: a standby lags its primary (milliseconds, more under load), so a read that must see
the request's own writes, or anyone's latest write (a form's re-display, a workflow's guard, an
import's key lookups), stays on the primary. A statistic may be a moment old. Who-may-see-what never
may: the grants and sessions (``accounts``, ``auth``, ``sessions``, ``axes``) are read on the primary
even inside the context (in a request, the scope is resolved by the middleware before any view).
Nor may the reads that serve a write (an audited save's "before" row, the audit hash-chain head): a
read inside a transaction opened on ``default`` after the block began, and every read after a write
inside the block, goes to the primary. (Audited saves, status changes and imports all write in
``transaction.atomic``.) Statistics write nothing, so for them none of this ever applies.

Without ``DATABASE_REPLICA_URL`` there is no ``replica`` alias and no router: every query runs on
``default`` exactly as before; the context is then a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"
# Authorisation state: never a moment old, even for a statistic.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "axes"})



class _Block:
    """One ``reading_from_replica()`` block: the primary's transaction depth at its start, and whether
    a write was routed inside it."""

    def __init__(self) -> None:
        self.depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)
        self.written = False

    def allows_replica(self) -> bool:
        return not self.written and len(connections[DEFAULT_DB_ALIAS].atomic_blocks) <= self.depth


_block: ContextVar[_Block | None] = ContextVar("chanjiao_replica_block", default=None)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads in this block may be served by the replica (when one is configured): statistics only."""
    token = _block.set(_Block())
    try:
        yield
    finally:
        _block.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """``replica`` for the reads of ``reading_from_replica()`` blocks, ``default`` for all else."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        block = _block.get()
        if (block is not None and replica_configured() and model._meta.app_label not in PRIMARY_ONLY_APPS
                and block.allows_replica()):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        block = _block.get()
        if block is not None:
            block.written = True  # the rest of the block may read what was just written
        # Explicit: Django's fallback would write an object back to the alias it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read there may be related to one read here.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A standby replays the primary's WAL, schema included; it is never migrated itself.
        return db != REPLICA
