from __future__ import annotations

import django_tables2 as tables

from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.core.tables import BaseTable


class RegionTable(BaseTable):
    code = tables.Column(linkify=True)
    parent = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "level", "parent")


class IndustryTable(BaseTable):
    code = tables.Column(linkify=True)
    parent = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Industry
        fields = ("code", "name", "level", "section", "parent", "derived")


class OccupationTable(BaseTable):
    code = tables.Column(linkify=True)
    parent = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Occupation
        fields = ("code", "name", "level", "parent")


class MajorTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Major
        fields = ("code", "name", "level", "category_name", "class_code", "class_name", "state_controlled")
