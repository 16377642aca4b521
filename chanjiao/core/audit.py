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
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db import models


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


def record_change(action: str, obj: models.Model, before: dict | None, after: dict | None) -> None:
    """One data event (create/update/delete) for ``obj``; nothing when an update changed nothing."""
    changes = diff(before, after)
    # ``updated_at`` moves on every save; alone it is not a change worth a row.
    if action == "update" and not set(changes) - {"updated_at"}:
        return
    _event(action, category="data", obj=obj, changes=changes).save()


def record_bulk(action: str, objects: Iterable[models.Model], befores: dict[Any, dict] | None = None) -> int:
    """Data events for rows written in bulk (imports, catalog loads): one event per row, written
    with one COPY (PostgreSQL) or batched INSERTs — the audit must not be the slow part of an import."""
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
        event.changes = diff((befores or {}).get(obj.pk), after)
        events.append(event)
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
                    username: str | None = None, details: dict | None = None) -> None:
    """A security event: login, failed login, lockout, logout, export, role change, import …"""
    ctx = current_context()
    if username is not None and not ctx.actor_username:
        ctx = replace(ctx, actor_username=username)
    _event(action, category="security", obj=obj, outcome=outcome, message=message,
           changes=details or {}, ctx=ctx).save()
