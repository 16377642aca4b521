"""Organisations: schools, enterprises, government departments, associations, institutes.

One table for every kind (one shared record per real organisation, one foreign key for memberships
and scoping), with proxy models per kind for their own pages, forms, filters and imports.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import blocking_reasons, enforce
from chanjiao.core.scoping import CHANGE, Scope, ScopedManager, ScopedQuerySet, nothing, region_q
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin
from chanjiao.orgs.validators import validate_school_code, validate_uscc


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
    """产教融合型企业 lifecycle (PE-02 先建后认, PE-09): applied → 入库培育 → certified → removed."""

    NONE = "none", _("未申报")
    APPLIED = "applied", _("已申报")
    CULTIVATING = "cultivating", _("培育库")
    CERTIFIED = "certified", _("产教融合型企业")
    REMOVED = "removed", _("已移出")


def is_county(code: str) -> bool:
    """A county-level jurisdiction under a city. The counties "directly under the province" (the
    statistics code's xx90 group: 仙桃, 潜江, 天门, 神农架) are run like cities and count as one."""
    return len(code) >= 6 and code[2:4] != "90"


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
    school_code = models.CharField(_("学校标识码"), max_length=10, null=True, blank=True, unique=True,
                                   validators=[validate_school_code], help_text=_("10位数字"))
    school_level = models.CharField(_("办学层次"), max_length=20, choices=SchoolLevel.choices, blank=True)
    funding = models.CharField(_("办学性质"), max_length=10, choices=SchoolFunding.choices, blank=True)
    competent_authority = models.CharField(_("主管部门"), max_length=100, blank=True)
    # Enterprises (and associations / institutes, which hold a USCC too)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True,
                            validators=[validate_uscc], help_text=_("18位，含校验位"))
    industry = models.ForeignKey("catalog.Industry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("所属行业"))
    size = models.CharField(_("企业规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    ownership = models.CharField(_("所有制"), max_length=12, choices=Ownership.choices, blank=True)
    headcount = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    headcount_date = models.DateField(_("人数统计日期"), null=True, blank=True)
    is_leading = models.BooleanField(_("龙头企业"), default=False)
    # Registration date (营业执照 成立日期): rule PE-08 counts the years registered from it.
    established = models.DateField(_("成立日期"), null=True, blank=True)
    # Moves only through Enterprise.workflow (set_status), never through a form or an import.
    integration_status = models.CharField(_("产教融合型企业"), max_length=12, choices=IntegrationStatus.choices,
                                          default=IntegrationStatus.NONE)
    # Departments
    is_industry_authority = models.BooleanField(_("行业主管部门"), default=False)

    kind_value: ClassVar[str | None] = None
    # The field that places the row in a jurisdiction: a bounded bureau must keep it within its own.
    jurisdiction_field: ClassVar[str] = "region"
    # A school admin edits their school but never deletes it; only the bureau/secretariat may.
    owner_may_delete = False

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name", "id"]
        indexes = [models.Index(fields=["kind", "name"], name="org_kind_name_idx")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The registry is city-wide (schools must see which firms others already work with);
        # each organisation is edited by its own people.
        if action != CHANGE:
            # The system administrators read no business pages (AC-07). The security admin picks
            # organisations by name when granting a role: Membership.organisation_choices, not this rule.
            return Q() if scope.business_user else None
        own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT, Role.INDUSTRY_AUTHORITY)
        return Q(pk__in=own) if own else None

    @classmethod
    def own_jurisdiction_q(cls, codes: frozenset[str]) -> Q:
        """The organisations a bureau of ``codes`` answers for: those registered in its province or
        city; a county bureau (区县教育局) answers for its county's schools."""
        q = nothing()
        for code in codes:
            here = region_q("region__code", [code])
            q |= here & Q(kind=OrgKind.SCHOOL) if is_county(code) else here
        return q

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # Writes: its own organisations only. Reads: also those cooperating with them, wherever they
        # are registered (an enterprise of another city on one of its schools' committees).
        if action == CHANGE:
            return cls.own_jurisdiction_q(codes)
        from chanjiao.orgs.cooperation import cooperating_q

        return cls.own_jurisdiction_q(codes) | cooperating_q(codes)

    def normalise(self) -> None:
        """Codes are stored upper-case without blanks; an empty code is NULL so UNIQUE allows many."""
        if self.kind_value and not self.kind:
            self.kind = self.kind_value
        self.school_code = (self.school_code or "").strip() or None
        self.uscc = (self.uscc or "").replace(" ", "").replace("-", "").upper() or None

    def clean(self) -> None:
        self.normalise()
        errors: dict[str, Any] = {}
        if self.school_code and self.kind != OrgKind.SCHOOL:
            errors["school_code"] = _("只有学校才填写学校标识码。")
        if errors:
            raise ValidationError(errors)
        enforce(self)  # the organisation rules (orgs/rules.py)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalise()
        if not self.initials:
            from chanjiao.core.text import pinyin_initials

            self.initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)


class KindManager(ScopedManager):
    def __init__(self, kind: str | None = None) -> None:
        # Django builds a many-to-many manager (``agreement.schools``) from this class without
        # arguments: the kind then comes from the proxy it manages.
        super().__init__()
        self._kind = kind

    @property
    def kind(self) -> str | None:
        return self._kind or self.model.kind_value

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
        # A proxy does not inherit the parent's ordering: without one, pages are unstable on PostgreSQL.
        ordering = ["name", "id"]


def _bureau(scope: Scope, obj: Any) -> bool:
    # Review, 入库, 认定 and 移出 are the authorities' (PE-03, PE-09): in the platform, the bureau.
    return scope.has(Role.BUREAU_ADMIN)


def _bureau_or_own_contact(scope: Scope, obj: Any) -> bool:
    # The enterprise applies itself (企业自愿, PE-02); the bureau may file on its behalf.
    return scope.has(Role.BUREAU_ADMIN) or obj.pk in scope.orgs(Role.ENTERPRISE_CONTACT)


def _application_complete(obj: Organisation) -> list[str]:
    """What an application needs (PE-04, PE-06): the enterprise identified and its industry known."""
    reasons = []
    if not obj.uscc:
        reasons.append(gettext("申报前须填写统一社会信用代码。"))
    if obj.industry_id is None:
        reasons.append(gettext("申报前须填写所属行业。"))
    return reasons


def _apply_guard(obj: Organisation) -> list[str]:
    """The application's completeness and the blocking 申报 rules (orgs/rules.py: PE-01, PE-08 …)."""
    return [*_application_complete(obj), *blocking_reasons(obj, "apply")]


_S = IntegrationStatus
INTEGRATION_WORKFLOW = Workflow("integration_status", [
    Transition("apply", (_S.NONE, _S.REMOVED), _S.APPLIED, label=_("申报"), allowed=_bureau_or_own_contact,
               guard=_apply_guard),
    Transition("withdraw", _S.APPLIED, _S.NONE, label=_("撤回申报"), allowed=_bureau_or_own_contact,
               style="secondary"),
    Transition("admit", _S.APPLIED, _S.CULTIVATING, label=_("审核入库"), allowed=_bureau,
               guard=_apply_guard),
    Transition("return", _S.APPLIED, _S.NONE, label=_("退回申报"), allowed=_bureau, note_required=True,
               style="secondary"),
    Transition("certify", _S.CULTIVATING, _S.CERTIFIED, label=_("认定"), allowed=_bureau),
    Transition("remove", (_S.CULTIVATING, _S.CERTIFIED), _S.REMOVED, label=_("移出"), allowed=_bureau,
               note_required=True, style="danger"),
])


class Enterprise(WorkflowMixin, Organisation):
    """企业 — one shared record per 统一社会信用代码 for the whole city."""

    kind_value = OrgKind.ENTERPRISE
    objects = KindManager(OrgKind.ENTERPRISE)
    # 产教融合型企业 status: a transition with history, never a form field (issue #7).
    workflow = INTEGRATION_WORKFLOW

    class Meta:
        proxy = True
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]


class Department(Organisation):
    """政府部门 and 行业主管部门 (商务局, 农业农村局, 卫健委 …)."""

    kind_value = OrgKind.DEPARTMENT
    objects = KindManager(OrgKind.DEPARTMENT)

    class Meta:
        proxy = True
        verbose_name = _("政府部门")
        verbose_name_plural = _("政府部门")
        ordering = ["name", "id"]


class Association(Organisation):
    """行业协会 — members of the group alongside schools and enterprises."""

    kind_value = OrgKind.ASSOCIATION
    objects = KindManager(OrgKind.ASSOCIATION)

    class Meta:
        proxy = True
        verbose_name = _("行业协会")
        verbose_name_plural = _("行业协会")
        ordering = ["name", "id"]


class Institute(Organisation):
    """科研机构 — research institutes that join committees and guidance committees."""

    kind_value = OrgKind.INSTITUTE
    objects = KindManager(OrgKind.INSTITUTE)

    class Meta:
        proxy = True
        verbose_name = _("科研机构")
        verbose_name_plural = _("科研机构")
        ordering = ["name", "id"]

