"""Organisations: schools, enterprises, government departments, associations, institutes.

One table for every kind (one shared record per real organisation, one foreign key for memberships
and scoping), with proxy models per kind for their own pages, forms, filters and imports.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import ADMIN_ROLES, Role
from chanjiao.core.scoping import CHANGE, Scope, ScopedManager, ScopedQuerySet


class OrgKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    DEPARTMENT = "department", _("政府部门")
    ASSOCIATION = "association", _("行业协会")
    INSTITUTE = "institute", _("科研机构")


class SchoolLevel(models.TextChoices):
    SECONDARY = "secondary", _("中职")
    ASSOCIATE = "associate", _("高职专科")
    BACHELOR_VOC = "bachelor_voc", _("职业本科")
    BACHELOR = "bachelor", _("本科")


class SchoolFunding(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class EnterpriseSize(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Ownership(models.TextChoices):
    STATE = "state", _("国有")
    COLLECTIVE = "collective", _("集体")
    PRIVATE = "private", _("民营")
    FOREIGN = "foreign", _("外资")
    HMT = "hmt", _("港澳台")
    MIXED = "mixed", _("混合所有制")


class IntegrationStatus(models.TextChoices):
    NONE = "none", _("未申报")
    CULTIVATING = "cultivating", _("培育库")
    CERTIFIED = "certified", _("产教融合型企业")


class Organisation(AuditedModel):
    """A school, enterprise, department, association or institute — one row per real body."""

    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=100, blank=True, db_index=True)
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("所在区县"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Schools
    school_code = models.CharField(_("学校标识码"), max_length=10, null=True, blank=True, unique=True)
    school_level = models.CharField(_("办学层次"), max_length=20, choices=SchoolLevel.choices, blank=True)
    funding = models.CharField(_("办学性质"), max_length=10, choices=SchoolFunding.choices, blank=True)
    competent_authority = models.CharField(_("主管部门"), max_length=100, blank=True)
    # Enterprises
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True)
    industry = models.ForeignKey("catalog.Industry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("所属行业"))
    size = models.CharField(_("企业规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    ownership = models.CharField(_("所有制"), max_length=12, choices=Ownership.choices, blank=True)
    headcount = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    headcount_date = models.DateField(_("人数统计日期"), null=True, blank=True)
    is_leading = models.BooleanField(_("龙头企业"), default=False)
    integration_status = models.CharField(_("产教融合型企业"), max_length=12, choices=IntegrationStatus.choices,
                                          default=IntegrationStatus.NONE)
    # Departments
    is_industry_authority = models.BooleanField(_("行业主管部门"), default=False)

    kind_value: ClassVar[str | None] = None

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "name"], name="org_kind_name_idx")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The registry is city-wide (schools must see which firms others already work with);
        # each organisation is edited by its own people.
        if action != CHANGE:
            return Q() if (scope.business_user or scope.roles & ADMIN_ROLES) else None
        own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT, Role.INDUSTRY_AUTHORITY)
        return Q(pk__in=own) if own else None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.kind_value and not self.kind:
            self.kind = self.kind_value
        if not self.initials:
            from chanjiao.core.text import pinyin_initials

            self.initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)


class KindManager(ScopedManager):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def get_queryset(self) -> ScopedQuerySet:
        return super().get_queryset().filter(kind=self.kind)


class School(Organisation):
    """学校 (中职, 高职专科, 职业本科, 本科)."""

    kind_value = OrgKind.SCHOOL
    objects = KindManager(OrgKind.SCHOOL)

    class Meta:
        proxy = True
        verbose_name = _("学校")
        verbose_name_plural = _("学校")


class Enterprise(Organisation):
    """企业 — one shared record per 统一社会信用代码 for the whole city."""

    kind_value = OrgKind.ENTERPRISE
    objects = KindManager(OrgKind.ENTERPRISE)

    class Meta:
        proxy = True
        verbose_name = _("企业")
        verbose_name_plural = _("企业")


class Department(Organisation):
    """政府部门 and 行业主管部门 (商务局, 农业农村局, 卫健委 …)."""

    kind_value = OrgKind.DEPARTMENT
    objects = KindManager(OrgKind.DEPARTMENT)

    class Meta:
        proxy = True
        verbose_name = _("政府部门")
        verbose_name_plural = _("政府部门")
