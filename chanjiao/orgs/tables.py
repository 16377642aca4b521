from __future__ import annotations

import django_tables2 as tables

from chanjiao.core.tables import BaseTable
from chanjiao.orgs.models import Department, Enterprise, School


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
