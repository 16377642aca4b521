"""``{% workflow_card ui object as wf %}``: the 状态 card's transitions and history for the viewer."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def workflow_card(context: Any, ui: Any, obj: Any) -> dict[str, Any] | None:
    from chanjiao.core.workflow_views import card_context

    return card_context(ui, obj, context["request"].user)
