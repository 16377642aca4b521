"""Template helpers of the audit trail."""

from __future__ import annotations

from typing import Any

from django import template

from chanjiao.core.types import User

register = template.Library()


@register.filter
def history_visible(obj: Any, user: User) -> bool:
    """``{% if object|history_visible:request.user %}``: the same rule as the history page."""
    from chanjiao.core.models import history_rule

    return history_rule(user, obj) is not None
