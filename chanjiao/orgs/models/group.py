"""The vocational group's structure: the group, its board (terms and seats), pillar industries and
their 产学合作委员会 — public within the group, edited by the global writers."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.scoping import CHANGE, Scope, ScopedQuerySet, get_scope, nothing, region_q
from chanjiao.orgs.models.organisations import Organisation, OrgKind, School
from chanjiao.orgs.models.people import Contact


class GroupPublicMixin:
    """Group structure is public within the group: every business user reads it; global writers edit.

    A group belongs to the jurisdiction that runs it (``VocationalGroup.region``): a bounded bureau
    edits the structures of its own region and reads those of the regions that contain it too (a
    county bureau reads its city's group)."""

    group_region_path: ClassVar[str] = "group__region__code"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE and scope.business_user:
            return Q()
        return None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q(cls.group_region_path, codes, covering=action != CHANGE)


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
    # Issue #8 point 0: the jurisdiction that runs the group (usually a city): its bureau edits it.
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("所属辖区"), limit_choices_to={"level__lte": 3},
                               help_text=_("举办该集团的省、市或区县"))

    group_region_path = "region__code"
    jurisdiction_field: ClassVar[str] = "region"

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
        ordering = ["group__name", "-number", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="board_term_unique")]

    label_related = ("group",)

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

    group_region_path = "term__group__region__code"

    class Meta:
        verbose_name = _("理事会席位")
        verbose_name_plural = _("理事会席位")
        ordering = ["term", "role", "organisation__name", "id"]

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
        ordering = ["group__name", "order", "name", "id"]
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
        ordering = ["group__name", "pillar__order", "name", "id"]
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

