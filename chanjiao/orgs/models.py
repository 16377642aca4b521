"""Organisations: schools, enterprises, government departments, associations, institutes.

One table for every kind (one shared record per real organisation, one foreign key for memberships
and scoping), with proxy models per kind for their own pages, forms, filters and imports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import blocking_reasons, enforce
from chanjiao.core.scoping import CHANGE, Scope, ScopedManager, ScopedQuerySet, get_scope, nothing
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin
from chanjiao.orgs.validators import validate_phone, validate_school_code, validate_uscc


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
    # A school admin edits their school but never deletes it; only the bureau/secretariat may.
    owner_may_delete = False

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
            # The system administrators read no business pages (AC-07). The security admin picks
            # organisations by name when granting a role: Membership.organisation_choices, not this rule.
            return Q() if scope.business_user else None
        own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT, Role.INDUSTRY_AUTHORITY)
        return Q(pk__in=own) if own else None

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


class Department(Organisation):
    """政府部门 and 行业主管部门 (商务局, 农业农村局, 卫健委 …)."""

    kind_value = OrgKind.DEPARTMENT
    objects = KindManager(OrgKind.DEPARTMENT)

    class Meta:
        proxy = True
        verbose_name = _("政府部门")
        verbose_name_plural = _("政府部门")


class Association(Organisation):
    """行业协会 — members of the group alongside schools and enterprises."""

    kind_value = OrgKind.ASSOCIATION
    objects = KindManager(OrgKind.ASSOCIATION)

    class Meta:
        proxy = True
        verbose_name = _("行业协会")
        verbose_name_plural = _("行业协会")


class Institute(Organisation):
    """科研机构 — research institutes that join committees and guidance committees."""

    kind_value = OrgKind.INSTITUTE
    objects = KindManager(OrgKind.INSTITUTE)

    class Meta:
        proxy = True
        verbose_name = _("科研机构")
        verbose_name_plural = _("科研机构")


# ---------------------------------------------------------------------------------------------- people

# Roles whose membership ties them to "their own" organisation's people.
PEOPLE_OWNER_ROLES = (Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT, Role.INDUSTRY_AUTHORITY, Role.COMMITTEE_LEADER)


class Contact(AuditedModel):
    """联系人 — a person at any organisation whom the group deals with (not necessarily a user)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts",
                                     verbose_name=_("所属单位"))
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    # PIPL: the log keeps only a masked number.
    audit_masked = ("phone",)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["organisation__name", "-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action == CHANGE:
            own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT, Role.INDUSTRY_AUTHORITY)
            return Q(organisation_id__in=own) if own else None
        own = scope.orgs(*PEOPLE_OWNER_ROLES)
        q = Q(organisation_id__in=own) if own else nothing()
        if scope.has(Role.COMMITTEE_LEADER):
            # A committee leader reaches the people of their committee's members (phones stay masked).
            members = CommitteeMembership.objects.filter(
                Committee.led_by_q(scope, prefix="committee__"), left__isnull=True,
            ).values("organisation_id")
            q |= Q(organisation_id__in=members)
        return q

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT,
                                                   Role.INDUSTRY_AUTHORITY))

    def phone_visible_to(self, scope: Scope) -> bool:
        """The full number is for the contact's own organisation and the global roles only."""
        return scope.reads_all or self.organisation_id in scope.orgs()

    def phone_for(self, scope: Scope) -> str:
        from chanjiao.core.audit import mask

        if not self.phone:
            return ""
        return self.phone if self.phone_visible_to(scope) else mask(self.phone)


class SchoolOwnedMixin:
    """Rule shared by the records a school owns (teachers, guidance committees)."""

    school_path = "school_id"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        own = scope.orgs(Role.SCHOOL_ADMIN)
        return Q(**{f"{cls.school_path}__in": own}) if own else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))


class Teacher(SchoolOwnedMixin, AuditedModel):
    """教师 — a school's teacher; 双师型 and enterprise experience feed the teacher-practice rules."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teachers", verbose_name=_("学校"))
    name = models.CharField(_("姓名"), max_length=60)
    employee_no = models.CharField(_("工号"), max_length=30)
    subject = models.CharField(_("任教专业/学科"), max_length=100, blank=True)
    is_dual_qualified = models.BooleanField(_("双师型教师"), default=False)
    enterprise_years = models.DecimalField(_("企业工作经历（年）"), max_digits=4, decimal_places=1, default=0)
    hire_date = models.DateField(_("入职日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school__name", "employee_no"]
        constraints = [models.UniqueConstraint(fields=["school", "employee_no"], name="teacher_employee_no_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.school}）"

    def clean(self) -> None:
        enforce(self)  # TCH-D1, TCH-D2 (orgs/rules.py)


# ------------------------------------------------------------------------------- the vocational group


class GroupPublicMixin:
    """Group structure is public within the group: every business user reads it; global writers edit."""

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE and scope.business_user:
            return Q()
        return None


class VocationalGroup(GroupPublicMixin, AuditedModel):
    """职业教育集团 — schools, enterprises and departments of a city under one board and secretariat."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    approved_by = models.CharField(_("批准机关"), max_length=100, blank=True)
    secretariat = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="secretariat_of",
                                    verbose_name=_("秘书处所在单位"), help_text=_("通常为市教育局（职教处）"))
    lead_school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="leads_groups", verbose_name=_("牵头院校"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("职教集团")
        verbose_name_plural = _("职教集团")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BoardTerm(GroupPublicMixin, AuditedModel):
    """理事会届次 — a term of the board; a re-election (换届) ends one term and starts the next."""

    group = models.ForeignKey(VocationalGroup, on_delete=models.CASCADE, related_name="terms",
                              verbose_name=_("职教集团"))
    number = models.PositiveSmallIntegerField(_("届次"))
    elected_at = models.DateField(_("换届日期"), null=True, blank=True)
    start_date = models.DateField(_("任期开始"))
    end_date = models.DateField(_("任期结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("理事会届次")
        verbose_name_plural = _("理事会届次")
        ordering = ["group__name", "-number"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="board_term_unique")]

    def __str__(self) -> str:
        return _("%(group)s 第%(n)d届理事会") % {"group": self.group.short_name or self.group.name, "n": self.number}

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("任期结束日期不能早于开始日期。")})

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date >= dt.date.today()


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("理事长")
    VICE_CHAIR = "vice_chair", _("副理事长")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general", _("副秘书长")
    DIRECTOR = "director", _("理事")


SEAT_ORDER = {role: i for i, role in enumerate(SeatRole.values)}


class BoardSeat(GroupPublicMixin, AuditedModel):
    """理事会席位 — who holds which seat in one term (the seats of past terms stay as history)."""

    term = models.ForeignKey(BoardTerm, on_delete=models.CASCADE, related_name="seats", verbose_name=_("届次"))
    role = models.CharField(_("职务"), max_length=30, choices=SeatRole.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="board_seats",
                                     verbose_name=_("单位"))
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="board_seats",
                                verbose_name=_("联系人"))
    person_name = models.CharField(_("姓名"), max_length=60, blank=True)
    person_title = models.CharField(_("职务（本单位）"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("理事会席位")
        verbose_name_plural = _("理事会席位")
        ordering = ["term", "role", "organisation__name"]

    def __str__(self) -> str:
        who = self.person_name or (self.contact.name if self.contact_id else "")
        return f"{self.get_role_display()} {self.organisation}{' ' + who if who else ''}"

    def clean(self) -> None:
        if self.contact_id and self.organisation_id and self.contact.organisation_id != self.organisation_id:
            raise ValidationError({"contact": _("联系人必须属于该席位的单位。")})


class PillarIndustry(GroupPublicMixin, AuditedModel):
    """百亿产业 — a pillar industry of the city, mapped onto GB/T 4754 industry codes."""

    group = models.ForeignKey(VocationalGroup, on_delete=models.CASCADE, related_name="pillar_industries",
                              verbose_name=_("职教集团"))
    name = models.CharField(_("名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    industries = models.ManyToManyField("catalog.Industry", blank=True, related_name="pillar_industries",
                                        verbose_name=_("对应国民经济行业"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("百亿产业")
        verbose_name_plural = _("百亿产业")
        ordering = ["group__name", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="pillar_industry_unique")]

    def __str__(self) -> str:
        return self.name

    def industry_q(self, prefix: str = "industry__") -> Q:
        """Rows whose industry code falls under one of this pillar's codes (any level)."""
        q = nothing()
        for code in self.industries.values_list("code", flat=True):
            q |= Q(**{f"{prefix}code__startswith": code})
        return q


class Committee(GroupPublicMixin, AuditedModel):
    """产学合作委员会 — one per pillar industry, chaired by an industry authority or a leading enterprise."""

    group = models.ForeignKey(VocationalGroup, on_delete=models.CASCADE, related_name="committees",
                              verbose_name=_("职教集团"))
    pillar = models.ForeignKey(PillarIndustry, on_delete=models.PROTECT, related_name="committees",
                               verbose_name=_("百亿产业"))
    name = models.CharField(_("名称"), max_length=100)
    director = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="directs_committees",
                                 verbose_name=_("主任单位"), help_text=_("行业主管部门或行业龙头企业"))
    vice_director = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="vice_directs_committees", verbose_name=_("副主任单位"))
    secretary = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="secretary_of_committees", verbose_name=_("秘书单位"))
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    active = models.BooleanField(_("存续"), default=True)

    class Meta:
        verbose_name = _("产学合作委员会")
        verbose_name_plural = _("产学合作委员会")
        ordering = ["group__name", "pillar__order", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="committee_name_unique")]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def led_by_q(scope: Scope, prefix: str = "") -> Q:
        """Committees a committee leader runs: their organisation directs, vice-directs or is secretary.

        The one statement of the committee-leader rule; ``prefix`` applies it from a related model
        (``"committee__"`` on memberships). Used by CommitteeMembership.scope_q, Contact.scope_q
        and, through ``CommitteeMembership.committee_targets``, by the form and the importer."""
        orgs = scope.orgs(Role.COMMITTEE_LEADER)
        if not orgs:
            return nothing()
        return (Q(**{f"{prefix}director_id__in": orgs}) | Q(**{f"{prefix}vice_director_id__in": orgs})
                | Q(**{f"{prefix}secretary_id__in": orgs}))

    @classmethod
    def led_by(cls, user: Any) -> ScopedQuerySet:
        """The committees ``user`` runs as a committee leader (none for anyone else)."""
        return cls.objects.visible_to(user).filter(cls.led_by_q(get_scope(user)))

    def clean(self) -> None:
        if self.director_id and self.director.kind not in (OrgKind.DEPARTMENT, OrgKind.ENTERPRISE,
                                                           OrgKind.ASSOCIATION):
            raise ValidationError({"director": _("主任单位应为行业主管部门、行业协会或龙头企业。")})


class MembershipQuerySet(ScopedQuerySet):
    def current(self) -> MembershipQuerySet:
        return self.filter(left__isnull=True)

    def as_of(self, day: dt.date) -> MembershipQuerySet:
        """Who was a member on ``day`` — history is kept, so past line-ups can be reconstructed."""
        return self.filter(Q(joined__isnull=True) | Q(joined__lte=day)).filter(Q(left__isnull=True) | Q(left__gte=day))


class CommitteeRole(models.TextChoices):
    DIRECTOR = "director", _("主任单位")
    VICE_DIRECTOR = "vice_director", _("副主任单位")
    SECRETARY = "secretary", _("秘书单位")
    MEMBER = "member", _("成员单位")


class EndOnlyMixin:
    """History records are ended (``left``), never deleted: the delete page and API refuse."""

    history_record = True  # read by ScopedQuerySet.deletable_by

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied(_("成员记录不能删除，请填写退出日期以结束成员关系。"))


class CommitteeMembership(EndOnlyMixin, AuditedModel):
    """产学合作委员会成员单位 — one row per organisation, role and period; ending sets ``left``."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="memberships",
                                  verbose_name=_("产学合作委员会"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="committee_memberships",
                                     verbose_name=_("成员单位"))
    role = models.CharField(_("角色"), max_length=20, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)
    person_name = models.CharField(_("委员姓名"), max_length=60, blank=True)
    joined = models.DateField(_("加入日期"))
    left = models.DateField(_("退出日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedManager.from_queryset(MembershipQuerySet)()

    class Meta:
        verbose_name = _("产学合作委员会成员")
        verbose_name_plural = _("产学合作委员会成员")
        ordering = ["committee__name", "role", "organisation__name", "-joined"]
        indexes = [models.Index(fields=["organisation", "left"], name="committee_member_org_idx")]

    def __str__(self) -> str:
        return f"{self.committee} · {self.organisation} · {self.get_role_display()}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        return Committee.led_by_q(scope, prefix="committee__") if scope.has(Role.COMMITTEE_LEADER) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.COMMITTEE_LEADER))

    @classmethod
    def committee_targets(cls, user: Any) -> ScopedQuerySet:
        """The committees ``user`` may file members into — the CHANGE side of ``scope_q`` stated as
        committees (the committee itself is not editable by its leader; its members are). The form's
        committee choices and the importer's owner check both read it."""
        scope = get_scope(user)
        if not scope.authenticated or scope.read_only:
            return Committee.objects.visible_to(user).none()
        if scope.writes_all:
            return Committee.objects.visible_to(user)
        return Committee.led_by(user)
    def clean(self) -> None:
        enforce(self)  # MEM-D1 (orgs/rules.py)


class GuidanceCommittee(SchoolOwnedMixin, AuditedModel):
    """专业教学指导委员会 — a school's committee for a major, with enterprise members (the "capillaries")."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guidance_committees",
                               verbose_name=_("学校"))
    name = models.CharField(_("名称"), max_length=100)
    major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="guidance_committees", verbose_name=_("对应专业"))
    committee = models.ForeignKey(Committee, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="guidance_committees", verbose_name=_("所属产学合作委员会"))
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    active = models.BooleanField(_("存续"), default=True)

    class Meta:
        verbose_name = _("专业教学指导委员会")
        verbose_name_plural = _("专业教学指导委员会")
        ordering = ["school__name", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="guidance_committee_unique")]

    def __str__(self) -> str:
        return f"{self.school} {self.name}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # Part of the group's public structure; each school edits its own.
        if action != CHANGE:
            return Q() if scope.business_user else None
        return super().scope_q(scope, action)


class GuidanceRole(models.TextChoices):
    CHAIR = "chair", _("主任委员")
    VICE_CHAIR = "vice_chair", _("副主任委员")
    SECRETARY = "secretary", _("秘书")
    MEMBER = "member", _("委员")


class GuidanceMember(EndOnlyMixin, SchoolOwnedMixin, AuditedModel):
    """专业教学指导委员会委员 — an enterprise (or other) expert sitting on a school's guidance committee."""

    school_path = "committee__school_id"

    committee = models.ForeignKey(GuidanceCommittee, on_delete=models.PROTECT, related_name="members",
                                  verbose_name=_("专业教学指导委员会"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="guidance_memberships",
                                     verbose_name=_("所在单位"))
    person_name = models.CharField(_("姓名"), max_length=60)
    person_title = models.CharField(_("职务/职称"), max_length=60, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=GuidanceRole.choices, default=GuidanceRole.MEMBER)
    joined = models.DateField(_("加入日期"))
    left = models.DateField(_("退出日期"), null=True, blank=True)

    objects = ScopedManager.from_queryset(MembershipQuerySet)()

    class Meta:
        verbose_name = _("专业教学指导委员会委员")
        verbose_name_plural = _("专业教学指导委员会委员")
        ordering = ["committee__name", "role", "person_name"]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.organisation}）"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        return super().scope_q(scope, action)

    def clean(self) -> None:
        enforce(self)  # MEM-D1 (orgs/rules.py)
