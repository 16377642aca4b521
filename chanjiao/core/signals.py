"""Security events: logins, failed logins, lockouts, logouts (AU-01)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from chanjiao.core import audit
from chanjiao.core.middleware import context_for


def _with_request(request: Any, user: Any = None) -> Any:
    return audit.set_context(context_for(request, user)) if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    token = _with_request(request, user)
    try:
        audit.record_security("login", obj=user)
    finally:
        if token is not None:
            audit.reset_context(token)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    token = _with_request(request, user)
    try:
        audit.record_security("logout", obj=user)
    finally:
        if token is not None:
            audit.reset_context(token)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The username is recorded as typed (escaped); whether it exists is never revealed to the client.
    audit.record_security("login_failed", outcome="failure", username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None = None, ip_address: str | None = None,
                **kwargs: Any) -> None:
    # axes signals every refused attempt while the lock lasts; the lock itself is one "login_locked"
    # event (ID-06), the attempts made during it are "login_blocked".
    message = f"ip={ip_address}"
    action = "login_blocked" if _locked_since_cooloff(username or "", message) else "login_locked"
    audit.record_security(action, outcome="failure", username=username or "", message=message)


def _locked_since_cooloff(username: str, message: str) -> bool:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from chanjiao.core.models import AuditEvent

    cooloff = settings.AXES_COOLOFF_TIME
    if not isinstance(cooloff, timedelta):
        return False
    return AuditEvent.objects.filter(action="login_locked", actor_username=audit.clean_text(username, 150),
                                     message=message, created_at__gte=timezone.now() - cooloff).exists()
