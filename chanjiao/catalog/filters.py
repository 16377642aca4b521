"""One FilterSet per code table, shared by the list pages and the API (``?q=jsjyy&level=…``)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.core.filters import SearchFilterSet
from chanjiao.core.scoping import unscoped

# Choices callables get no request: the catalogs are public reference data, read by everyone.
CATALOG_CHOICES = "catalog choices: public reference data, the same for every user"


def _industry_sections() -> list[tuple[str, str]]:
    # Read when the form is built, so the choices follow what load_catalogs stored.
    with unscoped(CATALOG_CHOICES):
        return [(code, f"{code} {name}") for code, name in
                Industry.objects.filter(level=Industry.Level.SECTION).values_list("code", "name")]


def _major_categories() -> list[tuple[str, str]]:
    # 专业大类 share their names across the three levels (61/41/21 农林牧渔大类): filter by name.
    with unscoped(CATALOG_CHOICES):
        names = Major.objects.order_by("category_name").values_list("category_name", flat=True).distinct()
        return [(name, name) for name in names]


class CatalogFilterSet(SearchFilterSet):
    """``q`` matches code, name and pinyin initials; ``parent_code`` lists the children of one row.

    A code box instead of a ``parent`` select: a select would render thousands of options.
    """

    search_fields = ("code", "name")
    parent_code = django_filters.CharFilter(field_name="parent__code", label=_("上级代码"))


class RegionFilterSet(CatalogFilterSet):
    class Meta:
        model = Region
        fields = ["level"]


class IndustryFilterSet(CatalogFilterSet):
    section = django_filters.ChoiceFilter(choices=_industry_sections, label=_("门类"))

    class Meta:
        model = Industry
        fields = ["level", "section", "derived"]


class OccupationFilterSet(CatalogFilterSet):
    class Meta:
        model = Occupation
        fields = ["level"]


class MajorFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "class_name")
    category_name = django_filters.ChoiceFilter(choices=_major_categories, label=_("专业大类"))
    class_code = django_filters.CharFilter(label=_("专业类代码"))

    class Meta:
        model = Major
        fields = ["level", "category_name", "class_code", "state_controlled"]
