"""What the matching cycle's pages and jobs do with its records (no view holds domain logic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chanjiao.core.scoping import unscoped
from chanjiao.engagement.models import LIVE_STATUSES, Agreement, TeacherPractice


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


def expiring_params(days: int, today: dt.date | None = None) -> dict[str, str]:
    """The agreement list's filters for "live and ending within ``days`` days from ``today``" — the one
    statement of "ends soon": the to-do panel links to the list with exactly these."""
    today = today or timezone.localdate()
    return {"live": "true", "end_after": today.isoformat(),
            "end_before": (today + dt.timedelta(days=days)).isoformat()}


def expiring(queryset: QuerySet[Agreement], days: int, today: dt.date | None = None) -> QuerySet[Agreement]:
    """Agreements in force (or signed) whose term ends within ``days`` days from ``today``."""
    from chanjiao.engagement.filters import AgreementFilterSet

    filterset = AgreementFilterSet(expiring_params(days, today), queryset=queryset)
    assert filterset.is_valid(), filterset.errors  # our own parameters
    return filterset.qs


def expire_agreements(today: dt.date | None = None) -> int:
    """Move every agreement whose term has ended to 已到期 — the system's transition, with history."""
    today = today or timezone.localdate()
    with unscoped("the scheduled expiry looks at every agreement"):
        due = list(Agreement.objects.filter(status__in=LIVE_STATUSES,
                                            end__lt=today).order_by("end", "id"))
    for agreement in due:
        agreement.set_status("expire", by=None, note=f"协议期限已于 {agreement.end:%Y-%m-%d} 届满")
    return len(due)


def recount_practice_days(teacher_ids: Iterable[int]) -> int:
    """Set ``counted_days`` on every practice record of these teachers: the days of the record that
    none of the teacher's earlier records (by start, then id) already covers. Summed over any set of
    a teacher's records it never counts a day twice. Returns the number of records changed.

    A write-time upkeep over a teacher's handful of records (not an aggregation for a page)."""
    changed: list[TeacherPractice] = []
    rows = (TeacherPractice._base_manager.filter(teacher_id__in=set(teacher_ids))
            .order_by("teacher_id", "start", "id").only("id", "teacher_id", "start", "end", "counted_days"))
    teacher, covered_to = None, None
    for row in rows:
        if row.teacher_id != teacher:
            teacher, covered_to = row.teacher_id, None
        first = row.start if covered_to is None else max(row.start, covered_to + dt.timedelta(days=1))
        counted = max(0, (row.end - first).days + 1)
        covered_to = row.end if covered_to is None else max(covered_to, row.end)
        if row.counted_days != counted:
            row.counted_days = counted
            changed.append(row)
    # A derived column: no audit event of its own (the record's save or import carries one).
    TeacherPractice._base_manager.bulk_update(changed, ["counted_days"], batch_size=1000)
    return len(changed)
