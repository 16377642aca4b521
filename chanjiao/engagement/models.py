"""The yearly matching cycle (校企对接, issue #9): events held through the committees, the agreements
schools and enterprises sign, and the professional development alliances founded at them.

Each record belongs to a jurisdiction (issue #8 point 0): an event to the region of the group whose
committee hosts it, an agreement to every party school's region, an alliance to its lead school's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import enforce
from chanjiao.core.scoping import CHANGE, Scope, ScopedQuerySet, get_scope, nothing, region_q, unscoped
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin
from chanjiao.orgs.models import Committee, Department, Organisation, School, SchoolOwnedMixin, Teacher, VocationalGroup


class EventKind(models.TextChoices):
    SYMPOSIUM = "symposium", gettext_lazy("校企合作座谈会")
    TOUR = "tour", gettext_lazy("职业校企行")
    TEACHER_TRAINING = "teacher_training", gettext_lazy("教师企业培训")
    COMPETITION = "competition", gettext_lazy("技能大赛")
    OTHER = "other", gettext_lazy("其他")


def _committee_leads(scope: Scope, prefix: str) -> Q:
    return Committee.led_by_q(scope, prefix=prefix) if scope.has(Role.COMMITTEE_LEADER) else nothing()


class Event(AuditedModel):
    """校企对接活动 — a symposium, tour, training or competition hosted through a 产学合作委员会.

    A symposium carries the five "一" (五个一): a policy briefing, enterprises watching a skills
    competition, agreements signed, alliances founded, a deep-matching seminar. Three are ticked here;
    "agreements signed" and "alliances founded" are proven by the agreements and alliances recorded
    with this event as theirs (``checklist``), never by a tick box."""

    kind = models.CharField(gettext_lazy("活动类型"), max_length=20, choices=EventKind.choices)
    title = models.CharField(gettext_lazy("活动名称"), max_length=200)
    date = models.DateField(gettext_lazy("日期"))
    place = models.CharField(gettext_lazy("地点"), max_length=200, blank=True)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="events",
                                  verbose_name=gettext_lazy("主办产学合作委员会"))
    co_hosts = models.ManyToManyField(Department, blank=True, related_name="co_hosted_events",
                                      verbose_name=gettext_lazy("联合主办行业主管部门"))
    policy_briefing = models.BooleanField(gettext_lazy("开展一次政策宣讲"), default=False)
    skills_show = models.BooleanField(gettext_lazy("组织企业观摩一次技能竞赛"), default=False)
    seminar = models.BooleanField(gettext_lazy("召开一次深度对接研讨会"), default=False)
    outcome = models.TextField(gettext_lazy("活动成果"), blank=True)
    # The year plan's activity this event holds (planned vs held, per committee).
    planned_activity = models.ForeignKey("engagement.PlannedActivity", on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="events", verbose_name=gettext_lazy("落实的计划活动"))

    owner_fields: ClassVar[tuple[str, ...]] = ("committee",)

    class Meta:
        verbose_name = gettext_lazy("校企对接活动")
        verbose_name_plural = gettext_lazy("校企对接活动")
        ordering = ["-date", "title", "id"]
        indexes = [models.Index(fields=["date"], name="event_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The city's events are public within the group (schools and firms see what is on); the
        # committee's leader files and edits the events of the committees they run.
        if action != CHANGE:
            return Q() if scope.business_user else None
        return _committee_leads(scope, "committee__") if scope.has(Role.COMMITTEE_LEADER) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.COMMITTEE_LEADER))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("committee__group__region__code", codes, covering=action != CHANGE)

    @classmethod
    def committee_targets(cls, user: Any) -> ScopedQuerySet:
        """The committees ``user`` may file events under — the CHANGE side of ``scope_q`` stated as
        committees: a leader runs its committees' events, not the committees (which only the global
        writers edit), so the owner field's default narrowing (``editable_by``) would offer it none."""
        editable = Committee.objects.editable_by(user)
        return editable | Committee.led_by(user) if get_scope(user).has(Role.COMMITTEE_LEADER) else editable

    def checklist(self) -> list[dict[str, Any]]:
        """The five "一" of a symposium: done or not, and what proves the two recorded ones."""
        # Counted over every record, seen by the reader or not: the proof is the event's, not the reader's.
        with unscoped("the five 一 count every agreement and alliance recorded with the event"):
            agreements = self.signed_agreements.count() if self.pk else 0
            alliances = self.founded_alliances.count() if self.pk else 0
        return [
            {"key": "policy_briefing", "label": _("一次政策宣讲"), "done": self.policy_briefing, "proof": ""},
            {"key": "skills_show", "label": _("一次技能竞赛观摩"), "done": self.skills_show, "proof": ""},
            {"key": "agreements", "label": _("一批合作协议签约"), "done": agreements > 0,
             "proof": _("本次活动签署协议 %(n)d 份") % {"n": agreements}},
            {"key": "alliances", "label": _("一批专业发展联盟成立"), "done": alliances > 0,
             "proof": _("本次活动成立联盟 %(n)d 个") % {"n": alliances}},
            {"key": "seminar", "label": _("一次深度对接研讨"), "done": self.seminar, "proof": ""},
        ]


class EventParticipation(AuditedModel):
    """An organisation invited to an event, and whether (and with how many people) it attended."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations",
                              verbose_name=gettext_lazy("活动"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="event_participations",
                                     verbose_name=gettext_lazy("单位"))
    invited = models.BooleanField(gettext_lazy("受邀"), default=True)
    attended = models.BooleanField(gettext_lazy("出席"), default=False)
    attendees = models.PositiveSmallIntegerField(gettext_lazy("出席人数"), default=0)
    people = models.CharField(gettext_lazy("出席人员"), max_length=300, blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("event",)
    label_related = ("event", "organisation")

    class Meta:
        verbose_name = gettext_lazy("活动参与单位")
        verbose_name_plural = gettext_lazy("活动参与单位")
        ordering = ["event", "organisation__name", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "organisation"], name="event_participation_unique")]

    def __str__(self) -> str:
        return f"{self.event} · {self.organisation}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        return _committee_leads(scope, "event__committee__") if scope.has(Role.COMMITTEE_LEADER) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return Event.can_create(scope)

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("event__committee__group__region__code", codes, covering=action != CHANGE)

    def clean(self) -> None:
        enforce(self)  # ENG-D1 (engagement/rules.py)


class AgreementKind(models.TextChoices):
    INTENT = "intent", gettext_lazy("合作意向书")
    DEEP = "deep", gettext_lazy("深度合作协议")
    ORDER = "order", gettext_lazy("订单培养协议")
    APPRENTICESHIP = "apprenticeship", gettext_lazy("学徒培养协议")
    INTERNSHIP_BASE = "internship_base", gettext_lazy("实习基地协议")
    TRAINING_BASE = "training_base", gettext_lazy("实训基地协议")
    OTHER = "other", gettext_lazy("其他")


class CooperationForm(models.TextChoices):
    """SC-02: the seven forms of school–enterprise cooperation (《职业学校校企合作促进办法》)."""

    MAJORS = "majors", gettext_lazy("合作设置专业、开发专业标准、课程和教材")
    TRAINING = "training", gettext_lazy("合作制定人才培养方案，互派人员，支持实习、教师实践、就业创业、培训和研发")
    APPRENTICESHIP = "apprenticeship", gettext_lazy("学徒制合作，联合招收学员，工学交替")
    JOINT_BODIES = "joint_bodies", gettext_lazy("合作举办职业学校、共建实训基地和研发、培训、评价机构")
    STANDARDS = "standards", gettext_lazy("合作制定岗位规范、质量标准")
    CONTESTS = "contests", gettext_lazy("组织技能竞赛、产教融合试点、企业文化和社会服务")
    OTHER = "other", gettext_lazy("其他合法形式")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草拟")
    SIGNED = "signed", gettext_lazy("已签署")
    IN_FORCE = "in_force", gettext_lazy("履行中")
    EXPIRED = "expired", gettext_lazy("已到期")
    TERMINATED = "terminated", gettext_lazy("已终止")


def _party_or_bureau(scope: Scope, obj: Any) -> bool:
    # The parties' own people and the bureau move an agreement; nobody else.
    if scope.writes_all:
        return True
    own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT)
    return bool(own) and obj.has_party(own)


def _signable(obj: Agreement) -> list[str]:
    reasons = []
    if obj.signed_on is None:
        reasons.append(_("签署前须填写签署日期。"))
    return reasons


_A = AgreementStatus
# An agreement still binding its parties: what the to-do panel watches and the expiry job ends.
LIVE_STATUSES = (_A.SIGNED, _A.IN_FORCE)
AGREEMENT_WORKFLOW = Workflow("status", [
    Transition("sign", _A.DRAFT, _A.SIGNED, label=gettext_lazy("登记签署"), allowed=_party_or_bureau, guard=_signable),
    Transition("start", _A.SIGNED, _A.IN_FORCE, label=gettext_lazy("开始履行"), allowed=_party_or_bureau),
    Transition("terminate", (_A.SIGNED, _A.IN_FORCE), _A.TERMINATED, label=gettext_lazy("终止协议"),
               allowed=_party_or_bureau, note_required=True, style="danger"),
    # Expiry is the system's (the scheduled job ``expire_agreements``), never a user's click.
    Transition("expire", (_A.SIGNED, _A.IN_FORCE), _A.EXPIRED, label=gettext_lazy("到期"), system=True),
])


class Agreement(WorkflowMixin, AuditedModel):
    """校企合作协议 — signed by one or more schools and enterprises (LAW-01: cooperation needs one)."""

    number = models.CharField(gettext_lazy("协议编号"), max_length=60, null=True, blank=True, unique=True,
                              help_text=gettext_lazy("各方约定的编号；同一编号只能登记一次"))
    title = models.CharField(gettext_lazy("协议名称"), max_length=200)
    kind = models.CharField(gettext_lazy("协议类型"), max_length=20, choices=AgreementKind.choices)
    # Moves only through AGREEMENT_WORKFLOW (set_status), never through a form or an import.
    status = models.CharField(gettext_lazy("状态"), max_length=12, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    schools = models.ManyToManyField(School, related_name="agreements", verbose_name=gettext_lazy("学校方"))
    enterprises = models.ManyToManyField(Organisation, related_name="enterprise_agreements",
                                         verbose_name=gettext_lazy("企业方"),
                                         limit_choices_to={"kind": "enterprise"})
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="agreements", verbose_name=gettext_lazy("所属产学合作委员会"))
    majors = models.ManyToManyField("catalog.Major", blank=True, related_name="agreements",
                                    verbose_name=gettext_lazy("涉及专业"))
    forms = models.JSONField(gettext_lazy("合作形式"), default=list, blank=True,
                             help_text=gettext_lazy("《职业学校校企合作促进办法》所列合作形式，可多选"))
    hosts_interns = models.BooleanField(gettext_lazy("企业接收实习"), default=False)
    signed_on = models.DateField(gettext_lazy("签署日期"), null=True, blank=True)
    start = models.DateField(gettext_lazy("协议开始日期"))
    end = models.DateField(gettext_lazy("协议结束日期"), null=True, blank=True)
    signing_event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="signed_agreements", verbose_name=gettext_lazy("签约活动"))
    predecessor = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="successor", verbose_name=gettext_lazy("续签自"))
    expected_outcomes = models.TextField(gettext_lazy("预期成果"), blank=True)
    achieved_outcomes = models.TextField(gettext_lazy("已取得成果"), blank=True)

    workflow = AGREEMENT_WORKFLOW

    class Meta:
        verbose_name = gettext_lazy("校企合作协议")
        verbose_name_plural = gettext_lazy("校企合作协议")
        ordering = ["-start", "title", "id"]
        indexes = [models.Index(fields=["status", "end"], name="agreement_status_end_idx"),
                   models.Index(fields=["signed_on"], name="agreement_signed_idx")]

    def __str__(self) -> str:
        return self.title

    # -- who ------------------------------------------------------------------------------------
    @staticmethod
    def party_q(orgs: frozenset[int], prefix: str = "") -> Q:
        """Agreements one of ``orgs`` is a party to (a subquery: no duplicate rows from the joins)."""
        through_s = Agreement.schools.through.objects.filter(school_id__in=orgs).values("agreement_id")
        through_e = Agreement.enterprises.through.objects.filter(organisation_id__in=orgs).values("agreement_id")
        return Q(**{f"{prefix}pk__in": through_s}) | Q(**{f"{prefix}pk__in": through_e})

    def has_party(self, orgs: frozenset[int]) -> bool:
        """Is one of ``orgs`` a party? (The through tables: plain rows, no scoped read.)"""
        if not self.pk or not orgs:
            return False
        return (Agreement.schools.through.objects.filter(agreement_id=self.pk, school_id__in=orgs).exists()
                or Agreement.enterprises.through.objects.filter(agreement_id=self.pk,
                                                                organisation_id__in=orgs).exists())

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The parties read and edit their own agreements; a committee leader reads its committee's.
        own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT)
        q = cls.party_q(own) if own else nothing()
        if action != CHANGE and scope.has(Role.COMMITTEE_LEADER):
            q |= _committee_leads(scope, "committee__")
        if action != CHANGE and scope.orgs(Role.INDUSTRY_AUTHORITY):
            q |= Q(committee__director_id__in=scope.orgs(Role.INDUSTRY_AUTHORITY))
        return q if (own or action != CHANGE) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # Each party school's region; an agreement of two cities' schools belongs to both bureaus.
        schools = Agreement.schools.through.objects.filter(region_q("school__region__code", codes))
        return Q(pk__in=schools.values("agreement_id"))

    def clean(self) -> None:
        enforce(self)  # AGR-D1 (dates), SC-03 (engagement/rules.py)
        # A renewal renews an earlier agreement: never itself, never one that (through others) renews it.
        if self.predecessor_id is not None and self.pk is not None:
            rows, seen = type(self)._base_manager, set()
            link: int | None = self.predecessor_id
            while link is not None and link not in seen:
                if link == self.pk:
                    raise ValidationError({"predecessor": _("不能续签自本协议或本协议的续签协议。")})
                seen.add(link)
                link = rows.filter(pk=link).values_list("predecessor_id", flat=True).first()

    # -- the chain ------------------------------------------------------------------------------
    def chain(self) -> list[Agreement]:
        """This agreement and the ones it renews and that renew it, oldest first (one link per query;
        a chain is a handful of renewals). The renewal of a visible agreement is shown by name."""
        rows = type(self)._base_manager
        first: Agreement = self
        seen = {self.pk}
        while first.predecessor_id and first.predecessor_id not in seen:
            seen.add(first.predecessor_id)
            first = rows.get(pk=first.predecessor_id)
        chain = [first]
        while True:
            nxt = rows.filter(predecessor_id=chain[-1].pk).first()
            if nxt is None or nxt.pk in {a.pk for a in chain}:
                return chain
            chain.append(nxt)


class Alliance(AuditedModel):
    """专业发展联盟 — schools and enterprises around a group of majors, founded at an event."""

    name = models.CharField(gettext_lazy("联盟名称"), max_length=200, unique=True)
    lead_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="led_alliances",
                                    verbose_name=gettext_lazy("牵头学校"))
    founding_event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="founded_alliances", verbose_name=gettext_lazy("成立活动"))
    founded = models.DateField(gettext_lazy("成立日期"))
    members = models.ManyToManyField(Organisation, blank=True, related_name="alliances",
                                     verbose_name=gettext_lazy("成员单位"))
    majors = models.ManyToManyField("catalog.Major", blank=True, related_name="alliances",
                                    verbose_name=gettext_lazy("涉及专业"))
    description = models.TextField(gettext_lazy("简介"), blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("lead_school",)

    class Meta:
        verbose_name = gettext_lazy("专业发展联盟")
        verbose_name_plural = gettext_lazy("专业发展联盟")
        ordering = ["-founded", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        own = scope.orgs(Role.SCHOOL_ADMIN)
        return Q(lead_school_id__in=own) if own else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("lead_school__region__code", codes)


class Visit(AuditedModel):
    """走访企业 — a school's visit to an enterprise: who went, why, what came of it, what follows."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="visits",
                               verbose_name=gettext_lazy("学校"))
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="visits_received",
                                   verbose_name=gettext_lazy("走访企业"), limit_choices_to={"kind": "enterprise"})
    date = models.DateField(gettext_lazy("走访日期"))
    visitors = models.ManyToManyField("orgs.Teacher", blank=True, related_name="visits",
                                      verbose_name=gettext_lazy("走访教师"))
    purpose = models.CharField(gettext_lazy("走访目的"), max_length=200)
    outcome = models.TextField(gettext_lazy("走访成果"), blank=True)
    follow_up = models.TextField(gettext_lazy("后续跟进"), blank=True)
    follow_up_by = models.DateField(gettext_lazy("跟进截止日期"), null=True, blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)
    label_related = ("school", "enterprise")

    class Meta:
        verbose_name = gettext_lazy("走访企业")
        verbose_name_plural = gettext_lazy("走访企业")
        ordering = ["-date", "school__name", "id"]
        indexes = [models.Index(fields=["date"], name="visit_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.school} → {self.enterprise}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The school records and edits its visits; the visited enterprise reads them.
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        q = Q(school_id__in=schools) if schools else nothing()
        if action == CHANGE:
            return q if schools else None
        firms = scope.orgs(Role.ENTERPRISE_CONTACT)
        return q | Q(enterprise_id__in=firms) if firms else q

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("school__region__code", codes)

    def clean(self) -> None:
        # The visitors are the school's own teachers: VisitForm.clean (a many-to-many is not set yet here).
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            raise ValidationError({"enterprise": _("走访对象须为企业。")})


# -- the year's plan ---------------------------------------------------------------------------------------------


class AnnualPlan(AuditedModel):
    """年度校企对接工作计划 — the spring joint notice of the bureau and the group (文号, issuers, file),
    with the activities each committee plans for the year."""

    group = models.ForeignKey(VocationalGroup, on_delete=models.PROTECT, related_name="annual_plans",
                              verbose_name=gettext_lazy("职教集团"))
    year = models.PositiveSmallIntegerField(gettext_lazy("年度"),
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.CharField(gettext_lazy("文号"), max_length=60, unique=True,
                              help_text=gettext_lazy("联合通知的发文字号，如 宜教职成〔2019〕3号"))
    title = models.CharField(gettext_lazy("通知标题"), max_length=200)
    issued_on = models.DateField(gettext_lazy("发文日期"))
    issuers = models.ManyToManyField(Organisation, blank=True, related_name="issued_plans",
                                     verbose_name=gettext_lazy("联合发文单位"))
    summary = models.TextField(gettext_lazy("工作要点"), blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("group",)

    class Meta:
        verbose_name = gettext_lazy("年度工作计划")
        verbose_name_plural = gettext_lazy("年度工作计划")
        ordering = ["-year", "group", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "year"], name="annual_plan_group_year_unique")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The plan is the group's public work programme; the bureau and the secretariat write it.
        return Q() if action != CHANGE and scope.business_user else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("group__region__code", codes, covering=action != CHANGE)


class PlannedActivity(AuditedModel):
    """One activity of the year plan: which committee holds it, with which industry department, in
    which month, and the targets it sets. Events fulfil it (``Event.planned_activity``)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="activities",
                             verbose_name=gettext_lazy("年度工作计划"))
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="planned_activities",
                                  verbose_name=gettext_lazy("产学合作委员会"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="planned_activities", verbose_name=gettext_lazy("联合主办行业主管部门"))
    kind = models.CharField(gettext_lazy("活动类型"), max_length=20, choices=EventKind.choices)
    title = models.CharField(gettext_lazy("活动名称"), max_length=200)
    month = models.PositiveSmallIntegerField(gettext_lazy("计划月份"),
                                             validators=[MinValueValidator(1), MaxValueValidator(12)])
    host = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="hosted_planned_activities", verbose_name=gettext_lazy("承办单位"))
    target_enterprises = models.PositiveIntegerField(gettext_lazy("计划参与企业数"), default=0)
    target_agreements = models.PositiveIntegerField(gettext_lazy("计划签约协议数"), default=0)

    owner_fields: ClassVar[tuple[str, ...]] = ("plan",)
    label_related = ("plan",)

    class Meta:
        verbose_name = gettext_lazy("计划活动")
        verbose_name_plural = gettext_lazy("计划活动")
        ordering = ["plan", "month", "committee", "id"]

    def __str__(self) -> str:
        return f"{self.plan.year}年{self.month}月 {self.title}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        return _committee_leads(scope, "committee__") if scope.has(Role.COMMITTEE_LEADER) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("plan__group__region__code", codes, covering=action != CHANGE)

    def clean(self) -> None:
        if self.plan_id and self.committee_id and self.committee.group_id != self.plan.group_id:
            raise ValidationError({"committee": _("计划活动的委员会须属于本计划的职教集团。")})


# -- teachers in enterprises -------------------------------------------------------------------------------------


class PracticeForm(models.TextChoices):
    """TP-05: the forms of teachers' enterprise practice (《职业学校教师企业实践规定》第六条)."""

    STUDY_VISIT = "study_visit", gettext_lazy("到企业考察观摩")
    TRAINING = "training", gettext_lazy("接受企业组织的技能培训")
    POST = "post", gettext_lazy("在企业生产和管理岗位兼职或任职")
    RESEARCH = "research", gettext_lazy("参与企业产品研发和技术创新")
    OTHER = "other", gettext_lazy("其他形式")


class Appraisal(models.TextChoices):
    EXCELLENT = "excellent", gettext_lazy("优秀")
    GOOD = "good", gettext_lazy("良好")
    PASS = "pass", gettext_lazy("合格")
    FAIL = "fail", gettext_lazy("不合格")


class TeacherPractice(SchoolOwnedMixin, AuditedModel):
    """教师企业实践 — a teacher's period at an enterprise (TP-01 counts them over five years).

    ``days`` is the record's own length (start and end included). ``counted_days`` is the part of it
    no earlier record of the same teacher already covers, so that summing it over any set of a
    teacher's records never counts an overlapping day twice (services.recount_practice_days keeps it)."""

    school_path = "teacher__school_id"

    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="practices",
                                verbose_name=gettext_lazy("教师"))
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="hosted_practices",
                                   verbose_name=gettext_lazy("实践企业"), limit_choices_to={"kind": "enterprise"})
    start = models.DateField(gettext_lazy("开始日期"))
    end = models.DateField(gettext_lazy("结束日期"))
    form = models.CharField(gettext_lazy("实践形式"), max_length=20, choices=PracticeForm.choices)
    content = models.TextField(gettext_lazy("实践内容"), blank=True,
                               help_text=gettext_lazy("了解企业生产组织、岗位职责与技能要求，学习新知识、新技术、新工艺等"))
    pre_service = models.BooleanField(gettext_lazy("岗前实践"), default=False,
                                      help_text=gettext_lazy("新教师上岗任教前的企业实践（先实践、再上岗）"))
    appraisal = models.CharField(gettext_lazy("企业鉴定"), max_length=10, choices=Appraisal.choices, blank=True)
    appraisal_note = models.TextField(gettext_lazy("企业鉴定意见"), blank=True)
    days = models.PositiveIntegerField(gettext_lazy("天数"), default=0, editable=False)
    counted_days = models.PositiveIntegerField(gettext_lazy("计入天数（去重叠）"), default=0, editable=False)

    owner_fields: ClassVar[tuple[str, ...]] = ("teacher",)
    label_related = ("teacher", "enterprise")

    class Meta:
        verbose_name = gettext_lazy("教师企业实践")
        verbose_name_plural = gettext_lazy("教师企业实践")
        ordering = ["-start", "teacher__name", "id"]
        indexes = [models.Index(fields=["teacher", "start"], name="practice_teacher_start_idx"),
                   models.Index(fields=["start"], name="practice_start_idx")]

    def __str__(self) -> str:
        return f"{self.teacher.name} · {self.enterprise} · {self.start:%Y-%m-%d}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The school records its teachers' practice; the host enterprise reads (and appraises on paper).
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        q = Q(teacher__school_id__in=schools) if schools else nothing()
        if action == CHANGE:
            return q if schools else None
        firms = scope.orgs(Role.ENTERPRISE_CONTACT)
        return q | Q(enterprise_id__in=firms) if firms else (q if schools else None)

    def clean(self) -> None:
        enforce(self)  # PRA-D1 (engagement/rules.py)
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            raise ValidationError({"enterprise": _("实践单位须为企业。")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        from chanjiao.engagement.services import recount_practice_days

        # Dates as the fields hold them (a caller may pass ISO text, as the importer's cells arrive).
        as_date = models.DateField().to_python
        self.start, self.end = as_date(self.start), as_date(self.end)
        self.days = practice_days(self.start, self.end)
        before = type(self)._base_manager.filter(pk=self.pk).values_list("teacher_id", flat=True).first()
        super().save(*args, **kwargs)
        recount_practice_days({t for t in (self.teacher_id, before) if t is not None})
        self.refresh_from_db(fields=["counted_days"])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        from chanjiao.engagement.services import recount_practice_days

        teacher = self.teacher_id
        result = super().delete(*args, **kwargs)
        recount_practice_days({teacher})
        return result


def practice_days(start: Any, end: Any) -> int:
    """A record's own length in days, both ends included (0 while the dates are missing or reversed)."""
    return (end - start).days + 1 if start and end and end >= start else 0


# -- order classes ------------------------------------------------------------------------------------------------


class OrderClass(AuditedModel):
    """订单班 — a class a school trains for an enterprise: planned and enrolled students, the mentors
    the enterprise sends, and what came of it (graduates, hired, still there after a year)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="order_classes",
                               verbose_name=gettext_lazy("学校"))
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ordered_classes",
                                   verbose_name=gettext_lazy("订单企业"), limit_choices_to={"kind": "enterprise"})
    major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, related_name="order_classes",
                              verbose_name=gettext_lazy("专业"))
    cohort_year = models.PositiveSmallIntegerField(gettext_lazy("开班年度"),
                                                   validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField(gettext_lazy("班级名称"), max_length=100)
    planned = models.PositiveIntegerField(gettext_lazy("计划人数"), default=0)
    enrolled = models.PositiveIntegerField(gettext_lazy("在读人数"), default=0)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="order_classes", verbose_name=gettext_lazy("订单培养协议"))
    mentors = models.TextField(gettext_lazy("企业导师"), blank=True, help_text=gettext_lazy("姓名、职务，一行一位"))
    graduates = models.PositiveIntegerField(gettext_lazy("毕业人数"), null=True, blank=True)
    hired = models.PositiveIntegerField(gettext_lazy("订单企业录用人数"), null=True, blank=True)
    retained = models.PositiveIntegerField(gettext_lazy("一年后仍在岗人数"), null=True, blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)
    label_related = ("school", "enterprise")

    class Meta:
        verbose_name = gettext_lazy("订单班")
        verbose_name_plural = gettext_lazy("订单班")
        ordering = ["-cohort_year", "school__name", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "cohort_year", "name"],
                                               name="order_class_school_year_name_unique")]

    def __str__(self) -> str:
        return f"{self.cohort_year}级 {self.name}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The school runs the class; the ordering enterprise reads it.
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        q = Q(school_id__in=schools) if schools else nothing()
        if action == CHANGE:
            return q if schools else None
        firms = scope.orgs(Role.ENTERPRISE_CONTACT)
        return q | Q(enterprise_id__in=firms) if firms else (q if schools else None)

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("school__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # ORD-D1 (engagement/rules.py)
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            raise ValidationError({"enterprise": _("订单企业须为企业。")})
        if (self.agreement is not None and self.school_id
                and not self.agreement.has_party(frozenset({self.school_id}))):
            raise ValidationError({"agreement": _("所选协议的签约方须包括本校。")})
