"""AC-01: every route needs a signed-in user except an explicit allowlist.

The URLconf is walked, so a route added tomorrow is tested tomorrow without anyone writing a test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Routes an anonymous visitor may reach. Keep this list short and say why.
ALLOWLIST = {
    "accounts/login/",  # the way in
    "health/",  # load-balancer probe, answers {"status": "ok"} only
}

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_FILL = {"int": "1", "str": "1", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    routes: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _routes() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def _url(route: str) -> str:
    assert not route.startswith("^"), f"regex routes need a filler: {route}"
    return "/" + _PARAM.sub(lambda m: _FILL[m.group("converter") or "str"], route)


PROTECTED = [r for r in _routes() if r not in ALLOWLIST]


def test_the_walk_finds_the_routes_we_know() -> None:
    for route in ("", "audit/", "api/openapi.json", "api/docs", "api/orgs/schools/", "accounts/user/add/"):
        assert route in PROTECTED
    assert set(ALLOWLIST) <= set(_routes()), "allowlisted route no longer exists: drop it from ALLOWLIST"


# django-ninja's root view answers 404 unless DEBUG: it serves nothing, to nobody.
NOT_FOUND_FOR_EVERYONE = {"api/"}


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED)
def test_anonymous_is_refused(route: str) -> None:
    client = Client()
    url = _url(route)
    api = route.startswith("api/")
    refused = 0
    for method in ("get", "post", "patch", "delete", "put"):
        response = getattr(client, method)(url)
        if response.status_code == 405 or (route in NOT_FOUND_FOR_EVERYONE and response.status_code == 404):
            continue  # the route does not take this method: nothing to protect
        refused += 1
        if api:
            assert response.status_code == 401, (method, url, response.status_code)
            assert response["Content-Type"].startswith("application/json")
            assert "detail" in response.json()
        else:
            # Pages: the deny-by-default middleware sends anonymous visitors to the sign-in page.
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), (method, url, response["Location"])
    assert refused or route in NOT_FOUND_FOR_EVERYONE, f"{url} answered no method at all"


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ALLOWLIST))
def test_allowlisted_routes_answer_anonymous(route: str) -> None:
    assert Client().get(_url(route)).status_code == 200
