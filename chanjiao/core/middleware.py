"""Request context for the audit log, and deny-by-default authentication (AC-01)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse

from chanjiao.core import audit
from chanjiao.core.scoping import get_scope, unscoped
from chanjiao.core.types import Request, User

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The peer address; X-Forwarded-For only behind a configured number of trusted proxies (AU-02)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded: list[str] = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    peer: str | None = request.META.get("REMOTE_ADDR") or None
    return peer


class RequestContextMiddleware:
    """Gives each request an id and attributes every write inside it to the signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: Request) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        with unscoped("the signed-in user and their roles: authentication precedes any scope"):
            token = audit.set_context(context_for(request))
        try:
            response = self.get_response(request)
        finally:
            audit.reset_context(token)
        response["X-Request-ID"] = request.request_id
        return response


def context_for(request: HttpRequest, user: User | None = None, source: str = "web") -> audit.AuditContext:
    user = user if user is not None else getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    return audit.AuditContext(
        actor_id=user.pk if authenticated else None,  # type: ignore[union-attr]
        actor_username=user.get_username() if authenticated else "",  # type: ignore[union-attr]
        roles=",".join(sorted(get_scope(user).roles)) if authenticated else "",
        request_id=getattr(request, "request_id", ""),
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        source=source,
    )


class DenyByDefaultMiddleware(LoginRequiredMiddleware):
    """Every view needs a signed-in user unless marked ``login_not_required``.

    The API is exempt here because django-ninja authenticates it (token or session) and answers 401.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PasswordChangeRequiredMiddleware:
    """An account created with an initial password must set its own before doing anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import redirect
        from django.urls import reverse

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("accounts:password_change"), reverse("accounts:logout"), settings.STATIC_URL, "/api/")
            if not request.path.startswith(allowed):
                return redirect("accounts:password_change")
        return self.get_response(request)


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie).

    The browser's Accept-Language is ignored on purpose: many office machines run an English
    browser, and the platform's users expect the Chinese interface.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the previous language afterwards, so nothing leaks to the next request.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
