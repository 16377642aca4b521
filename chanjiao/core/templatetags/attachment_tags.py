"""``{% attachment_card ui object as card %}``: the 附件 card's rows and form, scoped to the viewer."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def attachment_card(context: Any, ui: Any, obj: Any) -> dict[str, Any]:
    from chanjiao.core.attachment_views import card_context

    return card_context(ui, obj, context["request"].user)
