"""Types core's public functions take, for annotations only.

core imports no app above it (tests/test_layering.py), so it cannot name ``accounts.User``: a user
is what ``request.user`` holds — Django's ``AbstractBaseUser`` (accounts.User is one) or the
anonymous user. ``Request`` is the ``HttpRequest`` our middleware stack leaves behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django_htmx.middleware import HtmxDetails

# A string: AnonymousUser lives in django.contrib.auth.models, which needs the app registry.
User: TypeAlias = "AbstractBaseUser | AnonymousUser"


class Request(HttpRequest):
    """``HttpRequest`` with what middleware adds: django-htmx's ``htmx`` and core's ``request_id``."""

    htmx: HtmxDetails
    request_id: str
