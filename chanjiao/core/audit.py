"""The audit trail: who changed what, when, from where — written in the same transaction.

A context variable carries the actor and request id, set by the request middleware, the API
auth, management commands (``audit_context``) and background tasks, so writes outside a request
are attributed too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db import models

# Fields whose change alone is not a data change: they move on every save or login (the login
# itself is a security event).
UNTRACKED_CHANGES = frozenset({"updated_at", "last_login", "last_used_at"})


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_username: str = ""
    roles: str = ""
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""
    source: str = "system"  # web / api / command / task / system


_context: ContextVar[AuditContext] = ContextVar("chanjiao_audit_context", default=AuditContext())  # noqa: B039 (frozen dataclass)


def current_context() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def audit_context(**values: Any) -> Iterator[AuditContext]:
    """Attribute the writes inside the block (e.g. ``audit_context(source="command:load_catalogs")``)."""
    user = values.pop("user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        from chanjiao.core.scoping import get_scope

        values.setdefault("actor_id", user.pk)
        values.setdefault("actor_username", user.get_username())
        values.setdefault("roles", ",".join(sorted(get_scope(user).roles)))
    values.setdefault("request_id", uuid.uuid4().hex)
    token = _context.set(replace(_context.get(), **values))
    try:
        yield _context.get()
    finally:
        _context.reset(token)


def set_context(ctx: AuditContext) -> Any:
    return _context.set(ctx)


def reset_context(token: Any) -> None:
    _context.reset(token)


def clean_text(value: str, limit: int = 500) -> str:
    """AU-09: no CR/LF or control characters reach a log line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)[:limit]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audited field values of ``obj`` (secrets left out, personal numbers masked)."""
    return snapshotter(type(obj))(obj)


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Mask the middle of a phone or ID number: 138****5678."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Changed fields as {field: [before, after]}; whole snapshots for create/delete."""
    if before is None:
        return {k: [None, v] for k, v in (after or {}).items()}
    if after is None:
        return {k: [v, None] for k, v in before.items()}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def object_label(model: type[models.Model] | models.Model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _event(action: str, *, category: str, obj: models.Model | None = None, changes: Any = None,
           object_type: str = "", object_id: str = "", object_repr: str = "", outcome: str = "success",
           message: str = "", ctx: AuditContext | None = None) -> Any:
    from chanjiao.core.models import AuditEvent

    ctx = ctx or current_context()
    if obj is not None:
        object_type = object_label(obj)
        object_id = str(obj.pk)
        object_repr = clean_text(str(obj), 200)
    return AuditEvent(
        category=category,
        action=action,
        outcome=outcome,
        actor_id=ctx.actor_id,
        actor_username=clean_text(ctx.actor_username, 150),
        actor_roles=ctx.roles,
        request_id=ctx.request_id,
        ip=ctx.ip,
        user_agent=clean_text(ctx.user_agent, 300),
        source=ctx.source,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=_jsonable(changes) if changes is not None else {},
        message=clean_text(message, 1000),
    )


def record_change(action: str, obj: models.Model, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """One data event (create/update/delete) for ``obj``; nothing when an update changed nothing."""
    changes = diff(before, after)
    # ``updated_at`` moves on every save, ``last_login`` on every login: alone they are no change.
    if action == "update" and not set(changes) - UNTRACKED_CHANGES:
        return
    _event(action, category="data", obj=obj, changes=changes).save()


def record_bulk(action: str, objects: Iterable[models.Model], befores: dict[Any, dict[str, Any]] | None = None,
                extra: dict[Any, dict[str, Any]] | None = None) -> int:
    """Data events for rows written in bulk (imports, catalog loads): one event per row, written
    with one COPY (PostgreSQL) or batched INSERTs — the audit must not be the slow part of an import.

    ``extra``: values beyond the row's own columns, by pk (an import's many-to-many links)."""
    from chanjiao.core import bulk
    from chanjiao.core.models import AuditEvent

    objs = list(objects)
    if not objs:
        return 0
    # One event built the canonical way, then copied per row with only the object fields changed.
    template = _event(action, category="data", obj=objs[0])
    base = {k: v for k, v in template.__dict__.items() if k != "_state"}
    snap = snapshotter(type(objs[0]))
    events = []
    for obj in objs:
        event = AuditEvent.__new__(AuditEvent)
        event.__dict__.update(base)
        event._state = models.base.ModelState()
        text = str(obj)
        event.object_id = str(obj.pk)
        event.object_repr = text[:200] if text.isprintable() else clean_text(text, 200)
        after = snap(obj) if action != "delete" else None
        if extra and after is not None and obj.pk in extra:
            after.update(extra[obj.pk])
        event.changes = diff((befores or {}).get(obj.pk), after)
        events.append(event)
    from django.db import transaction

    with transaction.atomic():
        # The chain lock is taken before the ids are drawn, so id order is chain order.
        prev = lock_chain_head()
        for event in events:
            prev = seal(event, prev)
        bulk.bulk_insert(AuditEvent, events)
    return len(events)


@functools.cache
def snapshotter(model: type[models.Model]) -> Callable[[models.Model], dict[str, Any]]:
    """``audit.snapshot`` for many rows of one model: the field plan is worked out once."""
    exclude = set(getattr(model, "audit_exclude", ()))
    masked = set(getattr(model, "audit_masked", ()))
    plan = [(f.attname, f.name in masked) for f in model._meta.concrete_fields if f.name not in exclude]
    scalar = (str, int, float, bool, type(None))

    def snap(obj: models.Model) -> dict[str, Any]:
        data = obj.__dict__
        result = {}
        for attname, is_masked in plan:
            value = data[attname] if attname in data else getattr(obj, attname)  # deferred: load it
            if is_masked and value:
                value = mask(str(value))
            result[attname] = value if type(value) in scalar else _jsonable(value)
        return result

    return snap


def record_security(action: str, *, outcome: str = "success", message: str = "", obj: models.Model | None = None,
                    username: str | None = None, details: dict[str, Any] | None = None) -> None:
    """A security event: login, failed login, lockout, logout, export, role change, import …"""
    ctx = current_context()
    if username is not None and not ctx.actor_username:
        ctx = replace(ctx, actor_username=username)
    _event(action, category="security", obj=obj, outcome=outcome, message=message,
           changes=details or {}, ctx=ctx).save()


# --- AU-07: the hash chain ---------------------------------------------------------------------------------------
#
# Each event stores ``prev_hash`` (the hash of the event before it in id order) and ``hash`` =
# HMAC-SHA256(key, prev_hash ‖ canonical content). Keyed, so that a database superuser who rewrites
# a row cannot recompute the chain after it without the application's key (settings.SECRET_KEY,
# never stored in the database). Writers serialise on one PostgreSQL advisory lock held from their
# first audit event to their commit: the "previous hash" is always the committed head, and ids are
# drawn after the lock, so id order is chain order. SQLite serialises writers by itself.

CHAIN_LOCK_KEY = 0x6368616E6A69616F  # "chanjiao" — the advisory lock id of the audit chain
HASHED_FIELDS = ("created_at", "category", "action", "outcome", "actor_id", "actor_username", "actor_roles",
                 "request_id", "ip", "user_agent", "source", "object_type", "object_id", "object_repr",
                 "changes", "message")


def _chain_keys() -> list[bytes]:
    from django.conf import settings

    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hashlib.sha256(b"chanjiao.audit-chain:" + str(s).encode()).digest() for s in secrets]


def _canonical_json(value: Any) -> Any:
    # The JSON column may give back 1.0 as 1 (PostgreSQL jsonb): integral floats hash as integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_canonical_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    return value


def canonical(event: Any) -> bytes:
    """The bytes an event's hash covers: its content fields, as they read back from the database."""
    data: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "created_at":
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        elif name == "changes":
            value = _canonical_json(json.loads(json.dumps(value, default=str)))
        data[name] = value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def event_hash(event: Any, prev_hash: str, key: bytes | None = None) -> str:
    key = key or _chain_keys()[0]
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical(event), hashlib.sha256).hexdigest()


def hash_matches(event: Any) -> bool:
    """Does the stored hash match the content (under the current key or a fallback key)?"""
    return any(hmac.compare_digest(event.hash, event_hash(event, event.prev_hash, key)) for key in _chain_keys())


def seal(event: Any, prev_hash: str) -> str:
    """Fill ``event``'s chain fields after ``prev_hash``; returns its hash (the next event's prev)."""
    from django.utils import timezone

    if event.created_at is None:
        event.created_at = timezone.now()
    # Stored as the database gives it back (an IPv6 address is normalised), so the hash is stable.
    event.ip = type(event)._meta.get_field("ip").get_prep_value(event.ip) or None
    event.prev_hash = prev_hash
    digest = event_hash(event, prev_hash)
    event.hash = digest
    return digest


def lock_chain_head() -> str:
    """Take the chain lock (PostgreSQL, until the transaction ends) and return the head's hash.

    Must be called inside ``transaction.atomic()``.
    """
    from django.db import connection

    from chanjiao.core.models import AuditEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    head = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return head or ""


# --- set-based writes (issue #7 gap 1) ---------------------------------------------------------------------------

_bulk_write: ContextVar[str | None] = ContextVar("chanjiao_bulk_write", default=None)


class UnauditedWrite(RuntimeError):
    """A set-based write on an audited model that could not name its rows, refused before writing."""


@contextlib.contextmanager
def bulk_write(reason: str) -> Iterator[None]:
    """Inside the block, ``bulk_create``/``bulk_update`` on scoped querysets write no events of their
    own: the caller promises to call ``record_bulk`` itself (importer, demo generator). ``update()``
    and ``delete()`` stay audited, and history rows stay undeletable, inside it too."""
    if not reason.strip():
        raise ValueError("bulk_write needs a reason")
    token = _bulk_write.set(reason)
    try:
        yield
    finally:
        _bulk_write.reset(token)


def bulk_write_reason() -> str | None:
    """The reason of the enclosing ``bulk_write`` block, None outside one."""
    return _bulk_write.get()
