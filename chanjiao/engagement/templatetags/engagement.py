"""Template tags of the matching cycle's detail pages (the page's user decides what is counted)."""

from __future__ import annotations

from typing import Any

from django import template

from chanjiao.engagement.fulfilment import by_committee

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_fulfilment(context: dict[str, Any], plan: Any) -> list[dict[str, Any]]:
    """Planned vs held per committee of ``plan``, as the signed-in user may see it."""
    return by_committee(context["request"].user, {"plan": str(plan.pk)})
