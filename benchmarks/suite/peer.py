"""The peer of our importer for the import benchmark: a django-import-export ModelResource with the same
Chinese columns as ``EnterpriseImporter``, written the way a Django team would (imported only in the
benchmark's child process: django-import-export is installed for the benchmark, not for the platform)."""

from __future__ import annotations

from typing import Any

from import_export import fields, instance_loaders, resources, widgets

from chanjiao.catalog.models import Industry, Region
from chanjiao.orgs.models import Enterprise


class LabelChoiceWidget(widgets.Widget):
    """A choice column by its Chinese label ("中型" → "medium"); an unknown label is an error."""

    def __init__(self, choices: Any) -> None:
        super().__init__()
        self.by_label = {str(label): value for value, label in choices}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value in (None, ""):
            return ""
        try:
            return self.by_label[str(value).strip()]
        except KeyError:
            raise ValueError(f"unknown choice {value!r}") from None


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["是", *widgets.BooleanWidget.TRUE_VALUES]
    FALSE_VALUES = ["否", *widgets.BooleanWidget.FALSE_VALUES]


class EnterpriseResource(resources.ModelResource):
    uscc = fields.Field("uscc", column_name="统一社会信用代码")
    name = fields.Field("name", column_name="企业名称")
    short_name = fields.Field("short_name", column_name="简称")
    industry = fields.Field("industry", column_name="行业代码", widget=widgets.ForeignKeyWidget(Industry, "code"))
    size = fields.Field("size", column_name="企业规模",
                        widget=LabelChoiceWidget(Enterprise._meta.get_field("size").choices))
    ownership = fields.Field("ownership", column_name="所有制",
                             widget=LabelChoiceWidget(Enterprise._meta.get_field("ownership").choices))
    headcount = fields.Field("headcount", column_name="从业人数", widget=widgets.IntegerWidget())
    headcount_date = fields.Field("headcount_date", column_name="人数统计日期", widget=widgets.DateWidget("%Y-%m-%d"))
    is_leading = fields.Field("is_leading", column_name="是否龙头企业", widget=YesNoWidget())
    region = fields.Field("region", column_name="所在区县代码", widget=widgets.ForeignKeyWidget(Region, "code"))
    address = fields.Field("address", column_name="地址")

    class Meta:
        model = Enterprise
        import_id_fields = ("uscc",)
        fields = ("uscc", "name", "short_name", "industry", "size", "ownership", "headcount", "headcount_date",
                  "is_leading", "region", "address")
        skip_unchanged = True
        # What its documentation advises for large files ("Bulk imports", "Performance"): existing rows
        # looked up in one query (CachedInstanceLoader), no per-row diff, and instances written with
        # bulk_create in batches instead of one save() each. Foreign keys stay one query per cell.
        instance_loader_class = instance_loaders.CachedInstanceLoader
        skip_diff = True
        use_bulk = True
        batch_size = 1000
