"""FilterSets: one definition of "which rows" per model, shared by the list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.forms import DateInput
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chanjiao.catalog.models import Industry, Major, Region
from chanjiao.core.filters import SearchFilterSet
from chanjiao.core.scoping import get_scope, unscoped
from chanjiao.orgs.models import (
    Association,
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    Contact,
    Department,
    Enterprise,
    GuidanceCommittee,
    GuidanceMember,
    Institute,
    PillarIndustry,
    School,
    Teacher,
    VocationalGroup,
)


def _used_by(model: Any, field: str) -> Any:
    """Only the catalog rows some row of ``model`` points at (not all ~4,800 regions, ~1,400 majors)."""
    target = {"region": Region, "industry": Industry, "major": Major}[field]

    def queryset(request: Any) -> QuerySet:
        used = model.objects.filter(**{f"{field}__isnull": False}).values(field)
        return target.objects.filter(pk__in=used).order_by("code")

    return queryset


def _region(model: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=_used_by(model, "region"), label=_("所在区县"))


def _city(model: Any) -> django_filters.ModelChoiceFilter:
    """所在市（州）: the city of the row's county — the province's roll-up by city drills down to it."""

    def queryset(request: Any) -> QuerySet:
        used = model.objects.filter(region__parent__isnull=False).values("region__parent")
        return Region.objects.filter(pk__in=used).order_by("code")

    return django_filters.ModelChoiceFilter(field_name="region__parent", queryset=queryset, label=_("所在市（州）"))


def _industry(model: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=_used_by(model, "industry"), label=_("所属行业"))


def _major(model: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=_used_by(model, "major"), label=_("专业"))


def date_range(model: Any, field: str) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """``<field>_after`` / ``<field>_before``: an inclusive date range, as ``<input type="date">``s
    (the look of the audit search's dates), labelled with the field's own name."""
    verbose = model._meta.get_field(field).verbose_name

    def one(lookup: str, label: str) -> django_filters.DateFilter:
        return django_filters.DateFilter(field_name=field, lookup_expr=lookup,
                                         label=format_lazy(label, field=verbose),
                                         widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    return one("gte", _("{field}（起）")), one("lte", _("{field}（止）"))


def _industry_sections() -> list[tuple[str, str]]:
    # Read per request (the catalog is loaded after start-up); about twenty 门类.
    with unscoped("industry sections: public catalog rows, the same for every user"):
        return list(Industry.objects.filter(level=Industry.Level.SECTION).order_by("code").values_list("code", "name"))


class OwnRowsFilterSet(SearchFilterSet):
    """Adds ``mine`` (仅本单位): the rows of the requesting user's own organisations — the
    dashboard's "本单位" figures drill down to it, whatever number of organisations the user has."""

    mine = django_filters.BooleanFilter(method="filter_mine", label=_("仅本单位"))
    mine_path = "organisation_id"

    def mine_q(self, orgs: frozenset[int]) -> Q:
        return Q(**{f"{self.mine_path}__in": orgs})

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:  # "仅本单位：否" reads as "not only mine", i.e. every visible row
            return queryset
        return queryset.filter(self.mine_q(get_scope(getattr(self.request, "user", None)).orgs()))


class SchoolFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "school_code")
    region = _region(School)
    city = _city(School)
    # Breakdowns for core/figures.py: dimension name → the filter that selects one value.
    dimensions = {"county": "region", "city": "city", "school_level": "school_level"}

    class Meta:
        model = School
        fields = ["school_level", "funding", "region"]


class EnterpriseFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "uscc")
    region = _region(Enterprise)
    city = _city(Enterprise)
    industry = _industry(Enterprise)
    industry_section = django_filters.ChoiceFilter(field_name="industry__section", choices=_industry_sections,
                                                   label=_("行业门类"))
    established_after, established_before = date_range(Enterprise, "established")
    headcount_date_after, headcount_date_before = date_range(Enterprise, "headcount_date")
    dimensions = {"county": "region", "city": "city", "industry_section": "industry_section"}

    class Meta:
        model = Enterprise
        fields = ["size", "ownership", "is_leading", "integration_status", "region", "industry"]


class DepartmentFilterSet(SearchFilterSet):
    region = _region(Department)

    class Meta:
        model = Department
        fields = ["is_industry_authority", "region"]


class AssociationFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "uscc")
    region = _region(Association)
    industry = _industry(Association)

    class Meta:
        model = Association
        fields = ["region", "industry"]


class InstituteFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "uscc")
    region = _region(Institute)
    industry = _industry(Institute)

    class Meta:
        model = Institute
        fields = ["region", "industry"]


class ContactFilterSet(OwnRowsFilterSet):
    search_fields = ("name", "title", "organisation__name")

    class Meta:
        model = Contact
        fields = ["organisation", "is_primary"]


class TeacherFilterSet(OwnRowsFilterSet):
    search_fields = ("name", "employee_no", "subject")
    mine_path = "school_id"
    dimensions = {"school": "school"}
    hire_date_after, hire_date_before = date_range(Teacher, "hire_date")

    class Meta:
        model = Teacher
        fields = ["school", "category", "is_dual_qualified"]


class VocationalGroupFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name")
    region = django_filters.ModelChoiceFilter(queryset=_used_by(VocationalGroup, "region"), label=_("所属辖区"))

    class Meta:
        model = VocationalGroup
        fields = ["region"]


class BoardTermFilterSet(SearchFilterSet):
    search_fields = ("group__name", "note")

    class Meta:
        model = BoardTerm
        fields = ["group", "number"]


class BoardSeatFilterSet(SearchFilterSet):
    search_fields = ("person_name", "organisation__name")

    class Meta:
        model = BoardSeat
        fields = ["term", "role", "organisation"]


class PillarIndustryFilterSet(SearchFilterSet):
    class Meta:
        model = PillarIndustry
        fields = ["group"]


class CommitteeFilterSet(OwnRowsFilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("仅本单位参与的（在任）"))
    founded_after, founded_before = date_range(Committee, "founded")
    dimensions = {"pillar": "pillar"}

    def mine_q(self, orgs: frozenset[int]) -> Q:
        seats = CommitteeMembership.objects.visible_to(getattr(self.request, "user", None)).current()
        return Q(pk__in=seats.filter(organisation_id__in=orgs).values("committee_id"))

    class Meta:
        model = Committee
        fields = ["group", "pillar", "director", "vice_director", "secretary", "active"]


class MembershipStateFilterSet(OwnRowsFilterSet):
    """Adds "current only" to the history-keeping membership lists."""

    current = django_filters.BooleanFilter(field_name="left", lookup_expr="isnull", label=_("仅现任"))


class CommitteeMembershipFilterSet(MembershipStateFilterSet):
    search_fields = ("organisation__name", "person_name", "committee__name")
    joined_after, joined_before = date_range(CommitteeMembership, "joined")

    class Meta:
        model = CommitteeMembership
        fields = ["committee", "role", "organisation"]


class GuidanceCommitteeFilterSet(OwnRowsFilterSet):
    search_fields = ("name", "school__name")
    mine_path = "school_id"
    major = _major(GuidanceCommittee)
    founded_after, founded_before = date_range(GuidanceCommittee, "founded")

    class Meta:
        model = GuidanceCommittee
        fields = ["school", "committee", "major", "active"]


class GuidanceMemberFilterSet(MembershipStateFilterSet):
    search_fields = ("person_name", "organisation__name")
    joined_after, joined_before = date_range(GuidanceMember, "joined")

    class Meta:
        model = GuidanceMember
        fields = ["committee", "role", "organisation"]
