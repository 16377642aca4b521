"""FilterSets of the matching cycle: one per model, shared by the list pages, the API and the figures."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chanjiao.core.filters import SearchFilterSet
from chanjiao.core.scoping import get_scope
from chanjiao.engagement.models import Agreement, Alliance, Event, EventParticipation, Visit
from chanjiao.orgs.filters import date_range
from chanjiao.orgs.models import Organisation, School


class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number within what a date holds (year=0 or 0.0 would crash the lookup)."""

    field_class = forms.IntegerField


def _year(field: str) -> YearFilter:
    return YearFilter(field_name=f"{field}__year", label=_("年度"), min_value=1900, max_value=2100)


class EventFilterSet(SearchFilterSet):
    search_fields = ("title", "place", "outcome")
    year = _year("date")
    date_after, date_before = date_range(Event, "date")

    class Meta:
        model = Event
        fields = ["kind", "committee", "policy_briefing", "skills_show", "seminar"]


class EventParticipationFilterSet(SearchFilterSet):
    search_fields = ("organisation__name", "event__title", "people")

    class Meta:
        model = EventParticipation
        fields = ["event", "organisation", "invited", "attended"]


class AgreementFilterSet(SearchFilterSet):
    search_fields = ("title", "number")
    # A party on either side: the school or the enterprise (choices: the organisations one may see).
    school = django_filters.ModelChoiceFilter(field_name="schools", queryset=lambda request: School.objects.all(),
                                              label=_("学校方"))
    enterprise = django_filters.ModelChoiceFilter(
        field_name="enterprises", label=_("企业方"),
        queryset=lambda request: Organisation.objects.filter(kind="enterprise"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("仅本单位签署的"))
    year = _year("signed_on")
    signed_on_after, signed_on_before = date_range(Agreement, "signed_on")
    start_after, start_before = date_range(Agreement, "start")
    end_after, end_before = date_range(Agreement, "end")

    class Meta:
        model = Agreement
        fields = ["kind", "status", "committee", "hosts_interns", "signing_event", "predecessor"]

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(Agreement.party_q(get_scope(getattr(self.request, "user", None)).orgs()))


class VisitFilterSet(SearchFilterSet):
    search_fields = ("purpose", "outcome", "enterprise__name", "school__name")
    year = _year("date")
    date_after, date_before = date_range(Visit, "date")
    follow_up_by_after, follow_up_by_before = date_range(Visit, "follow_up_by")

    class Meta:
        model = Visit
        fields = ["school", "enterprise"]


class AllianceFilterSet(SearchFilterSet):
    search_fields = ("name", "description")
    founded_after, founded_before = date_range(Alliance, "founded")
    member = django_filters.ModelChoiceFilter(field_name="members", label=_("成员单位"),
                                              queryset=lambda request: Organisation.objects.all())

    class Meta:
        model = Alliance
        fields = ["lead_school", "founding_event"]
