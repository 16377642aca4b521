from django.utils.translation import gettext_lazy as _

from chanjiao.catalog import filters, tables
from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.core.registry import ModelUI, register

GROUP = _("标准代码")

majors = register(ModelUI(Major, filters.MajorFilterSet, tables.MajorTable, menu_group=GROUP, icon="school",
                          menu_order=800))
industries = register(ModelUI(Industry, filters.IndustryFilterSet, tables.IndustryTable, menu_group=GROUP,
                              icon="building-factory", menu_order=810))
occupations = register(ModelUI(Occupation, filters.OccupationFilterSet, tables.OccupationTable, menu_group=GROUP,
                               icon="briefcase", menu_order=820))
regions = register(ModelUI(Region, filters.RegionFilterSet, tables.RegionTable, menu_group=GROUP, icon="map",
                           menu_order=830))
