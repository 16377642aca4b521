"""Memberships kept as history (ended with a leave date, never deleted): the 产学合作委员会's member
organisations, and a school's 专业教学指导委员会 with its members."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import enforce
from chanjiao.core.scoping import CHANGE, Scope, ScopedManager, ScopedQuerySet, get_scope, region_q
from chanjiao.orgs.models.group import Committee
from chanjiao.orgs.models.organisations import Organisation, School
from chanjiao.orgs.models.people import SchoolOwnedMixin


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
    # Its targets are ``committee_targets`` (the committee leader files into the committees they run).
    owner_fields: ClassVar[tuple[str, ...]] = ("committee",)

    class Meta:
        verbose_name = _("产学合作委员会成员")
        verbose_name_plural = _("产学合作委员会成员")
        ordering = ["committee__name", "role", "organisation__name", "-joined", "id"]
        indexes = [models.Index(fields=["organisation", "left"], name="committee_member_org_idx")]

    def __str__(self) -> str:
        return f"{self.committee} · {self.organisation} · {self.get_role_display()}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        return Committee.led_by_q(scope, prefix="committee__") if scope.has(Role.COMMITTEE_LEADER) else None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # Like the committee's own rule (GroupPublicMixin): the region of the group that runs it.
        return region_q("committee__group__region__code", codes, covering=action != CHANGE)

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

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)

    class Meta:
        verbose_name = _("专业教学指导委员会")
        verbose_name_plural = _("专业教学指导委员会")
        ordering = ["school__name", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="guidance_committee_unique")]

    label_related = ("school",)

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
    owner_fields: ClassVar[tuple[str, ...]] = ("committee",)

    class Meta:
        verbose_name = _("专业教学指导委员会委员")
        verbose_name_plural = _("专业教学指导委员会委员")
        ordering = ["committee__name", "role", "person_name", "id"]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.organisation}）"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        return super().scope_q(scope, action)

    def clean(self) -> None:
        enforce(self)  # MEM-D1 (orgs/rules.py)
