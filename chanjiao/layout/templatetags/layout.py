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


@register.simple_tag(takes_context=True)
def scenario_effect(context: dict[str, Any], scenario: Any) -> Any:
    from chanjiao.layout.scenarios import effect

    return effect(context["request"].user, scenario)


@register.simple_tag(takes_context=True)
def open_rounds(context: dict[str, Any]) -> Any:
    """The rounds a scenario may become the proposed decisions of (the user's visible open/reviewing rounds)."""
    from chanjiao.layout.models import ReviewRound, RoundStatus

    return list(ReviewRound.objects.visible_to(context["request"].user)
                .filter(status__in=(RoundStatus.OPEN, RoundStatus.REVIEWING)).order_by("-held_on", "id"))


@register.simple_tag(takes_context=True)
def policy_progress(context: dict[str, Any], policy: Any) -> Any:
    from django.utils import timezone

    from chanjiao.layout.policies import progress

    return progress(context["request"].user, policy, timezone.localdate())


@register.simple_tag
def posting_words(posting: Any) -> dict[str, Any]:
    """The words that decided a posting's class, with the field each came from (the detail page)."""
    from chanjiao.layout import postings

    return postings.explanation(posting)
