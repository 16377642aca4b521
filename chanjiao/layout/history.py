"""The layout on a given day (布局历史): which offerings were live, and how many distinct majors the
city offered — computed from the offerings and their status changes, never stored.

An offering is live on day D when it was filed by D and its last status change taking effect by D
(``StatusChange.effective``: a decision's date, else the day it was recorded) did not cancel it.
The offerings list filters by the same expression (``OfferingFilterSet.live_on``), so each count
drills down to exactly its rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from chanjiao.core.workflow import StatusChange
from chanjiao.layout.models import Offering, OfferingStatus


def state_on(day: dt.date) -> Any:
    """An expression: the offering's status on ``day`` (its last change effective by then)."""
    changes = (StatusChange.objects
               .filter(content_type=ContentType.objects.get_for_model(Offering), object_id=OuterRef("pk"))
               .annotate(day=Coalesce("effective_on", TruncDate("created_at")))
               .filter(day__lte=day)
               .order_by("-day", "-created_at", "-id")
               .values("target")[:1])
    return Coalesce(Subquery(changes), Value(OfferingStatus.FILED))


def live_on(queryset: QuerySet[Offering], day: dt.date) -> QuerySet[Offering]:
    """The offerings of ``queryset`` that were live on ``day``."""
    return (queryset.filter(filed_on__lte=day).alias(state_then=state_on(day))
            .exclude(state_then=OfferingStatus.CANCELLED))


def distinct_majors() -> dict[str, Any]:
    """Aggregates: offerings, and distinct majors (a catalogue major by code, an off-catalogue one by name)."""
    return {"offerings": Count("pk"),
            "catalogue": Count("major", distinct=True),
            "off_catalogue": Count("off_catalogue_name", distinct=True, filter=Q(major__isnull=True))}


@dataclass(frozen=True)
class LayoutPoint:
    day: dt.date
    offerings: int
    majors: int


def layout_on(queryset: QuerySet[Offering], day: dt.date) -> LayoutPoint:
    """Offerings live on ``day`` and the distinct majors among them (one query)."""
    row = live_on(queryset, day).aggregate(**distinct_majors())
    return LayoutPoint(day, row["offerings"], row["catalogue"] + row["off_catalogue"])


def timeline(queryset: QuerySet[Offering], days: list[dt.date]) -> list[LayoutPoint]:
    """The layout on each of ``days`` (one query per day: a handful of year ends and review dates)."""
    return [layout_on(queryset, day) for day in days]


def by_category_on(queryset: QuerySet[Offering], day: dt.date) -> list[dict[str, Any]]:
    """Live offerings and distinct majors per 专业大类 on ``day`` (one query); off-catalogue majors
    form their own row."""
    rows: Any = (live_on(queryset, day).values("major__category_code", "major__category_name")
            .annotate(**distinct_majors()).order_by("major__category_code"))
    return [{"code": r["major__category_code"] or "", "name": r["major__category_name"] or "",
             "offerings": r["offerings"], "majors": r["catalogue"] + r["off_catalogue"]} for r in rows]


def by_cluster_on(queryset: QuerySet[Offering], day: dt.date) -> list[dict[str, Any]]:
    """Live offerings and distinct majors per school's 专业群 on ``day`` (one query; no cluster: left out)."""
    rows: Any = (live_on(queryset, day).exclude(cluster="").values("school_id", "school__name", "cluster")
                 .annotate(**distinct_majors()).order_by("school__name", "cluster"))
    return [{"school_id": r["school_id"], "school": r["school__name"], "cluster": r["cluster"],
             "offerings": r["offerings"], "majors": r["catalogue"] + r["off_catalogue"]} for r in rows]
