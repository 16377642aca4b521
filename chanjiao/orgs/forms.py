from __future__ import annotations

from chanjiao.core.forms import ScopedModelForm
from chanjiao.orgs.models import Department, Enterprise, School


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = ["name", "short_name", "school_code", "school_level", "funding", "competent_authority", "region",
                  "address", "website"]


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "short_name", "uscc", "industry", "size", "ownership", "headcount", "headcount_date",
                  "is_leading", "integration_status", "region", "address", "website"]


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "is_industry_authority", "region", "address", "website"]
