"""Browse/search pages of the code tables: list, detail (with the next level down), history, export.

No form is declared, so there are no add/edit/delete pages; the models are ``read_only_model``
as well, so nothing is editable through the API either.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chanjiao.catalog import filters, tables
from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.core.registry import ModelUI, Tab, register

GROUP = _("标准代码")


def _same_class(major: Any) -> Q:
    return Q(class_code=major.class_code) & ~Q(pk=major.pk)


majors = register(ModelUI(
    Major, filters.MajorFilterSet, tables.MajorTable, menu_group=GROUP, icon="school", menu_order=800,
    detail_fields=["code", "name", "level", "category_code", "category_name", "class_code", "class_name",
                   "state_controlled", "edition"],
))
industries = register(ModelUI(
    Industry, filters.IndustryFilterSet, tables.IndustryTable, menu_group=GROUP, icon="building-factory",
    menu_order=810,
    detail_fields=["code", "name", "level", "section", "parent", "derived", "description", "edition"],
))
occupations = register(ModelUI(
    Occupation, filters.OccupationFilterSet, tables.OccupationTable, menu_group=GROUP, icon="briefcase",
    menu_order=820, detail_fields=["code", "name", "level", "parent", "gbm", "edition"],
))
regions = register(ModelUI(
    Region, filters.RegionFilterSet, tables.RegionTable, menu_group=GROUP, icon="map", menu_order=830,
    detail_fields=["code", "name", "level", "parent", "edition"],
))

# Declared after all four exist because a tab names the ModelUI whose table it shows.
majors.tabs = [Tab(_("同专业类的其他专业"), majors, via=_same_class)]
industries.tabs = [Tab(_("下级行业"), industries, via="parent")]
occupations.tabs = [Tab(_("下级职业"), occupations, via="parent")]
regions.tabs = [Tab(_("下级区划"), regions, via="parent")]
