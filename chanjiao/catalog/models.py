"""Reference code tables: read-only for users, loaded by ``manage.py load_catalogs``.

Each row keeps its official code; ``edition`` names the version of the standard it comes from.
``initials`` holds the pinyin initials of the name so that "jsjyy" finds 计算机应用.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel


class CatalogModel(AuditedModel):
    public_read = True  # every signed-in user may browse the code tables
    read_only_model = True  # …and nobody edits them through the UI or API

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    initials = models.CharField(_("拼音首字母"), max_length=100, blank=True, db_index=True)
    edition = models.CharField(_("版本"), max_length=20)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Region(CatalogModel):
    """行政区划 (GB/T 2260 / 国家统计局统计用区划代码): province, city, county, township."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡级")

    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("上级"))

    class Meta(CatalogModel.Meta):
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")


class Industry(CatalogModel):
    """国民经济行业分类 GB/T 4754-2017: 门类 (A–T), 大类 (2 digits), 中类 (3), 小类 (4)."""

    class Level(models.IntegerChoices):
        SECTION = 1, _("门类")
        DIVISION = 2, _("大类")
        GROUP = 3, _("中类")
        CLASS = 4, _("小类")

    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    section = models.CharField(_("门类代码"), max_length=1, db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("上级"))
    description = models.TextField(_("说明"), blank=True)
    # The 198 中类 that contain one 小类 have no row in the standard; we derive them from that 小类.
    derived = models.BooleanField(_("由小类派生"), default=False)

    class Meta(CatalogModel.Meta):
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")


class Occupation(CatalogModel):
    """中华人民共和国职业分类大典 (2022): 大类, 中类, 小类, 细类 (职业)."""

    class Level(models.IntegerChoices):
        MAJOR = 1, _("大类")
        MIDDLE = 2, _("中类")
        MINOR = 3, _("小类")
        DETAIL = 4, _("细类")

    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("上级"))
    gbm = models.CharField(_("GB/T 6565代码"), max_length=10, blank=True)

    class Meta(CatalogModel.Meta):
        verbose_name = _("职业")
        verbose_name_plural = _("职业")


class Major(CatalogModel):
    """职业教育专业目录 (2021): one row per major, with its 专业大类 and 专业类."""

    class Level(models.TextChoices):
        SECONDARY = "secondary", _("中等职业教育")
        ASSOCIATE = "associate", _("高等职业教育专科")
        BACHELOR = "bachelor", _("高等职业教育本科")

    level = models.CharField(_("层次"), max_length=10, choices=Level.choices, db_index=True)
    category_code = models.CharField(_("专业大类代码"), max_length=2)
    category_name = models.CharField(_("专业大类"), max_length=60)
    class_code = models.CharField(_("专业类代码"), max_length=4, db_index=True)
    class_name = models.CharField(_("专业类"), max_length=60)
    state_controlled = models.BooleanField(_("国控专业"), default=False)

    class Meta(CatalogModel.Meta):
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
