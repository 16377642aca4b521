from __future__ import annotations

from chanjiao.core.filters import SearchFilterSet
from chanjiao.orgs.models import Department, Enterprise, School


class SchoolFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "school_code")

    class Meta:
        model = School
        fields = ["school_level", "funding", "region"]


class EnterpriseFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "uscc")

    class Meta:
        model = Enterprise
        fields = ["size", "ownership", "is_leading", "integration_status", "region", "industry"]


class DepartmentFilterSet(SearchFilterSet):
    class Meta:
        model = Department
        fields = ["is_industry_authority", "region"]
