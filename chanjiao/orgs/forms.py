"""Forms for organisations, people and the group; the models' owner fields keep each user inside their scope."""

from __future__ import annotations

from typing import Any

from chanjiao.core.forms import ScopedModelForm
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

_ORG_COMMON = ["name", "short_name", "region", "address", "website"]


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = ["name", "short_name", "school_code", "school_level", "funding", "competent_authority", "region",
                  "address", "website"]


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "short_name", "uscc", "industry", "size", "ownership", "headcount", "headcount_date",
                  "is_leading", "established", "region", "address", "website"]
        # integration_status moves only through its workflow (Enterprise.workflow), never a form.


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "is_industry_authority", "region", "address", "website"]


class AssociationForm(ScopedModelForm):
    class Meta:
        model = Association
        fields = [*_ORG_COMMON[:2], "uscc", "industry", *_ORG_COMMON[2:]]


class InstituteForm(ScopedModelForm):
    class Meta:
        model = Institute
        fields = [*_ORG_COMMON[:2], "uscc", "industry", *_ORG_COMMON[2:]]


class ContactForm(ScopedModelForm):
    class Meta:
        model = Contact
        fields = ["organisation", "name", "title", "phone", "email", "is_primary", "note"]


class TeacherForm(ScopedModelForm):
    class Meta:
        model = Teacher
        fields = ["school", "name", "employee_no", "subject", "category", "is_dual_qualified", "enterprise_years",
                  "hire_date"]


class VocationalGroupForm(ScopedModelForm):
    class Meta:
        model = VocationalGroup
        fields = ["name", "short_name", "region", "founded", "approved_by", "secretariat", "lead_school",
                  "description"]


class BoardTermForm(ScopedModelForm):
    class Meta:
        model = BoardTerm
        fields = ["group", "number", "elected_at", "start_date", "end_date", "note"]


class BoardSeatForm(ScopedModelForm):
    class Meta:
        model = BoardSeat
        fields = ["term", "role", "organisation", "contact", "person_name", "person_title"]


class PillarIndustryForm(ScopedModelForm):
    class Meta:
        model = PillarIndustry
        fields = ["group", "name", "order", "industries", "description"]


class CommitteeForm(ScopedModelForm):
    class Meta:
        model = Committee
        fields = ["group", "pillar", "name", "director", "vice_director", "secretary", "founded", "active"]


class CommitteeMembershipForm(ScopedModelForm):
    class Meta:
        model = CommitteeMembership
        fields = ["committee", "organisation", "role", "person_name", "joined", "left", "note"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # A committee leader files members only into the committees they run (the model's rule).
        self.fields["committee"].queryset = CommitteeMembership.committee_targets(user)


class GuidanceCommitteeForm(ScopedModelForm):
    class Meta:
        model = GuidanceCommittee
        fields = ["school", "name", "major", "committee", "founded", "active"]


class GuidanceMemberForm(ScopedModelForm):
    class Meta:
        model = GuidanceMember
        fields = ["committee", "organisation", "person_name", "person_title", "role", "joined", "left"]
