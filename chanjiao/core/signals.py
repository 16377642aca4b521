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
    audit.record_security("login_locked", outcome="failure", username=username or "",
                          message=f"ip={ip_address}")
