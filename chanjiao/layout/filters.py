"""FilterSets of the major layout: one per model, shared by the list pages, the API and the figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chanjiao.core.filters import SearchFilterSet
from chanjiao.engagement.filters import YearFilter, _county
from chanjiao.layout import crosswalk, history
from chanjiao.layout.models import (
    ConflictDeclaration,
    CrosswalkEntry,
    CrosswalkVersion,
    Decision,
    DeclaredDemand,
    Expert,
    ExpertAssignment,
    JobPosting,
    Offering,
    OfferingYear,
    PolicyTarget,
    ReviewRound,
    RubricCriterion,
    Scenario,
    ScenarioChange,
    SchoolPolicy,
    Score,
    Submission,
    SubmissionItem,
)
from chanjiao.orgs.filters import date_range
from chanjiao.orgs.models import School


def _categories() -> list[tuple[str, str]]:
    from chanjiao.catalog.models import Major
    from chanjiao.core.scoping import unscoped

    with unscoped("the catalogue's 专业大类 names are public"):
        return list(Major.objects.order_by("category_code").values_list("category_code", "category_name").distinct())


class DayFilter(django_filters.Filter):
    """One day (not a range): a date the form validates, handed to the filter's method."""

    field_class = forms.DateField


def _category(path: str) -> django_filters.ChoiceFilter:
    # A choice filter: the figures' ``category`` dimension names its groups from the field's choices.
    return django_filters.ChoiceFilter(field_name=f"{path}category_code", label=_("专业大类代码"), choices=_categories)


class OfferingFilterSet(SearchFilterSet):
    search_fields = ("major__name", "major__code", "off_catalogue_name", "direction", "cluster", "school__name")
    county = _county("school__region")
    category = _category("major__")
    off_catalogue = django_filters.BooleanFilter(field_name="major", lookup_expr="isnull", label=_("目录外专业"))
    # The layout history's drill-down: the offerings live on a day (history.live_on, the same expression).
    live_on = DayFilter(method="filter_live_on", label=_("某日开设中"),
                        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    filed_on_after, filed_on_before = date_range(Offering, "filed_on")
    start_year = YearFilter(field_name="start_year", label=_("首次招生年度"), min_value=1900, max_value=2100)
    dimensions = {"school": "school", "county": "county", "status": "status", "category": "category"}

    class Meta:
        model = Offering
        fields = ["school", "major", "status", "cluster"]

    def filter_live_on(self, queryset: QuerySet[Offering], name: str, value: dt.date | None) -> QuerySet[Offering]:
        return history.live_on(queryset, value) if value else queryset


def _pillar_filter() -> django_filters.ModelChoiceFilter:
    from chanjiao.orgs.models import PillarIndustry

    # A queryset, not a callable: a method filter names no model field, and scope_choices narrows the
    # choices by the queryset's model.
    return django_filters.ModelChoiceFilter(queryset=PillarIndustry.objects.all(), method="filter_pillar",
                                            label=_("百亿产业"))


def _crosswalk_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=CrosswalkVersion.objects.all(), method="filter_noop",
                                            label=_("对照表版本"))


class PillarFilterMixin:
    """``pillar`` (a 百亿产业) through the crosswalk version ``crosswalk`` (default: the one in force
    today for the pillar's group) — the supply/demand figures drill down to these lists."""

    pillar_condition: str  # "offerings", "demand" or "postings"

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset  # read by filter_pillar

    def filter_pillar(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if value is None:
            return queryset
        version = self.form.cleaned_data.get("crosswalk")  # type: ignore[attr-defined]
        if version is None:
            region = value.group.region.code if value.group.region_id else ""
            version = crosswalk.in_force(region, dt.date.today())
        codes = crosswalk.pillar_codes(value)
        if self.pillar_condition == "demand":
            return queryset.filter(crosswalk.demand_q(codes, version))
        if self.pillar_condition == "postings":
            return queryset.filter(crosswalk.postings_q(codes, version))
        return queryset.filter(crosswalk.offerings_q(codes, version, prefix="offering__"))


class OfferingYearFilterSet(PillarFilterMixin, SearchFilterSet):
    pillar_condition = "offerings"
    pillar = _pillar_filter()
    crosswalk = _crosswalk_filter()
    search_fields = ("offering__major__name", "offering__off_catalogue_name", "offering__school__name")
    school = django_filters.ModelChoiceFilter(field_name="offering__school", label=_("学校"),
                                              queryset=lambda request: School.objects.all())
    county = _county("offering__school__region")
    category = _category("offering__major__")
    year = YearFilter(field_name="year", label=_("年度"), min_value=1900, max_value=2100)
    dimensions = {"school": "school", "county": "county", "category": "category"}

    class Meta:
        model = OfferingYear
        fields = ["offering"]


class ExpertFilterSet(SearchFilterSet):
    search_fields = ("name", "speciality", "title", "organisation__name")

    class Meta:
        model = Expert
        fields = ["region", "organisation"]


class ConflictDeclarationFilterSet(SearchFilterSet):
    search_fields = ("expert__name", "organisation__name", "reason")
    declared_on_after, declared_on_before = date_range(ConflictDeclaration, "declared_on")

    class Meta:
        model = ConflictDeclaration
        fields = ["expert", "organisation"]


class ReviewRoundFilterSet(SearchFilterSet):
    search_fields = ("title", "scope_note")
    deadline_after, deadline_before = date_range(ReviewRound, "deadline")
    year = YearFilter(field_name="held_on__year", label=_("年度"), min_value=1900, max_value=2100)

    class Meta:
        model = ReviewRound
        fields = ["region", "status"]


class RubricCriterionFilterSet(SearchFilterSet):
    search_fields = ("name", "guidance")

    class Meta:
        model = RubricCriterion
        fields = ["round"]


class SubmissionFilterSet(SearchFilterSet):
    search_fields = ("school__name", "principal", "summary")
    submitted_on_after, submitted_on_before = date_range(Submission, "submitted_on")
    county = _county("school__region")
    dimensions = {"round": "round", "county": "county"}

    class Meta:
        model = Submission
        fields = ["round", "school", "principal_attended"]


class SubmissionItemFilterSet(SearchFilterSet):
    search_fields = ("offering__major__name", "new_major__name", "submission__school__name")
    round = django_filters.ModelChoiceFilter(field_name="submission__round", label=_("答辩评审"),
                                             queryset=lambda request: ReviewRound.objects.all())
    school = django_filters.ModelChoiceFilter(field_name="submission__school", label=_("学校"),
                                              queryset=lambda request: School.objects.all())
    dimensions = {"proposed_action": "proposed_action"}

    class Meta:
        model = SubmissionItem
        fields = ["submission", "offering", "new_major", "proposed_action", "merge_into"]


class ExpertAssignmentFilterSet(SearchFilterSet):
    search_fields = ("expert__name", "submission__school__name")
    round = django_filters.ModelChoiceFilter(field_name="submission__round", label=_("答辩评审"),
                                             queryset=lambda request: ReviewRound.objects.all())

    class Meta:
        model = ExpertAssignment
        fields = ["submission", "expert"]


class ScoreFilterSet(SearchFilterSet):
    search_fields = ("comment", "criterion__name")
    round = django_filters.ModelChoiceFilter(field_name="criterion__round", label=_("答辩评审"),
                                             queryset=lambda request: ReviewRound.objects.all())

    class Meta:
        model = Score
        fields = ["assignment", "item", "criterion"]


class DecisionFilterSet(SearchFilterSet):
    search_fields = ("conditions", "item__submission__school__name", "item__offering__major__name",
                     "item__new_major__name")
    round = django_filters.ModelChoiceFilter(field_name="item__submission__round", label=_("答辩评审"),
                                             queryset=lambda request: ReviewRound.objects.all())
    school = django_filters.ModelChoiceFilter(field_name="item__submission__school", label=_("学校"),
                                              queryset=lambda request: School.objects.all())
    decided_on_after, decided_on_before = date_range(Decision, "decided_on")
    dimensions = {"action": "action", "status": "status"}

    class Meta:
        model = Decision
        fields = ["item", "action", "status"]




class CrosswalkVersionFilterSet(SearchFilterSet):
    search_fields = ("title", "note")
    published_on_after, published_on_before = date_range(CrosswalkVersion, "published_on")

    class Meta:
        model = CrosswalkVersion
        fields = ["region", "status", "based_on"]


class CrosswalkEntryFilterSet(SearchFilterSet):
    search_fields = ("class_code", "reason", "industry__name", "industry__code", "major__name")
    industry_code = django_filters.CharFilter(field_name="industry__code", lookup_expr="startswith",
                                              label=_("行业代码"))

    class Meta:
        model = CrosswalkEntry
        fields = ["version", "class_code", "major", "industry", "occupation"]


class DeclaredDemandFilterSet(PillarFilterMixin, SearchFilterSet):
    pillar_condition = "demand"
    pillar = _pillar_filter()
    crosswalk = _crosswalk_filter()
    search_fields = ("enterprise__name", "position", "class_code", "occupation__name", "note")
    county = django_filters.ModelChoiceFilter(field_name="enterprise__region", label=_("企业所在区县"),
                                              queryset=lambda request: _regions_of_enterprises())
    year = YearFilter(field_name="year", label=_("需求年度"), min_value=1900, max_value=2100)
    category = django_filters.CharFilter(field_name="class_code", lookup_expr="startswith", label=_("专业大类代码"))
    dimensions = {"committee": "committee", "county": "county", "education": "education"}

    class Meta:
        model = DeclaredDemand
        fields = ["enterprise", "committee", "class_code", "occupation", "education"]


def _regions_of_enterprises() -> QuerySet[Any]:
    from chanjiao.catalog.models import Region
    from chanjiao.orgs.models import Organisation

    return Region.objects.filter(pk__in=Organisation.objects.filter(kind="enterprise", region__isnull=False)
                                 .values("region"))


class ScenarioFilterSet(SearchFilterSet):
    search_fields = ("title", "note")
    base_on_after, base_on_before = date_range(Scenario, "base_on")

    class Meta:
        model = Scenario
        fields = ["region", "round"]


class ScenarioChangeFilterSet(SearchFilterSet):
    search_fields = ("note", "major__name", "offering__major__name")

    class Meta:
        model = ScenarioChange
        fields = ["scenario", "kind", "offering", "school", "major"]


class SchoolPolicyFilterSet(SearchFilterSet):
    search_fields = ("title", "summary", "school__name")
    county = _county("school__region")

    class Meta:
        model = SchoolPolicy
        fields = ["school"]


class PolicyTargetFilterSet(SearchFilterSet):
    search_fields = ("note", "major__name", "cluster")
    school = django_filters.ModelChoiceFilter(field_name="policy__school", label=_("学校"),
                                              queryset=lambda request: School.objects.all())

    class Meta:
        model = PolicyTarget
        fields = ["policy", "action", "major", "due_year"]


class JobPostingFilterSet(PillarFilterMixin, SearchFilterSet):
    pillar_condition = "postings"
    pillar = _pillar_filter()
    crosswalk = _crosswalk_filter()
    search_fields = ("title", "company_name", "tags", "category_text", "industry_text")
    year = YearFilter(field_name="year", label=_("发布年度"), min_value=1900, max_value=2100)
    county = django_filters.ModelChoiceFilter(field_name="region", label=_("工作地区"),
                                              queryset=lambda request: _posting_regions())
    category = django_filters.CharFilter(field_name="category_code", label=_("专业大类代码"))
    first_listing = django_filters.BooleanFilter(field_name="duplicate_of", lookup_expr="isnull",
                                                 label=_("首次发布（不含重复发布）"))
    posted_on_after, posted_on_before = date_range(JobPosting, "posted_on")
    dimensions = {"county": "county", "education": "education", "major_category": "category",
                  "major_class": "class_code", "classified_by": "classified_by"}

    class Meta:
        model = JobPosting
        fields = ["source", "education", "classified_by", "class_code", "enterprise", "occupation"]

    @classmethod
    def group_names(cls, dimension: str, keys: list[Any]) -> dict[Any, str] | None:
        """The 专业大类 / 专业类 codes a breakdown found, named from the 2021 catalogue in code order (the filters
        take any code, so a code the catalogue lacks — 00, no vocational major — is named by itself)."""
        columns = {"major_category": ("category_code", "category_name"), "major_class": ("class_code", "class_name")}
        if dimension not in columns:
            return None
        from chanjiao.catalog.models import Major
        from chanjiao.core.scoping import unscoped

        code, name = columns[dimension]
        with unscoped("the catalogue's 专业大类 / 专业类 names are public"):
            names = dict(Major.objects.filter(**{f"{code}__in": keys}).values_list(code, name).distinct())
        names.setdefault("00", str(_("不需要职业教育专业")))
        return {key: f"{key} {names[key]}" if key in names else str(key) for key in sorted(keys, key=str)}


def _posting_regions() -> QuerySet[Any]:
    from chanjiao.catalog.models import Region

    return Region.objects.filter(pk__in=JobPosting._base_manager.filter(region__isnull=False).values("region"))
