"""The yearly matching cycle (校企对接, issue #9): events held through the committees, the agreements
schools and enterprises sign, and the professional development alliances founded at them.

Each record belongs to a jurisdiction (issue #8 point 0): an event to the region of the group whose
committee hosts it, an agreement to every party school's region, an alliance to its lead school's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import enforce
from chanjiao.core.scoping import CHANGE, Scope, ScopedQuerySet, get_scope, nothing, region_q, unscoped
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin
from chanjiao.orgs.models import Committee, Department, Organisation, School


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
        from django.core.exceptions import ValidationError

        # The visitors are the school's own teachers: VisitForm.clean (a many-to-many is not set yet here).
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            raise ValidationError({"enterprise": _("走访对象须为企业。")})
