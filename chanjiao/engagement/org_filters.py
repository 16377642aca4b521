"""Filters the matching cycle adds to the organisation lists: "the enterprises that attended a symposium
in 2019", "the departments that co-hosted one", "the enterprises our schools visited". The annual
statistics (reports/statistics.py) count these lists, so each figure drills down to exactly its rows.

orgs sits below engagement (tests/test_layering.py), so the filters are attached here, to the orgs
FilterSets, rather than written there. Each reads the engagement rows through ``visible_to(user)``:
a city bureau's figure counts its own city's symposia and visits, a school's its own visits.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chanjiao.engagement.filters import YearFilter
from chanjiao.engagement.models import Event, EventKind, EventParticipation, Visit
from chanjiao.orgs import filters as orgs_filters


def _user(filterset: Any) -> Any:
    return getattr(filterset.request, "user", None)


def _symposia(filterset: Any, year: int) -> QuerySet[Event]:
    return Event.objects.visible_to(_user(filterset)).filter(kind=EventKind.SYMPOSIUM, date__year=year)


def _attended_symposium(self: Any, queryset: QuerySet[Any], name: str, value: int | None) -> QuerySet[Any]:
    if value is None:
        return queryset
    seen = EventParticipation.objects.visible_to(_user(self)).filter(
        attended=True, event__in=_symposia(self, value).values("pk"))
    return queryset.filter(pk__in=seen.values("organisation_id"))


def _co_hosted_symposium(self: Any, queryset: QuerySet[Any], name: str, value: int | None) -> QuerySet[Any]:
    if value is None:
        return queryset
    through = Event.co_hosts.through.objects.filter(event_id__in=_symposia(self, value).values("pk"))
    return queryset.filter(pk__in=through.values("department_id"))


def _hosted_symposium(self: Any, queryset: QuerySet[Any], name: str, value: int | None) -> QuerySet[Any]:
    if value is None:
        return queryset
    return queryset.filter(pk__in=_symposia(self, value).values("committee_id"))


def _visited(self: Any, queryset: QuerySet[Any], name: str, value: int | None) -> QuerySet[Any]:
    if value is None:
        return queryset
    visits = Visit.objects.visible_to(_user(self)).filter(date__year=value)
    return queryset.filter(pk__in=visits.values("enterprise_id"))


def _year_filter(method: str, label: Any) -> YearFilter:
    return YearFilter(method=method, label=label, min_value=1900, max_value=2100)


def _attach(filterset: Any, param: str, method: Any, label: Any) -> None:
    name = f"filter_{param}"
    setattr(filterset, name, method)
    flt = _year_filter(name, label)
    flt.model = filterset._meta.model
    filterset.base_filters[param] = flt


_attach(orgs_filters.EnterpriseFilterSet, "symposium_year", _attended_symposium, _("出席校企合作座谈会年度"))
_attach(orgs_filters.EnterpriseFilterSet, "visited_year", _visited, _("接受学校走访年度"))
_attach(orgs_filters.DepartmentFilterSet, "symposium_year", _co_hosted_symposium, _("联合主办校企合作座谈会年度"))
_attach(orgs_filters.CommitteeFilterSet, "symposium_year", _hosted_symposium, _("主办校企合作座谈会年度"))
