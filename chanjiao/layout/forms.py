"""Forms of the major layout (checks are rules in layout/rules.py, reached from ``clean()``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.forms import ScopedModelForm
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope, unscoped
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
    RoundStatus,
    RubricCriterion,
    Scenario,
    ScenarioChange,
    SchoolPolicy,
    Score,
    Submission,
    SubmissionItem,
)


class OfferingForm(ScopedModelForm):
    class Meta:
        model = Offering
        fields = ["school", "major", "off_catalogue_name", "direction", "cluster", "start_year", "filed_on",
                  "filing_ref"]


class OfferingYearForm(ScopedModelForm):
    class Meta:
        model = OfferingYear
        fields = ["offering", "year", "planned_enrolment", "enrolled", "students", "graduates", "employed",
                  "employed_related", "starting_salary", "satisfaction"]


class ExpertForm(ScopedModelForm):
    # Users belong to the security admin (三权分立): the bureau names the account by its username, and
    # the form looks it up among the accounts that hold the expert role.
    username = forms.CharField(label=gettext_lazy("评审账号（用户名）"), required=False, max_length=150,
                               help_text=gettext_lazy("专家登录评分所用的账号，须已具有评审专家角色；可暂不填写"))

    class Meta:
        model = Expert
        fields = ["name", "region", "organisation", "title", "speciality"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.initial["username"] = self.instance.user.get_username()

    def clean_username(self) -> str:
        from chanjiao.accounts.models import Membership, User

        name = (self.cleaned_data.get("username") or "").strip()
        self.account = None
        if not name:
            return ""
        with unscoped("the expert pool links the account an expert scores with, by username"):
            user = User.objects.filter(username=name).first()
            is_expert = bool(user) and Membership.objects.filter(user=user, role=Role.EXPERT).exists()
            taken = bool(user) and Expert.objects.filter(user=user).exclude(pk=self.instance.pk).exists()
        if user is None or not is_expert:
            raise forms.ValidationError(_("没有具有“评审专家”角色的账号“%(name)s”。") % {"name": name})
        if taken:
            raise forms.ValidationError(_("该账号已关联其他专家。"))
        self.account = user
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Set before the model's own validation (which follows clean): rule EXP-D1 sees the account.
        self.instance.user = getattr(self, "account", None)
        return data


class ConflictDeclarationForm(ScopedModelForm):
    class Meta:
        model = ConflictDeclaration
        fields = ["expert", "organisation", "reason", "declared_on"]


class ReviewRoundForm(ScopedModelForm):
    class Meta:
        model = ReviewRound
        fields = ["title", "region", "held_on", "deadline", "scope_note"]


class RubricCriterionForm(ScopedModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["round", "order", "name", "max_points", "guidance"]


class SubmissionForm(ScopedModelForm):
    class Meta:
        model = Submission
        fields = ["round", "school", "submitted_on", "principal", "principal_attended", "summary"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not get_scope(self.user).writes_all:
            # A school submits to a round while it accepts submissions.
            field = self.fields["round"]
            assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
            field.queryset = field.queryset.filter(status=RoundStatus.OPEN)


class SubmissionItemForm(ScopedModelForm):
    class Meta:
        model = SubmissionItem
        fields = ["submission", "offering", "new_major", "proposed_action", "merge_into", "market_analysis",
                  "conditions_analysis", "development_plan"]


class ExpertAssignmentForm(ScopedModelForm):
    class Meta:
        model = ExpertAssignment
        fields = ["submission", "expert"]


class ScoreForm(ScopedModelForm):
    class Meta:
        model = Score
        fields = ["assignment", "item", "criterion", "points", "comment"]


class DecisionForm(ScopedModelForm):
    class Meta:
        model = Decision
        fields = ["item", "action", "decided_on", "conditions"]


class CrosswalkVersionForm(ScopedModelForm):
    class Meta:
        model = CrosswalkVersion
        fields = ["number", "title", "region", "based_on", "note"]


class CrosswalkEntryForm(ScopedModelForm):
    class Meta:
        model = CrosswalkEntry
        fields = ["version", "class_code", "major", "industry", "occupation", "reason", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Entries go into drafts only: a published version is frozen.
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
        field.queryset = field.queryset.filter(status="draft")


class DeclaredDemandForm(ScopedModelForm):
    class Meta:
        model = DeclaredDemand
        fields = ["enterprise", "year", "position", "class_code", "occupation", "education", "headcount",
                  "committee", "note"]


class ScenarioForm(ScopedModelForm):
    class Meta:
        model = Scenario
        fields = ["title", "region", "base_on", "base_year", "note"]


class ScenarioChangeForm(ScopedModelForm):
    class Meta:
        model = ScenarioChange
        fields = ["scenario", "kind", "offering", "school", "major", "planned_intake", "note"]


class SchoolPolicyForm(ScopedModelForm):
    class Meta:
        model = SchoolPolicy
        fields = ["school", "title", "start_year", "end_year", "summary"]


class PolicyTargetForm(ScopedModelForm):
    class Meta:
        model = PolicyTarget
        fields = ["policy", "action", "major", "cluster", "due_year", "note"]


class JobPostingForm(ScopedModelForm):
    """The advert as imported, and the person's correction of its 专业类 (the rest is computed)."""

    class Meta:
        model = JobPosting
        fields = ["source", "source_ref", "title", "company_name", "company_uscc", "place_text", "industry_text",
                  "category_text", "tags", "description", "education", "experience", "salary_text", "year",
                  "posted_on", "corrected_class_code"]
