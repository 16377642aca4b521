"""FilterSets: one definition of "which rows" per model, shared by the list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chanjiao.catalog.models import Industry, Region
from chanjiao.core.filters import SearchFilterSet
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
    """Only the catalog rows some organisation of ``model``'s kind points at (not all ~4,800 regions)."""
    target = {"region": Region, "industry": Industry}[field]

    def queryset(request: Any) -> QuerySet:
        used = model.objects.filter(**{f"{field}__isnull": False}).values(field)
        return target.objects.filter(pk__in=used).order_by("code")

    return queryset


def _region(model: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=_used_by(model, "region"), label=_("所在区县"))


def _industry(model: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=_used_by(model, "industry"), label=_("所属行业"))


class SchoolFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "school_code")
    region = _region(School)

    class Meta:
        model = School
        fields = ["school_level", "funding", "region"]


class EnterpriseFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "uscc")
    region = _region(Enterprise)
    industry = _industry(Enterprise)

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

    class Meta:
        model = Association
        fields = ["region"]


class InstituteFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "uscc")
    region = _region(Institute)

    class Meta:
        model = Institute
        fields = ["region"]


class ContactFilterSet(SearchFilterSet):
    search_fields = ("name", "title", "organisation__name")

    class Meta:
        model = Contact
        fields = ["organisation", "is_primary"]


class TeacherFilterSet(SearchFilterSet):
    search_fields = ("name", "employee_no", "subject")

    class Meta:
        model = Teacher
        fields = ["school", "is_dual_qualified"]


class VocationalGroupFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name")

    class Meta:
        model = VocationalGroup
        fields: list[str] = []


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


class CommitteeFilterSet(SearchFilterSet):
    class Meta:
        model = Committee
        fields = ["group", "pillar", "director", "active"]


class MembershipStateFilterSet(SearchFilterSet):
    """Adds "current only" to the history-keeping membership lists."""

    current = django_filters.BooleanFilter(field_name="left", lookup_expr="isnull", label=_("仅现任"))


class CommitteeMembershipFilterSet(MembershipStateFilterSet):
    search_fields = ("organisation__name", "person_name", "committee__name")

    class Meta:
        model = CommitteeMembership
        fields = ["committee", "role", "organisation"]


class GuidanceCommitteeFilterSet(SearchFilterSet):
    search_fields = ("name", "school__name")

    class Meta:
        model = GuidanceCommittee
        fields = ["school", "committee", "active"]


class GuidanceMemberFilterSet(MembershipStateFilterSet):
    search_fields = ("person_name", "organisation__name")

    class Meta:
        model = GuidanceMember
        fields = ["committee", "role", "organisation"]
