"""List tables; each links to its detail page. Phone numbers are masked per viewer."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from chanjiao.core.scoping import get_scope
from chanjiao.core.tables import BaseTable
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


class SchoolTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = School
        fields = ("name", "school_code", "school_level", "funding", "region", "competent_authority")


class EnterpriseTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Enterprise
        fields = ("name", "uscc", "industry", "size", "ownership", "headcount", "is_leading", "integration_status")


class DepartmentTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Department
        fields = ("name", "short_name", "is_industry_authority", "region")


class AssociationTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Association
        fields = ("name", "short_name", "uscc", "industry", "region")


class InstituteTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Institute
        fields = ("name", "short_name", "uscc", "industry", "region")


class ContactTable(BaseTable):
    name = tables.Column(linkify=True)
    organisation = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Contact
        fields = ("name", "organisation", "title", "phone", "email", "is_primary")

    def render_phone(self, value: str, record: Contact) -> str:
        # Masked unless the viewer is of the contact's own organisation or a global role.
        request = getattr(self, "request", None)
        return record.phone_for(get_scope(getattr(request, "user", None)))


class TeacherTable(BaseTable):
    name = tables.Column(linkify=True)
    school = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Teacher
        fields = ("name", "employee_no", "school", "subject", "category", "is_dual_qualified", "enterprise_years",
                  "hire_date")


class VocationalGroupTable(BaseTable):
    name = tables.Column(linkify=True)
    secretariat = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = VocationalGroup
        fields = ("name", "short_name", "founded", "secretariat", "lead_school")


class BoardTermTable(BaseTable):
    number = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = BoardTerm
        fields = ("number", "group", "elected_at", "start_date", "end_date", "note")

    def render_number(self, value: int) -> str:
        return _("第%(n)d届") % {"n": value}


class BoardSeatTable(BaseTable):
    role = tables.Column(linkify=True)
    organisation = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = BoardSeat
        fields = ("role", "organisation", "person_name", "person_title", "term")


class PillarIndustryTable(BaseTable):
    name = tables.Column(linkify=True)
    industries = tables.ManyToManyColumn(verbose_name=_("对应国民经济行业"), separator="、")

    class Meta(BaseTable.Meta):
        model = PillarIndustry
        fields = ("order", "name", "industries", "group")


class CommitteeTable(BaseTable):
    name = tables.Column(linkify=True)
    director = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Committee
        fields = ("name", "pillar", "director", "vice_director", "secretary", "founded", "active")


class CommitteeMembershipTable(BaseTable):
    organisation = tables.Column(linkify=True)
    role = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = CommitteeMembership
        fields = ("committee", "organisation", "role", "person_name", "joined", "left")


class GuidanceCommitteeTable(BaseTable):
    name = tables.Column(linkify=True)
    school = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = GuidanceCommittee
        fields = ("name", "school", "major", "committee", "founded", "active")


class GuidanceMemberTable(BaseTable):
    person_name = tables.Column(linkify=True)
    organisation = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = GuidanceMember
        fields = ("person_name", "organisation", "person_title", "role", "committee", "joined", "left")


class TimelineTable(BaseTable):
    """The enterprise timeline: heterogeneous entries from ``services.enterprise_timeline``."""

    date = tables.DateColumn(verbose_name=_("日期"), format="Y-m-d")
    kind = tables.Column(verbose_name=_("类别"))
    title = tables.Column(verbose_name=_("事项"), linkify=lambda record: record.url or None)
    detail = tables.Column(verbose_name=_("说明"), orderable=False)

    class Meta(BaseTable.Meta):
        orderable = False

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(list(data), *args, **kwargs)
