"""Refused access is a security event (AU-01; issue #7 gap 1), rate-limited against crawlers.

A view that refuses — out of scope → 404, not allowed → 403, pages and API alike — answers with
that status; this middleware turns each such answer on a *resolved* URL into an ``access_denied``
event (object type and id from the URL, path, method, status). A URL that matches no route is no
scoping refusal and is not recorded.

Rate limit: at most ``ACCESS_DENIED_EVENTS_PER_MINUTE`` (default 20) events per actor (user, or IP
when anonymous) and minute; the refusals beyond are counted, and the actor's next recorded refusal
in a later minute is preceded by one ``access_denied_suppressed`` event carrying the count. The
counters live in Django's cache: the default local-memory cache is per process, so with N worker
processes the bound is N × the limit — acceptable for its purpose (keep the log readable), and a
shared cache (Redis) in CACHES makes it exact.

Placed after ``RequestContextMiddleware`` (the event names the actor and request id) and before
``RequestTransactionMiddleware`` (the event survives the view's rollback).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from chanjiao.core import audit
from chanjiao.core.middleware import client_ip, context_for
from chanjiao.core.types import User

DEFAULT_PER_MINUTE = 20
REFUSED = frozenset({403, 404})
_KEY = "chanjiao:denials"
_offset = 0  # minutes added to the clock (tests only: advance_window_for_tests)


def _minute() -> int:
    return int(time.time() // 60) + _offset


def advance_window_for_tests() -> None:
    """Move the rate-limit clock one minute on (tests only)."""
    global _offset
    _offset += 1


def _object_of(request: HttpRequest) -> tuple[str, str]:
    """(app.model, pk) named by the URL: generic pages are ``app:model_action`` with ``pk``."""
    match = request.resolver_match
    if match is None:
        return "", ""
    kwargs = match.kwargs or {}
    object_id = str(kwargs.get("pk", kwargs.get("id", "")))
    namespace = match.namespace or ""
    url_name = match.url_name or ""
    if request.path.startswith("/api/"):
        return f"api:{url_name}", object_id
    model = url_name.rsplit("_", 1)[0] if "_" in url_name else url_name
    return (f"{namespace}.{model}" if namespace else model), object_id


def _actor_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u{user.pk}"
    return f"ip{client_ip(request) or '-'}"


def _record(request: HttpRequest, response: HttpResponse) -> None:
    limit = int(getattr(settings, "ACCESS_DENIED_EVENTS_PER_MINUTE", DEFAULT_PER_MINUTE))
    actor = _actor_key(request)
    minute = _minute()
    key = f"{_KEY}:{actor}:{minute}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        return  # counted; summarised with the actor's next recorded refusal
    object_type, object_id = _object_of(request)
    details = {"path": request.path, "method": request.method, "status": response.status_code}
    if count == 1:
        # The first refusal of a new minute: report what the last throttled minute swallowed.
        last = cache.get(f"{_KEY}:{actor}:last")
        if last is not None and last[0] != minute:
            suppressed = (cache.get(f"{_KEY}:{actor}:{last[0]}") or 0) - limit
            if suppressed > 0:
                audit.record_security("access_denied_suppressed", outcome="failure",
                                      details={"suppressed": suppressed, "minute": last[0] * 60, "limit": limit})
        cache.set(f"{_KEY}:{actor}:last", (minute,), timeout=3600)
    event_ctx = audit.current_context()
    if not event_ctx.actor_id and getattr(request, "auth", None) is not None:
        # API token requests: the user is known only to the API's auth, not to the session middleware.
        user = request.auth  # type: ignore[attr-defined]
        if getattr(user, "is_authenticated", False):
            with audit.audit_context(**_ctx_values(request, user)):
                _write(object_type, object_id, details)
            return
    _write(object_type, object_id, details)


def _ctx_values(request: HttpRequest, user: User) -> dict[str, Any]:
    ctx = context_for(request, user, source="api")
    return {k: getattr(ctx, k) for k in ("actor_id", "actor_username", "roles", "request_id", "ip", "user_agent",
                                         "source")}


def _write(object_type: str, object_id: str, details: dict[str, Any]) -> None:
    audit._event("access_denied", category="security", object_type=object_type,
                 object_id=audit.clean_text(object_id, 64), outcome="failure", changes=details).save()


class AccessDeniedMiddleware:
    """Writes an ``access_denied`` security event for every 403/404 a routed view answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED and getattr(request, "resolver_match", None) is not None:
            _record(request, response)
        return response
