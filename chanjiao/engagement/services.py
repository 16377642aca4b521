"""What the matching cycle's pages and jobs do with its records (no view holds domain logic)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from chanjiao.core.scoping import unscoped
from chanjiao.engagement.models import Agreement, AgreementStatus


def duplicate_agreement(instance: Agreement, data: dict[str, Any]) -> Agreement | None:
    """An agreement already recorded with the same kind, start date and parties (None if none)."""
    schools = {s.pk for s in data.get("schools") or ()}
    enterprises = {e.pk for e in data.get("enterprises") or ()}
    if not (schools and enterprises and data.get("kind") and data.get("start")):
        return None
    # Over every agreement, seen or not: a duplicate is one whoever recorded it.
    with unscoped("a duplicate agreement is refused whoever recorded the first one"):
        candidates = (Agreement.objects.filter(kind=data["kind"], start=data["start"])
                      .exclude(pk=instance.pk).prefetch_related("schools", "enterprises"))
        for other in candidates:
            if ({s.pk for s in other.schools.all()} == schools
                    and {e.pk for e in other.enterprises.all()} == enterprises):
                return other
    return None


def expiring(queryset: QuerySet[Agreement], days: int, today: dt.date | None = None) -> QuerySet[Agreement]:
    """Agreements in force (or signed) whose term ends within ``days`` days from ``today``."""
    today = today or timezone.localdate()
    live = Q(status__in=(AgreementStatus.SIGNED, AgreementStatus.IN_FORCE))
    return queryset.filter(live, end__gte=today, end__lte=today + dt.timedelta(days=days))


def expire_agreements(today: dt.date | None = None) -> int:
    """Move every agreement whose term has ended to 已到期 — the system's transition, with history."""
    today = today or timezone.localdate()
    with unscoped("the scheduled expiry looks at every agreement"):
        due = list(Agreement.objects.filter(status__in=(AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
                                            end__lt=today).order_by("end", "id"))
    for agreement in due:
        agreement.set_status("expire", by=None, note=f"协议期限已于 {agreement.end:%Y-%m-%d} 届满")
    return len(due)
