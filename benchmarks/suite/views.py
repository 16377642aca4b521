"""The minimal Django views the page and API benchmarks compare against: the same rows and count as
our pages, fetched with the plain ORM (scoped by ``visible_to``, which every view must do) and
returned as JSON — no FilterSet, no table, no template, no menu. Routed only in the harness process
(``urlpatterns`` below include the platform's own, so our pages answer as usual beside them).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

ENTERPRISE_FIELDS = ("id", "name", "uscc", "industry__code", "industry__name", "size", "ownership", "headcount",
                     "is_leading", "integration_status")
RELATED_ROWS = 50  # what the detail page shows per tab (chanjiao/core/display.py)


def enterprise_rows(request: HttpRequest) -> JsonResponse:
    """One list page of enterprises (by name), optionally by industry + county or a search, with the count."""
    from chanjiao.orgs.models import Enterprise

    rows = Enterprise.objects.visible_to(request.user)
    if request.GET.get("industry"):
        rows = rows.filter(industry_id=int(request.GET["industry"]))
    if request.GET.get("region"):
        rows = rows.filter(region_id=int(request.GET["region"]))
    if q := request.GET.get("q", "").strip():
        rows = rows.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(uscc__icontains=q))
    page = max(1, int(request.GET.get("page", 1)))
    size = int(request.GET.get("page_size", 25))
    ordered = rows.order_by("name", "id")  # as our list page (the Enterprise proxy's ordering)
    # Counted as the list counts (core/pagination.py): up to the cap, the scan stopping there.
    from chanjiao.core.pagination import count_cap

    return JsonResponse({"count": min(rows.order_by()[:count_cap() + 1].count(), count_cap()),
                         "results": list(ordered.values(*ENTERPRISE_FIELDS)[(page - 1) * size:page * size])})


def enterprise_detail(request: HttpRequest, pk: int) -> JsonResponse:
    """One enterprise and the related rows its detail page shows (first 50 of each, with counts)."""
    from chanjiao.orgs.models import BoardSeat, CommitteeMembership, Contact, Enterprise, GuidanceMember

    org = Enterprise.objects.visible_to(request.user).filter(pk=pk).values(
        *ENTERPRISE_FIELDS, "short_name", "address", "website", "region__code", "region__name",
        "headcount_date", "established").first()
    related: dict[str, Any] = {}
    for label, model, fields in (
            ("contacts", Contact, ("id", "name", "title", "phone", "email", "is_primary")),
            ("committees", CommitteeMembership, ("id", "committee__name", "role", "joined", "left")),
            ("guidance", GuidanceMember, ("id", "committee__name", "person_name", "person_title")),
            ("board", BoardSeat, ("id", "term__group__name", "term__number", "role", "person_name"))):
        rows = model.objects.visible_to(request.user).filter(organisation_id=pk)
        related[label] = {"count": rows.count(), "rows": list(rows.order_by("id").values(*fields)[:RELATED_ROWS])}
    return JsonResponse({"enterprise": org, **related}, json_dumps_params={"default": str})


urlpatterns = [
    path("_bench/enterprises/", enterprise_rows),
    path("_bench/enterprises/<int:pk>/", enterprise_detail),
    path("", include("chanjiao.urls")),
]
