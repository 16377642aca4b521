"""Template tags of the layout's detail pages (the page's user decides what is shown)."""

from __future__ import annotations

from typing import Any

from django import template

from chanjiao.layout.services import submission_evidence

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence(context: dict[str, Any], submission: Any) -> list[dict[str, Any]]:
    """The figures, scores and decision beside each major of ``submission``."""
    return submission_evidence(context["request"].user, submission.pk)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
