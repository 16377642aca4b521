"""List tables of the major layout; each links to its detail page."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from chanjiao.core.tables import BaseTable
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


class OfferingTable(BaseTable):
    major_name = tables.Column(verbose_name=_("专业名称"), linkify=lambda record: record.get_absolute_url(),
                               accessor="major_name", order_by=("major__name", "off_catalogue_name"))
    code = tables.Column(verbose_name=_("专业代码"), accessor="major__code", default="目录外")

    class Meta(BaseTable.Meta):
        model = Offering
        fields = ("school", "code", "major_name", "cluster", "start_year", "filed_on", "status")
        sequence = ("school", "code", "major_name", "cluster", "start_year", "filed_on", "status")


class OfferingYearTable(BaseTable):
    offering = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = OfferingYear
        fields = ("year", "offering", "planned_enrolment", "enrolled", "students", "graduates", "employed",
                  "employed_related", "starting_salary")


class ExpertTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Expert
        fields = ("name", "organisation", "title", "speciality", "region")


class ConflictDeclarationTable(BaseTable):
    expert = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = ConflictDeclaration
        fields = ("expert", "organisation", "reason", "declared_on")


class ReviewRoundTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ReviewRound
        fields = ("title", "region", "held_on", "deadline", "status")


class RubricCriterionTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = RubricCriterion
        fields = ("round", "order", "name", "max_points")


class SubmissionTable(BaseTable):
    school = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = Submission
        fields = ("round", "school", "submitted_on", "principal", "principal_attended")


class SubmissionItemTable(BaseTable):
    name = tables.Column(verbose_name=_("专业"), linkify=lambda record: record.get_absolute_url(),
                         accessor="pk", orderable=False)

    class Meta(BaseTable.Meta):
        model = SubmissionItem
        fields = ("submission", "name", "proposed_action")

    def render_name(self, record: SubmissionItem) -> str:
        if record.offering is not None:
            return record.offering.major_name
        return record.new_major.name if record.new_major is not None else "—"


class ExpertAssignmentTable(BaseTable):
    submission = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = ExpertAssignment
        fields = ("submission", "expert")


class ScoreTable(BaseTable):
    item = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = Score
        fields = ("item", "assignment", "criterion", "points")


class DecisionTable(BaseTable):
    item = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = Decision
        fields = ("item", "action", "decided_on", "status")


class CrosswalkVersionTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = CrosswalkVersion
        fields = ("number", "title", "region", "published_on", "status")


class CrosswalkEntryTable(BaseTable):
    class_code = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = CrosswalkEntry
        fields = ("version", "class_code", "major", "industry", "occupation", "reason")


class DeclaredDemandTable(BaseTable):
    enterprise = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = DeclaredDemand
        fields = ("year", "enterprise", "position", "class_code", "occupation", "education", "headcount", "committee")


class ScenarioTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Scenario
        fields = ("title", "region", "base_on", "base_year", "round")


class ScenarioChangeTable(BaseTable):
    kind = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = ScenarioChange
        fields = ("scenario", "kind", "offering", "school", "major", "planned_intake")


class SchoolPolicyTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = SchoolPolicy
        fields = ("school", "title", "start_year", "end_year")


class PolicyTargetTable(BaseTable):
    major = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = PolicyTarget
        fields = ("policy", "action", "major", "cluster", "due_year")


class JobPostingTable(BaseTable):
    title = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = JobPosting
        fields = ("year", "title", "company_name", "region", "education", "salary_min", "salary_max",
                  "class_code", "classified_by", "confidence", "source")
