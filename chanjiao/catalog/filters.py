from __future__ import annotations

from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.core.filters import SearchFilterSet


class CatalogFilterSet(SearchFilterSet):
    search_fields = ("code", "name")


class RegionFilterSet(CatalogFilterSet):
    class Meta:
        model = Region
        fields = ["level", "parent"]


class IndustryFilterSet(CatalogFilterSet):
    class Meta:
        model = Industry
        fields = ["level", "section", "parent"]


class OccupationFilterSet(CatalogFilterSet):
    class Meta:
        model = Occupation
        fields = ["level", "parent"]


class MajorFilterSet(CatalogFilterSet):
    class Meta:
        model = Major
        fields = ["level", "category_code", "class_code", "state_controlled"]
