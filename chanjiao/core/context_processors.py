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

    roles = "、".join(str(Role(r).label) for r in sorted(get_scope(user).roles))
    return {"nav_menu": menu_for(request), "user_roles_display": roles}
