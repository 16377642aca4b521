"""People at organisations: contacts (any organisation) and a school's teachers."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import enforce
from chanjiao.core.scoping import CHANGE, Scope, nothing, region_q
from chanjiao.orgs.models.organisations import Organisation, School
from chanjiao.orgs.validators import validate_phone

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
    owner_fields: ClassVar[tuple[str, ...]] = ("organisation",)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["organisation__name", "-is_primary", "name", "id"]

    label_related = ("organisation",)

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
            # Imported here: memberships.py builds on this module (its models point at organisations' people).
            from chanjiao.orgs.models.group import Committee
            from chanjiao.orgs.models.memberships import CommitteeMembership

            # A committee leader reaches the people of their committee's members (phones stay masked).
            members = CommitteeMembership.objects.filter(
                Committee.led_by_q(scope, prefix="committee__"), left__isnull=True,
            ).values("organisation_id")
            q |= Q(organisation_id__in=members)
        return q

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # The people of the organisations the bureau reaches (reads) or answers for (writes).
        organisations = Organisation._base_manager.filter(Organisation.jurisdiction_q(codes, action))
        return Q(organisation_id__in=organisations.values("pk"))

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
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # A school's records belong to the school's region, for reads and writes alike.
        return region_q(cls.school_path.removesuffix("_id") + "__region__code", codes)

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))


class TeacherCategory(models.TextChoices):
    """Which teachers the enterprise-practice rule binds (TP-01: 专业课教师, 实习指导教师 included)."""

    SUBJECT = "subject", _("专业课教师")
    INSTRUCTOR = "instructor", _("实习指导教师")
    GENERAL = "general", _("公共基础课教师")


class Teacher(SchoolOwnedMixin, AuditedModel):
    """教师 — a school's teacher; 双师型 and enterprise experience feed the teacher-practice rules."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teachers", verbose_name=_("学校"))
    name = models.CharField(_("姓名"), max_length=60)
    employee_no = models.CharField(_("工号"), max_length=30)
    subject = models.CharField(_("任教专业/学科"), max_length=100, blank=True)
    category = models.CharField(_("教师类别"), max_length=12, choices=TeacherCategory.choices,
                                default=TeacherCategory.SUBJECT)
    is_dual_qualified = models.BooleanField(_("双师型教师"), default=False)
    enterprise_years = models.DecimalField(_("企业工作经历（年）"), max_digits=4, decimal_places=1, default=0)
    hire_date = models.DateField(_("入职日期"), null=True, blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)
    label_related = ("school",)  # __str__ names the school (a visit's visitors list them)

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school__name", "employee_no", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "employee_no"], name="teacher_employee_no_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.school}）"

    def clean(self) -> None:
        enforce(self)  # TCH-D1, TCH-D2 (orgs/rules.py)

