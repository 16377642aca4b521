"""Template tags of the matching cycle's detail pages (the page's user decides what is counted)."""

from __future__ import annotations

from typing import Any

from django import template

from chanjiao.engagement.services import plan_fulfilment as _plan_fulfilment

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_fulfilment(context: dict[str, Any], plan: Any) -> list[dict[str, Any]]:
    """Planned vs held per committee of ``plan``, as the signed-in user may see it."""
    return _plan_fulfilment(plan, context["request"].user)
