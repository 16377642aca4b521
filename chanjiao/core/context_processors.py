"""The left navigation, built from the registered model views and the user's scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chanjiao.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from chanjiao.core.roles import Role
    from chanjiao.core.scoping import get_scope

    # Once per request: every {% render_table %} renders its own template with the context processors
    # again, and the menu asks visible_to() of every page (~450 ms a detail page for a city bureau).
    cached = getattr(request, "_chanjiao_navigation", None)
    if cached is None or cached[0] is not user:
        roles = "、".join(str(Role(r).label) for r in sorted(get_scope(user).roles))
        cached = (user, {"nav_menu": menu_for(request), "user_roles_display": roles})
        request._chanjiao_navigation = cached  # type: ignore[attr-defined]
    return cached[1]
