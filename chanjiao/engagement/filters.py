"""FilterSets of the matching cycle: one per model, shared by the list pages, the API and the figures."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chanjiao.core.filters import SearchFilterSet
from chanjiao.core.scoping import get_scope
from chanjiao.engagement.models import (
    LIVE_STATUSES,
    Agreement,
    AgreementStatus,
    Alliance,
    AnnualPlan,
    Event,
    EventParticipation,
    OrderClass,
    PlannedActivity,
    TeacherPractice,
    Visit,
)
from chanjiao.orgs.filters import date_range
from chanjiao.orgs.models import Committee, Organisation, PillarIndustry, School


class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number within what a date holds (year=0 or 0.0 would crash the lookup)."""

    field_class = forms.IntegerField


def _year(field: str) -> YearFilter:
    return YearFilter(field_name=f"{field}__year", label=_("年度"), min_value=1900, max_value=2100)


def _pillar(path: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(field_name=path, queryset=lambda request: PillarIndustry.objects.all(),
                                            label=_("支柱产业"))


def _county(path: str) -> django_filters.ModelChoiceFilter:
    """所在区县 of the school behind the row (the statistics' county breakdown drills down to it)."""
    from chanjiao.catalog.models import Region

    def queryset(request: Any) -> QuerySet:
        return Region.objects.filter(pk__in=School.objects.filter(region__isnull=False).values("region"))

    return django_filters.ModelChoiceFilter(field_name=path, queryset=queryset, label=_("学校所在区县"))


class EventFilterSet(SearchFilterSet):
    search_fields = ("title", "place", "outcome")
    year = _year("date")
    month = django_filters.NumberFilter(field_name="date__month", label=_("月份"), min_value=1, max_value=12)
    date_after, date_before = date_range(Event, "date")
    pillar = _pillar("committee__pillar")
    outcome_missing = django_filters.BooleanFilter(method="filter_outcome_missing", label=_("未填写活动成果"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("仅本单位负责的委员会"))
    dimensions = {"committee": "committee", "pillar": "pillar", "kind": "kind"}

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(committee__in=Committee.led_by(getattr(self.request, "user", None)).values("pk"))

    class Meta:
        model = Event
        fields = ["kind", "committee", "planned_activity", "policy_briefing", "skills_show", "seminar"]

    def filter_outcome_missing(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(outcome="") if value else queryset.exclude(outcome="")


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
    signed = django_filters.BooleanFilter(method="filter_signed", label=_("已签署（非草拟）"))
    live = django_filters.BooleanFilter(method="filter_live", label=_("有效（已签署或履行中）"))
    year = _year("signed_on")
    signed_on_after, signed_on_before = date_range(Agreement, "signed_on")
    start_after, start_before = date_range(Agreement, "start")
    end_after, end_before = date_range(Agreement, "end")

    dimensions = {"kind": "kind", "committee": "committee", "status": "status"}

    class Meta:
        model = Agreement
        fields = ["kind", "status", "committee", "hosts_interns", "signing_event", "predecessor"]

    def filter_live(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        live = Q(status__in=LIVE_STATUSES)
        return queryset.filter(live) if value else queryset.exclude(live)

    def filter_signed(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        drafts = {"status": AgreementStatus.DRAFT}
        return queryset.exclude(**drafts) if value else queryset.filter(**drafts)

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(Agreement.party_q(get_scope(getattr(self.request, "user", None)).orgs()))


class VisitFilterSet(SearchFilterSet):
    search_fields = ("purpose", "outcome", "enterprise__name", "school__name")
    year = _year("date")
    county = _county("school__region")
    dimensions = {"school": "school", "county": "county"}
    date_after, date_before = date_range(Visit, "date")
    follow_up_by_after, follow_up_by_before = date_range(Visit, "follow_up_by")

    class Meta:
        model = Visit
        fields = ["school", "enterprise"]


class AllianceFilterSet(SearchFilterSet):
    search_fields = ("name", "description")
    year = _year("founded")
    dimensions = {"lead_school": "lead_school"}
    founded_after, founded_before = date_range(Alliance, "founded")
    member = django_filters.ModelChoiceFilter(field_name="members", label=_("成员单位"),
                                              queryset=lambda request: Organisation.objects.all())

    class Meta:
        model = Alliance
        fields = ["lead_school", "founding_event"]


class AnnualPlanFilterSet(SearchFilterSet):
    search_fields = ("title", "number", "summary")
    issued_on_after, issued_on_before = date_range(AnnualPlan, "issued_on")

    class Meta:
        model = AnnualPlan
        fields = ["group", "year"]


class PlannedActivityFilterSet(SearchFilterSet):
    search_fields = ("title",)
    year = YearFilter(field_name="plan__year", label=_("年度"), min_value=1900, max_value=2100)
    held = django_filters.BooleanFilter(method="filter_held", label=_("已举办"))
    month_before = django_filters.NumberFilter(field_name="month", lookup_expr="lt", label=_("计划月份早于"),
                                               min_value=1, max_value=13)
    pillar = _pillar("committee__pillar")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("仅本单位负责的委员会"))
    dimensions = {"committee": "committee", "pillar": "pillar", "month": "month"}

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(committee__in=Committee.led_by(getattr(self.request, "user", None)).values("pk"))

    class Meta:
        model = PlannedActivity
        fields = ["plan", "committee", "department", "kind", "month", "host"]

    def filter_held(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        # Held: an event records this activity as the one it fulfils (a subquery, no duplicate rows). Events
        # are public to every business user, so the plain table is what any reader would see.
        held = Event._base_manager.filter(planned_activity__isnull=False).values("planned_activity")
        return queryset.filter(pk__in=held) if value else queryset.exclude(pk__in=held)


class TeacherPracticeFilterSet(SearchFilterSet):
    search_fields = ("teacher__name", "teacher__employee_no", "enterprise__name", "content")
    school = django_filters.ModelChoiceFilter(field_name="teacher__school", label=_("学校"),
                                              queryset=lambda request: School.objects.all())
    county = _county("teacher__school__region")
    year = _year("start")
    start_after, start_before = date_range(TeacherPractice, "start")
    end_after, end_before = date_range(TeacherPractice, "end")
    dimensions = {"school": "school", "county": "county", "form": "form"}

    class Meta:
        model = TeacherPractice
        fields = ["teacher", "enterprise", "form", "pre_service", "appraisal"]


class OrderClassFilterSet(SearchFilterSet):
    search_fields = ("name", "mentors", "enterprise__name", "school__name")
    county = _county("school__region")
    cohort_year = YearFilter(field_name="cohort_year", label=_("开班年度"), min_value=1900, max_value=2100)
    dimensions = {"school": "school", "county": "county", "enterprise": "enterprise"}

    class Meta:
        model = OrderClass
        fields = ["school", "enterprise", "major", "agreement"]
