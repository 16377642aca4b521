"""The major layout (专业布局结构调整, issue #10): each school's majors (专业点), their yearly figures,
and the defence reviews (答辩评审) whose decisions close, suspend and open them.

Offerings belong to their school's jurisdiction; a review round to the region whose bureau runs it.
An offering's status moves only through ``OFFERING_WORKFLOW`` — a school's own step, or a review
decision applied by the bureau (``services.apply_decision``), which dates the change by the decision
(``StatusChange.effective_on``) so that the layout history (``history.py``) counts by the day a
major really closed, not the day somebody clicked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from chanjiao.core.models import AuditedModel
from chanjiao.core.roles import Role
from chanjiao.core.rules import enforce
from chanjiao.core.scoping import CHANGE, Scope, nothing, region_q
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin
from chanjiao.orgs.models import Organisation, School
from chanjiao.orgs.validators import validate_uscc

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


def _school_or_bureau(scope: Scope, obj: Any) -> bool:
    return scope.writes_all or obj.school_id in scope.orgs(Role.SCHOOL_ADMIN)


def _bureau(scope: Scope, obj: Any) -> bool:
    return scope.writes_all


# -- offerings -------------------------------------------------------------------------------------------------


class OfferingStatus(models.TextChoices):
    FILED = "filed", gettext_lazy("已备案")
    ENROLLING = "enrolling", gettext_lazy("招生中")
    SUSPENDED = "suspended", pgettext_lazy("offering status", "暂停招生")
    CANCELLED = "cancelled", gettext_lazy("已撤销")


_O = OfferingStatus
# The offerings that make up a school's layout on a day: every status but cancelled.
LIVE_OFFERING_STATUSES = (_O.FILED, _O.ENROLLING, _O.SUSPENDED)
OFFERING_WORKFLOW = Workflow("status", [
    Transition("start_enrolment", _O.FILED, _O.ENROLLING, label=gettext_lazy("开始招生"), allowed=_school_or_bureau),
    Transition("suspend", _O.ENROLLING, _O.SUSPENDED, label=gettext_lazy("暂停招生"), allowed=_school_or_bureau,
               note_required=True, style="secondary"),
    Transition("resume", _O.SUSPENDED, _O.ENROLLING, label=gettext_lazy("恢复招生"), allowed=_school_or_bureau),
    Transition("cancel", (_O.FILED, _O.ENROLLING, _O.SUSPENDED), _O.CANCELLED, label=gettext_lazy("撤销专业"),
               allowed=_school_or_bureau, note_required=True, style="danger"),
    # MJ-09: a major without enrolment for years is filed again before it recruits.
    Transition("refile", (_O.CANCELLED, _O.SUSPENDED), _O.FILED, label=gettext_lazy("重新备案"),
               allowed=_school_or_bureau, note_required=True, style="secondary"),
])


class Offering(WorkflowMixin, AuditedModel):
    """专业点 — one major a school offers: a 2021-catalogue major, or (中职, MJ-02) a major filed outside
    the catalogue under provincial rules; its direction, cluster (专业群) and filing."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="offerings",
                               verbose_name=gettext_lazy("学校"))
    major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="offerings", verbose_name=gettext_lazy("目录专业"))
    off_catalogue_name = models.CharField(gettext_lazy("目录外专业名称"), max_length=100, blank=True,
                                          help_text=gettext_lazy("仅中职学校按省级规定备案的目录外专业填写（此时不选目录专业）"))
    direction = models.CharField(gettext_lazy("专业方向"), max_length=100, blank=True)
    cluster = models.CharField(gettext_lazy("所属专业群"), max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField(gettext_lazy("首次招生年度"), validators=YEAR)
    filed_on = models.DateField(gettext_lazy("备案日期"))
    filing_ref = models.CharField(gettext_lazy("备案编号"), max_length=60, blank=True)
    # Moves only through OFFERING_WORKFLOW (set_status), never through a form or an import.
    status = models.CharField(gettext_lazy("状态"), max_length=12, choices=OfferingStatus.choices,
                              default=OfferingStatus.FILED)

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)
    label_related = ("school", "major")
    workflow = OFFERING_WORKFLOW

    class Meta:
        verbose_name = gettext_lazy("专业点")
        verbose_name_plural = gettext_lazy("专业点")
        ordering = ["school__name", "major__code", "off_catalogue_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "major"], condition=Q(major__isnull=False),
                                    name="offering_school_major_unique"),
            models.UniqueConstraint(fields=["school", "off_catalogue_name"], condition=Q(major__isnull=True),
                                    name="offering_school_offcat_unique"),
        ]
        indexes = [models.Index(fields=["status"], name="offering_status_idx")]

    def __str__(self) -> str:
        return f"{self.school} · {self.major_name}"

    @property
    def major_name(self) -> str:
        return self.major.name if self.major is not None else self.off_catalogue_name

    @property
    def off_catalogue(self) -> bool:
        return self.major_id is None

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # A city's majors are public within the group (firms and experts read them); a school files its own.
        if action != CHANGE:
            return Q() if scope.business_user else None
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        return Q(school_id__in=schools) if schools else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("school__region__code", codes)

    def clean(self) -> None:
        if bool(self.major_id) == bool(self.off_catalogue_name.strip()):
            raise ValidationError({"major": _("请选择目录专业，或（仅限目录外专业）填写目录外专业名称，二者选其一。")})
        enforce(self)  # MJ-02, OFF-D1 (layout/rules.py)


class OfferingYear(AuditedModel):
    """专业点年度数据 — what a school reports for one offering and year (质量年报, QR-04/05): enrolment
    against plan, students, graduates and where they went, starting salary, employer satisfaction."""

    school_path = "offering__school_id"

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="years",
                                 verbose_name=gettext_lazy("专业点"))
    year = models.PositiveSmallIntegerField(gettext_lazy("年度"), validators=YEAR)
    planned_enrolment = models.PositiveIntegerField(gettext_lazy("计划招生数"), null=True, blank=True)
    enrolled = models.PositiveIntegerField(gettext_lazy("实际招生数"), default=0)
    students = models.PositiveIntegerField(gettext_lazy("在校生数"), default=0)
    graduates = models.PositiveIntegerField(gettext_lazy("毕业生数"), default=0)
    employed = models.PositiveIntegerField(gettext_lazy("毕业去向落实人数"), default=0)
    employed_related = models.PositiveIntegerField(gettext_lazy("对口就业人数"), default=0)
    starting_salary = models.PositiveIntegerField(gettext_lazy("平均起薪（元/月）"), null=True, blank=True)
    satisfaction = models.DecimalField(gettext_lazy("用人单位满意度（%）"), max_digits=5, decimal_places=1,
                                       null=True, blank=True,
                                       validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])

    owner_fields: ClassVar[tuple[str, ...]] = ("offering",)
    label_related = ("offering__school", "offering__major")

    class Meta:
        verbose_name = gettext_lazy("专业点年度数据")
        verbose_name_plural = gettext_lazy("专业点年度数据")
        ordering = ["-year", "offering__school__name", "offering__major__code", "id"]
        constraints = [models.UniqueConstraint(fields=["offering", "year"], name="offering_year_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.offering}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return _through_offering(scope, action, "offering__")

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("offering__school__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # OFY-D1 (layout/rules.py)

    @property
    def employment_rate(self) -> float | None:
        return self.employed / self.graduates if self.graduates else None

    @property
    def related_rate(self) -> float | None:
        return self.employed_related / self.employed if self.employed else None


def _through_offering(scope: Scope, action: str, prefix: str) -> Q | None:
    # Figures are published in the 质量年报: readable like the offering; the school writes its own.
    if action != CHANGE:
        return Q() if scope.business_user else None
    schools = scope.orgs(Role.SCHOOL_ADMIN)
    return Q(**{f"{prefix}school_id__in": schools}) if schools else None


# -- experts -----------------------------------------------------------------------------------------------------


class Expert(AuditedModel):
    """评审专家 — a member of the bureau's expert pool (专家库): where they work (an expert never reviews
    their own organisation) and the account they score with."""

    name = models.CharField(gettext_lazy("姓名"), max_length=60)
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=gettext_lazy("所属专家库地区"), limit_choices_to={"level__lte": 3},
                               help_text=gettext_lazy("建立该专家库的省、市或区县"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="experts", verbose_name=gettext_lazy("工作单位"))
    title = models.CharField(gettext_lazy("职称/职务"), max_length=100, blank=True)
    speciality = models.CharField(gettext_lazy("专业领域"), max_length=200, blank=True)
    user = models.OneToOneField("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="expert_profile", verbose_name=gettext_lazy("评审账号"),
                                help_text=gettext_lazy("专家登录评分所用的账号（须具有评审专家角色）"))

    jurisdiction_field: ClassVar[str] = "region"

    class Meta:
        verbose_name = gettext_lazy("评审专家")
        verbose_name_plural = gettext_lazy("评审专家")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The bureau keeps the pool; an expert reads their own entry.
        if action == CHANGE or not scope.has(Role.EXPERT):
            return None
        return Q(user_id=scope.user_id)

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("region__code", codes)

    def clean(self) -> None:
        enforce(self)  # EXP-D1: the account holds the expert role (layout/rules.py)

    def conflicted_org_ids(self) -> set[int]:
        """Their own organisation and those they declared a conflict with (plain rows: the check itself)."""
        ids = set(ConflictDeclaration._base_manager.filter(expert_id=self.pk).values_list("organisation_id",
                                                                                            flat=True))
        if self.organisation_id:
            ids.add(self.organisation_id)
        return ids


class ConflictDeclaration(AuditedModel):
    """利益冲突申报 — an organisation an expert must not review (a former employer, a relative's school)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts",
                               verbose_name=gettext_lazy("专家"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("回避单位"))
    reason = models.CharField(gettext_lazy("回避原因"), max_length=200)
    declared_on = models.DateField(gettext_lazy("申报日期"))

    label_related = ("expert", "organisation")

    class Meta:
        verbose_name = gettext_lazy("利益冲突申报")
        verbose_name_plural = gettext_lazy("利益冲突申报")
        ordering = ["expert__name", "organisation__name", "id"]
        constraints = [models.UniqueConstraint(fields=["expert", "organisation"], name="conflict_expert_org_unique")]

    def __str__(self) -> str:
        return f"{self.expert} ↔ {self.organisation}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return Q(expert__user_id=scope.user_id) if scope.has(Role.EXPERT) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or scope.has(Role.EXPERT)

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("expert__region__code", codes)


# -- review rounds ---------------------------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("筹备中")
    OPEN = "open", gettext_lazy("接受申报")
    REVIEWING = "reviewing", gettext_lazy("专家评审")
    DECIDED = "decided", gettext_lazy("已决定")


def _has_submissions(obj: ReviewRound) -> list[str]:
    if not Submission._base_manager.filter(round_id=obj.pk).exists():
        return [_("尚无学校提交答辩材料。")]
    return []


def _has_rubric(obj: ReviewRound) -> list[str]:
    if not RubricCriterion._base_manager.filter(round_id=obj.pk).exists():
        return [_("请先设置评分标准。")]
    return []


_R = RoundStatus
ROUND_WORKFLOW = Workflow("status", [
    Transition("open", _R.DRAFT, _R.OPEN, label=gettext_lazy("开始接受申报"), allowed=_bureau, guard=_has_rubric),
    Transition("start_review", _R.OPEN, _R.REVIEWING, label=gettext_lazy("截止申报、开始评审"), allowed=_bureau,
               guard=_has_submissions),
    Transition("decide", _R.REVIEWING, _R.DECIDED, label=gettext_lazy("结束评审、公布决定"), allowed=_bureau),
])


class ReviewRound(WorkflowMixin, AuditedModel):
    """答辩评审轮次 — a round of defence reviews of the schools' majors: the date the principals defend,
    which schools and majors it covers, and the rubric (``RubricCriterion``); the panel is the experts
    assigned to its submissions."""

    title = models.CharField(gettext_lazy("评审名称"), max_length=200)
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=gettext_lazy("组织地区"), limit_choices_to={"level__lte": 3})
    held_on = models.DateField(gettext_lazy("答辩日期"))
    deadline = models.DateField(gettext_lazy("申报截止日期"), null=True, blank=True)
    scope_note = models.TextField(gettext_lazy("评审范围"), blank=True,
                                  help_text=gettext_lazy("参评学校与专业范围，如：全市中职学校全部专业"))
    status = models.CharField(gettext_lazy("状态"), max_length=12, choices=RoundStatus.choices,
                              default=RoundStatus.DRAFT)

    jurisdiction_field: ClassVar[str] = "region"
    workflow = ROUND_WORKFLOW

    class Meta:
        verbose_name = gettext_lazy("答辩评审")
        verbose_name_plural = gettext_lazy("答辩评审")
        ordering = ["-held_on", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # Schools must know the rounds to submit; experts the rounds they score.
        return Q() if action != CHANGE and scope.business_user else None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # A county bureau reads the city's rounds (its schools defend there); the city runs them.
        return region_q("region__code", codes, covering=action != CHANGE)


class RubricCriterion(AuditedModel):
    """评分标准 — one criterion of a round's rubric and its maximum points."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="criteria",
                              verbose_name=gettext_lazy("答辩评审"))
    order = models.PositiveSmallIntegerField(gettext_lazy("序号"), default=1)
    name = models.CharField(gettext_lazy("评分项"), max_length=100)
    max_points = models.DecimalField(gettext_lazy("满分"), max_digits=5, decimal_places=1,
                                     validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(100))])
    guidance = models.TextField(gettext_lazy("评分要点"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("评分标准")
        verbose_name_plural = gettext_lazy("评分标准")
        ordering = ["round", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="criterion_round_name_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points:g}分）"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return Q() if action != CHANGE and scope.business_user else None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("round__region__code", codes, covering=action != CHANGE)


class Submission(AuditedModel):
    """答辩申报 — a school's submission to a round: its majors (``SubmissionItem``) and the principal's
    attendance at the defence (校长须亲自答辩)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="submissions",
                              verbose_name=gettext_lazy("答辩评审"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="review_submissions",
                               verbose_name=gettext_lazy("学校"))
    submitted_on = models.DateField(gettext_lazy("提交日期"))
    principal = models.CharField(gettext_lazy("答辩校长"), max_length=60)
    principal_attended = models.BooleanField(gettext_lazy("校长亲自答辩"), default=False)
    summary = models.TextField(gettext_lazy("学校专业建设总体情况"), blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)
    label_related = ("round", "school")

    class Meta:
        verbose_name = gettext_lazy("答辩申报")
        verbose_name_plural = gettext_lazy("答辩申报")
        ordering = ["round", "school__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="submission_round_school_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.school}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return submission_q(scope, action, "")

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("school__region__code", codes)


def assigned_submissions(user_id: int | None) -> models.QuerySet[Any]:
    """The submissions an expert may see: assigned to them, and of no organisation they are in conflict
    with — a conflict declared after the assignment hides the submission at once."""
    user_id = user_id or 0  # anonymous: nobody's
    conflicted = ConflictDeclaration._base_manager.filter(expert__user_id=user_id).values("organisation_id")
    return (ExpertAssignment._base_manager.filter(expert__user_id=user_id)
            .exclude(submission__school_id__in=conflicted)
            .exclude(expert__organisation_id=models.F("submission__school_id"))
            .values("submission_id"))


def submission_q(scope: Scope, action: str, prefix: str) -> Q | None:
    """Who reaches a submission (``prefix`` leads from a related row): the school, while the round
    accepts submissions, for writes; the school and its assigned experts for reads."""
    schools = scope.orgs(Role.SCHOOL_ADMIN)
    own = Q(**{f"{prefix}school_id__in": schools}) if schools else nothing()
    if action == CHANGE:
        return own & Q(**{f"{prefix}round__status": RoundStatus.OPEN}) if schools else None
    if scope.has(Role.EXPERT):
        return own | Q(**{f"{prefix}pk__in": assigned_submissions(scope.user_id)})
    return own if schools else None


class ProposedAction(models.TextChoices):
    KEEP = "keep", gettext_lazy("保留")
    STRENGTHEN = "strengthen", gettext_lazy("做强")
    MERGE = "merge", gettext_lazy("合并")
    SUSPEND = "suspend", gettext_lazy("暂停招生")
    CANCEL = "cancel", gettext_lazy("撤销")
    OPEN = "open", gettext_lazy("新设")


class SubmissionItem(AuditedModel):
    """答辩专业 — one major in a submission: the three analyses the round requires (市场需求、办学条件、
    发展规划) and the school's proposed action; ``new_major`` when the school proposes to open one."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=gettext_lazy("答辩申报"))
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="review_items", verbose_name=gettext_lazy("现有专业点"))
    new_major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=gettext_lazy("拟新设专业"))
    proposed_action = models.CharField(gettext_lazy("拟采取措施"), max_length=12, choices=ProposedAction.choices)
    merge_into = models.ForeignKey(Offering, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=gettext_lazy("并入专业点"))
    market_analysis = models.TextField(gettext_lazy("市场需求分析"))
    conditions_analysis = models.TextField(gettext_lazy("办学条件分析"))
    development_plan = models.TextField(gettext_lazy("发展规划"))

    owner_fields: ClassVar[tuple[str, ...]] = ("submission",)
    label_related = ("submission__school", "offering__major", "new_major")

    class Meta:
        verbose_name = gettext_lazy("答辩专业")
        verbose_name_plural = gettext_lazy("答辩专业")
        ordering = ["submission", "offering__major__code", "new_major__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "offering"], condition=Q(offering__isnull=False),
                                    name="item_submission_offering_unique"),
            models.UniqueConstraint(fields=["submission", "new_major"], condition=Q(new_major__isnull=False),
                                    name="item_submission_new_major_unique"),
        ]

    def __str__(self) -> str:
        if self.offering is not None:
            name = self.offering.major_name
        else:
            name = self.new_major.name if self.new_major is not None else ""
        return f"{self.submission.school} · {name}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return submission_q(scope, action, "submission__")

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("submission__school__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # SUB-D2: what the action needs (layout/rules.py)


# -- assignment and scoring ----------------------------------------------------------------------------------


class ExpertAssignment(AuditedModel):
    """评审分配 — an expert on the panel of one submission (never of their own or a declared-conflict
    organisation: rule REV-01)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments",
                                   verbose_name=gettext_lazy("答辩申报"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name=gettext_lazy("专家"))

    label_related = ("submission__school", "expert")

    class Meta:
        verbose_name = gettext_lazy("评审分配")
        verbose_name_plural = gettext_lazy("评审分配")
        ordering = ["submission", "expert__name", "id"]
        constraints = [models.UniqueConstraint(fields=["submission", "expert"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.submission.school}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # Blind review: schools never see their panel; an expert reads their own assignments.
        if action == CHANGE or not scope.has(Role.EXPERT):
            return None
        return Q(expert__user_id=scope.user_id, submission_id__in=assigned_submissions(scope.user_id))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("submission__school__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # REV-01 (layout/rules.py)


class Score(AuditedModel):
    """评分 — one expert's points on one criterion for one major of a submission they are assigned to.
    Written by that expert only, while the round is under review (``writes_by_rule_only``)."""

    assignment = models.ForeignKey(ExpertAssignment, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=gettext_lazy("评审分配"))
    item = models.ForeignKey(SubmissionItem, on_delete=models.CASCADE, related_name="scores",
                             verbose_name=gettext_lazy("答辩专业"))
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="scores",
                                  verbose_name=gettext_lazy("评分项"))
    points = models.DecimalField(gettext_lazy("得分"), max_digits=5, decimal_places=1)
    comment = models.TextField(gettext_lazy("评语"), blank=True)

    writes_by_rule_only = True
    label_related = ("assignment__expert", "item__submission__school", "criterion")

    class Meta:
        verbose_name = gettext_lazy("评分")
        verbose_name_plural = gettext_lazy("评分")
        ordering = ["item", "assignment", "criterion__order", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "item", "criterion"], name="score_unique")]

    def __str__(self) -> str:
        return f"{self.assignment.expert} · {self.criterion.name}: {self.points:g}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if not scope.has(Role.EXPERT):
            return None
        mine = Q(assignment__expert__user_id=scope.user_id,
                 assignment__submission_id__in=assigned_submissions(scope.user_id))
        if action == CHANGE:
            return mine & Q(assignment__submission__round__status=RoundStatus.REVIEWING)
        return mine

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.has(Role.EXPERT) and not scope.read_only

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("assignment__submission__school__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # REV-01 again (a conflict declared since), REV-02 range, SCO-D1 consistency


# -- decisions -------------------------------------------------------------------------------------------------


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("拟定")
    APPLIED = "applied", gettext_lazy("已执行")


def _decision_applicable(obj: Decision) -> list[str]:
    from chanjiao.layout.services import decision_blockers

    return decision_blockers(obj)


DECISION_WORKFLOW = Workflow("status", [
    Transition("apply", DecisionStatus.DRAFT, DecisionStatus.APPLIED, label=gettext_lazy("执行决定"),
               allowed=_bureau, guard=_decision_applicable),
])


class Decision(WorkflowMixin, AuditedModel):
    """评审决定 — what the round decided for one major, with conditions. Applying it (执行决定) moves the
    offering through its own workflow, dated by the decision (services.apply_decision)."""

    item = models.OneToOneField(SubmissionItem, on_delete=models.PROTECT, related_name="decision",
                                verbose_name=gettext_lazy("答辩专业"))
    action = models.CharField(gettext_lazy("决定"), max_length=12, choices=ProposedAction.choices)
    conditions = models.TextField(gettext_lazy("附加条件"), blank=True,
                                  help_text=gettext_lazy("如：两年内完成实训基地建设，否则暂停招生"))
    decided_on = models.DateField(gettext_lazy("决定日期"))
    status = models.CharField(gettext_lazy("状态"), max_length=12, choices=DecisionStatus.choices,
                              default=DecisionStatus.DRAFT)

    label_related = ("item__submission__school", "item__offering__major", "item__new_major")
    workflow = DECISION_WORKFLOW

    class Meta:
        verbose_name = gettext_lazy("评审决定")
        verbose_name_plural = gettext_lazy("评审决定")
        ordering = ["-decided_on", "item", "id"]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_action_display()}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The school reads what was decided for it; the bureau decides.
        if action == CHANGE:
            return None
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        return Q(item__submission__school_id__in=schools) if schools else None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("item__submission__school__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # DEC-D1 (layout/rules.py)


# -- the crosswalk (专业—产业对照) ----------------------------------------------------------------------------


class CrosswalkStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("编辑中")
    PUBLISHED = "published", gettext_lazy("已发布")
    RETIRED = "retired", gettext_lazy("已停用")


def _has_entries(obj: CrosswalkVersion) -> list[str]:
    if not CrosswalkEntry._base_manager.filter(version_id=obj.pk).exists():
        return [_("对照表版本没有任何对照条目。")]
    return []


_C = CrosswalkStatus
CROSSWALK_WORKFLOW = Workflow("status", [
    Transition("publish", _C.DRAFT, _C.PUBLISHED, label=gettext_lazy("发布"), allowed=_bureau, guard=_has_entries),
    Transition("retire", _C.PUBLISHED, _C.RETIRED, label=gettext_lazy("停用"), allowed=_bureau, note_required=True,
               style="secondary"),
])


class CrosswalkVersion(WorkflowMixin, AuditedModel):
    """专业—产业对照表版本 — which industries (GB/T 4754) and occupations each 专业类 (or major) serves.
    The platform ships one for the whole country; a bureau copies it into a draft of its own region,
    edits it and publishes it. A published version is frozen: every fit analysis names the version it
    used (``crosswalk.in_force``)."""

    number = models.PositiveIntegerField(gettext_lazy("版本号"), unique=True)
    title = models.CharField(gettext_lazy("名称"), max_length=200)
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=gettext_lazy("适用地区"), limit_choices_to={"level__lte": 3},
                               help_text=gettext_lazy("留空为平台默认（全国）"))
    published_on = models.DateField(gettext_lazy("发布日期"), null=True, blank=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=gettext_lazy("基于版本"))
    note = models.TextField(gettext_lazy("修订说明"), blank=True)
    status = models.CharField(gettext_lazy("状态"), max_length=12, choices=CrosswalkStatus.choices,
                              default=CrosswalkStatus.DRAFT)

    jurisdiction_field: ClassVar[str] = "region"
    workflow = CROSSWALK_WORKFLOW

    class Meta:
        verbose_name = gettext_lazy("专业产业对照表")
        verbose_name_plural = gettext_lazy("专业产业对照表")
        ordering = ["-number", "id"]

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return Q() if action != CHANGE and scope.business_user else None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # Everyone reads the platform's default and the versions of the regions above and below; a
        # bounded bureau writes its own region's.
        if action == CHANGE:
            return region_q("region__code", codes)
        return Q(region__isnull=True) | region_q("region__code", codes, covering=True)

    def status_will_change(self, transition: Transition) -> None:
        if transition.name == "publish" and self.published_on is None:
            from django.utils import timezone

            self.published_on = timezone.localdate()

    def status_fields(self, transition: Transition) -> list[str]:
        return ["published_on"] if transition.name == "publish" else []


class CrosswalkEntry(AuditedModel):
    """One mapping: a 专业类 (or, refining it, one major) → an industry, with the occupation it leads to,
    why, and on what source. Written only while its version is a draft (``writes_by_rule_only``)."""

    version = models.ForeignKey(CrosswalkVersion, on_delete=models.CASCADE, related_name="entries",
                                verbose_name=gettext_lazy("对照表版本"))
    class_code = models.CharField(gettext_lazy("专业类代码"), max_length=4,
                                  help_text=gettext_lazy("《职业教育专业目录（2021年）》专业类代码，如 4601"))
    major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=gettext_lazy("细化到专业"),
                              help_text=gettext_lazy("填写后，该专业按本专业的条目对照，不再沿用专业类的条目"))
    industry = models.ForeignKey("catalog.Industry", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=gettext_lazy("国民经济行业"))
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=gettext_lazy("对应职业"))
    reason = models.CharField(gettext_lazy("对照理由"), max_length=200)
    source = models.CharField(gettext_lazy("依据"), max_length=300)

    writes_by_rule_only = True
    label_related = ("version", "industry")

    class Meta:
        verbose_name = gettext_lazy("专业产业对照条目")
        verbose_name_plural = gettext_lazy("专业产业对照条目")
        ordering = ["version", "class_code", "major__code", "industry__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "class_code", "industry"], condition=Q(major__isnull=True),
                                    name="crosswalk_class_entry_unique"),
            models.UniqueConstraint(fields=["version", "major", "industry"], condition=Q(major__isnull=False),
                                    name="crosswalk_major_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.class_code} → {self.industry}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        if action != CHANGE:
            return Q() if scope.business_user else None
        if not scope.writes_all:
            return None
        # A published version is frozen; a bounded bureau edits its own region's drafts.
        draft = Q(version__status=CrosswalkStatus.DRAFT)
        return draft if scope.everywhere else draft & region_q("version__region__code", scope.jurisdictions or ())

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        if action == CHANGE:
            return region_q("version__region__code", codes)
        return Q(version__region__isnull=True) | region_q("version__region__code", codes, covering=True)

    def clean(self) -> None:
        enforce(self)  # CW-D1 (layout/rules.py)


# -- enterprise-declared demand (用人需求) --------------------------------------------------------------------


class EducationLevel(models.TextChoices):
    SECONDARY = "secondary", gettext_lazy("中职")
    ASSOCIATE = "associate", gettext_lazy("高职专科")
    BACHELOR_VOC = "bachelor_voc", gettext_lazy("职业本科")
    BACHELOR = "bachelor", gettext_lazy("本科及以上")
    ANY = "any", gettext_lazy("不限")


class DeclaredDemand(AuditedModel):
    """用人需求 — how many people of an occupation or 专业类 an enterprise says it needs in a year, at
    what education level; collected per 产学合作委员会 or entered by the enterprise itself."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="declared_demand",
                                   verbose_name=gettext_lazy("企业"), limit_choices_to={"kind": "enterprise"})
    year = models.PositiveSmallIntegerField(gettext_lazy("需求年度"), validators=YEAR)
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=gettext_lazy("职业"))
    class_code = models.CharField(gettext_lazy("专业类代码"), max_length=4, blank=True,
                                  help_text=gettext_lazy("所需专业的专业类代码，如 4601；与职业至少填一项"))
    position = models.CharField(gettext_lazy("岗位名称"), max_length=100, blank=True)
    headcount = models.PositiveIntegerField(gettext_lazy("需求人数"), validators=[MinValueValidator(1)])
    education = models.CharField(gettext_lazy("学历要求"), max_length=12, choices=EducationLevel.choices,
                                 default=EducationLevel.ANY)
    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="declared_demand", verbose_name=gettext_lazy("收集的产学合作委员会"))
    note = models.TextField(gettext_lazy("备注"), blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("enterprise",)
    label_related = ("enterprise",)

    class Meta:
        verbose_name = gettext_lazy("企业用人需求")
        verbose_name_plural = gettext_lazy("企业用人需求")
        ordering = ["-year", "enterprise__name", "class_code", "id"]
        indexes = [models.Index(fields=["year", "class_code"], name="demand_year_class_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.enterprise} {self.position or self.class_code} ×{self.headcount}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The enterprise enters and edits its own; the committee that collected it reads it.
        firms = scope.orgs(Role.ENTERPRISE_CONTACT)
        own = Q(enterprise_id__in=firms) if firms else nothing()
        if action == CHANGE:
            return own if firms else None
        if scope.has(Role.COMMITTEE_LEADER):
            from chanjiao.orgs.models import Committee

            own |= Committee.led_by_q(scope, prefix="committee__")
        return own if (firms or scope.has(Role.COMMITTEE_LEADER)) else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.ENTERPRISE_CONTACT))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # The enterprise's region, or the region of the group whose committee collected it.
        q = region_q("enterprise__region__code", codes)
        return q if action == CHANGE else q | region_q("committee__group__region__code", codes)

    def clean(self) -> None:
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            raise ValidationError({"enterprise": _("用人需求须由企业填报。")})
        enforce(self)  # DEM-D1 (layout/rules.py)
        # One row per (enterprise, year, 专业类, occupation, education, position): the importer's key too.
        occupation = (Q(occupation__isnull=True) if self.occupation_id is None
                      else Q(occupation_id=self.occupation_id))
        same = DeclaredDemand._base_manager.filter(
            occupation, enterprise_id=self.enterprise_id, year=self.year, class_code=self.class_code,
            education=self.education, position=self.position).exclude(pk=self.pk)
        if self.enterprise_id and same.exists():
            raise ValidationError(_("该企业本年度已有相同专业类、职业、学历和岗位的需求记录，请修改原记录。"))


# -- scenario planning (调整方案推演) -------------------------------------------------------------------------


class Scenario(AuditedModel):
    """调整方案 — a draft set of changes (close offerings, open majors) whose effect on each pillar
    industry's supply, on 布点率 and on the count of distinct majors is shown before anything is
    decided (``scenarios.effect``); it can become a round's proposed decisions."""

    title = models.CharField(gettext_lazy("方案名称"), max_length=200)
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=gettext_lazy("适用地区"), limit_choices_to={"level__lte": 3})
    base_on = models.DateField(gettext_lazy("基准日期"), help_text=gettext_lazy("以该日开设中的专业点为基准推演"))
    base_year = models.PositiveSmallIntegerField(gettext_lazy("供给基准年度"), validators=YEAR,
                                                 help_text=gettext_lazy("按该年度的招生、毕业生数计算供给变化"))
    note = models.TextField(gettext_lazy("说明"), blank=True)
    round = models.ForeignKey(ReviewRound, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="scenarios", verbose_name=gettext_lazy("已转为评审决定的轮次"))

    jurisdiction_field: ClassVar[str] = "region"

    class Meta:
        verbose_name = gettext_lazy("调整方案")
        verbose_name_plural = gettext_lazy("调整方案")
        ordering = ["-base_on", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return None  # the bureau's planning tool (global readers and writers)

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("region__code", codes)


class ChangeKind(models.TextChoices):
    CLOSE = "close", gettext_lazy("撤销专业点")
    OPEN = "open", gettext_lazy("新设专业点")


class ScenarioChange(AuditedModel):
    """One change of a scenario: close an existing offering, or open a major at a school with its
    planned yearly intake."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="changes",
                                 verbose_name=gettext_lazy("调整方案"))
    kind = models.CharField(gettext_lazy("调整类型"), max_length=8, choices=ChangeKind.choices)
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=gettext_lazy("撤销的专业点"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=gettext_lazy("新设专业的学校"))
    major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=gettext_lazy("新设专业"))
    planned_intake = models.PositiveIntegerField(gettext_lazy("计划年招生数"), default=0)
    note = models.CharField(gettext_lazy("理由"), max_length=200, blank=True)

    label_related = ("scenario",)

    class Meta:
        verbose_name = gettext_lazy("方案调整项")
        verbose_name_plural = gettext_lazy("方案调整项")
        ordering = ["scenario", "kind", "id"]

    def __str__(self) -> str:
        if self.offering is not None:
            return f"{self.get_kind_display()} {self.offering}"
        return f"{self.get_kind_display()} {self.school} · {self.major.name if self.major is not None else ''}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("scenario__region__code", codes)

    def clean(self) -> None:
        enforce(self)  # SCN-D1 (layout/rules.py)


# -- one school, one policy (一校一策) ------------------------------------------------------------------------


class SchoolPolicy(AuditedModel):
    """一校一策 — a school's plan for its majors over some years: the targets (keep, merge, open, cancel
    majors; clusters) whose progress is computed from its offerings (``policies.progress``)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="layout_policies",
                               verbose_name=gettext_lazy("学校"))
    title = models.CharField(gettext_lazy("方案名称"), max_length=200)
    start_year = models.PositiveSmallIntegerField(gettext_lazy("起始年度"), validators=YEAR)
    end_year = models.PositiveSmallIntegerField(gettext_lazy("完成年度"), validators=YEAR)
    summary = models.TextField(gettext_lazy("总体思路"), blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("school",)
    label_related = ("school",)

    class Meta:
        verbose_name = gettext_lazy("一校一策")
        verbose_name_plural = gettext_lazy("一校一策")
        ordering = ["school__name", "-start_year", "id"]

    def __str__(self) -> str:
        return f"{self.school} · {self.title}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        return Q(school_id__in=schools) if schools else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("school__region__code", codes)

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("完成年度不能早于起始年度。")})


class TargetAction(models.TextChoices):
    KEEP = "keep", gettext_lazy("保留")
    STRENGTHEN = "strengthen", gettext_lazy("做强")
    MERGE = "merge", gettext_lazy("合并")
    CANCEL = "cancel", gettext_lazy("撤销")
    OPEN = "open", gettext_lazy("新设")


class PolicyTarget(AuditedModel):
    """One target of a 一校一策: a major to keep, strengthen, merge, cancel or open by a year (in a cluster)."""

    policy = models.ForeignKey(SchoolPolicy, on_delete=models.CASCADE, related_name="targets",
                               verbose_name=gettext_lazy("一校一策"))
    action = models.CharField(gettext_lazy("目标"), max_length=12, choices=TargetAction.choices)
    major = models.ForeignKey("catalog.Major", on_delete=models.PROTECT, related_name="+",
                              verbose_name=gettext_lazy("专业"))
    cluster = models.CharField(gettext_lazy("所属专业群"), max_length=100, blank=True)
    due_year = models.PositiveSmallIntegerField(gettext_lazy("完成年度"), validators=YEAR)
    note = models.CharField(gettext_lazy("说明"), max_length=200, blank=True)

    owner_fields: ClassVar[tuple[str, ...]] = ("policy",)
    label_related = ("policy__school", "major")

    class Meta:
        verbose_name = gettext_lazy("一校一策目标")
        verbose_name_plural = gettext_lazy("一校一策目标")
        ordering = ["policy", "due_year", "action", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "major"], name="policy_target_major_unique")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.major.name if self.major is not None else ''}（{self.due_year}）"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        schools = scope.orgs(Role.SCHOOL_ADMIN)
        return Q(policy__school_id__in=schools) if schools else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.writes_all or bool(scope.orgs(Role.SCHOOL_ADMIN))

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        return region_q("policy__school__region__code", codes)


# -- job postings (招聘岗位, the market's voice beside declared demand) ---------------------------------------


class EducationAsked(models.TextChoices):
    """学历要求 as job boards state it (finer than ``EducationLevel`` at the top: boards ask for 硕士/博士)."""

    ANY = "any", gettext_lazy("不限")
    SECONDARY = "secondary", gettext_lazy("中专/中技/高中")
    ASSOCIATE = "associate", gettext_lazy("大专")
    BACHELOR = "bachelor", gettext_lazy("本科")
    POSTGRADUATE = "postgraduate", gettext_lazy("硕士及以上")


class ClassifiedBy(models.TextChoices):
    CLASSIFIER = "classifier", gettext_lazy("自动分类")
    UNCLASSIFIED = "unclassified", gettext_lazy("未能分类")
    PERSON = "person", gettext_lazy("人工更正")


class JobPosting(AuditedModel):
    """招聘岗位 — one job advert from a job board or a local talent market, imported from a file.

    The salary text, the re-listing fingerprint and the classification (专业类 / occupation, with the words
    that decided it) are computed from the advert (``layout/postings.py``); a person's correction
    (``corrected_class_code``) wins over the classifier and is learnt by it for the postings like it."""

    source = models.CharField(gettext_lazy("来源"), max_length=40,
                              help_text=gettext_lazy("如 BOSS直聘、前程无忧、市人才网"))
    source_ref = models.CharField(gettext_lazy("来源编号"), max_length=200,
                                  help_text=gettext_lazy("来源网站上的岗位编号或网址"))
    title = models.CharField(gettext_lazy("岗位名称"), max_length=200)
    company_name = models.CharField(gettext_lazy("招聘单位"), max_length=200)
    company_uscc = models.CharField(gettext_lazy("单位统一社会信用代码"), max_length=18, blank=True,
                                    validators=[validate_uscc])
    enterprise = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="job_postings", verbose_name=gettext_lazy("对应登记企业"),
                                   limit_choices_to={"kind": "enterprise"},
                                   help_text=gettext_lazy("按统一社会信用代码或规范化单位名称自动匹配"))
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=gettext_lazy("工作地区"))
    place_text = models.CharField(gettext_lazy("工作地点（原文）"), max_length=100, blank=True)
    industry_text = models.CharField(gettext_lazy("行业（原文）"), max_length=200, blank=True)
    category_text = models.CharField(gettext_lazy("职位类别（原文）"), max_length=200, blank=True)
    tags = models.CharField(gettext_lazy("技能标签"), max_length=500, blank=True)
    description = models.TextField(gettext_lazy("职位描述"), blank=True)
    education = models.CharField(gettext_lazy("学历要求"), max_length=12, choices=EducationAsked.choices,
                                 default=EducationAsked.ANY)
    experience = models.CharField(gettext_lazy("经验要求"), max_length=40, blank=True)
    salary_text = models.CharField(gettext_lazy("薪资（原文）"), max_length=100, blank=True)
    salary_min = models.PositiveIntegerField(gettext_lazy("月薪下限（元）"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(gettext_lazy("月薪上限（元）"), null=True, blank=True)
    salary_months = models.PositiveSmallIntegerField(gettext_lazy("年薪月数"), default=12)
    year = models.PositiveSmallIntegerField(gettext_lazy("发布年度"), validators=YEAR)
    posted_on = models.DateField(gettext_lazy("发布日期"), null=True, blank=True)
    fingerprint = models.CharField(gettext_lazy("岗位指纹"), max_length=32, db_index=True, editable=False,
                                   help_text=gettext_lazy("单位、岗位名称、地点相同的岗位视为重复发布"))
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, editable=False,
                                     related_name="relistings", verbose_name=gettext_lazy("重复发布于"))
    class_code = models.CharField(gettext_lazy("专业类代码"), max_length=4, blank=True, editable=False,
                                  help_text=gettext_lazy("00 表示不需要职业教育专业（如研究、高管岗位）"))
    category_code = models.CharField(gettext_lazy("专业大类代码"), max_length=2, blank=True, editable=False)
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", editable=False, verbose_name=gettext_lazy("职业"))
    classified_by = models.CharField(gettext_lazy("分类方式"), max_length=12, choices=ClassifiedBy.choices,
                                     default=ClassifiedBy.UNCLASSIFIED, editable=False)
    confidence = models.DecimalField(gettext_lazy("置信度"), max_digits=4, decimal_places=3, null=True, blank=True,
                                     editable=False)
    evidence = models.JSONField(gettext_lazy("分类依据词"), default=list, blank=True, editable=False)
    classifier_version = models.CharField(gettext_lazy("分类器版本"), max_length=60, blank=True, editable=False)
    corrected_class_code = models.CharField(
        gettext_lazy("人工更正的专业类"), max_length=4, blank=True,
        help_text=gettext_lazy("四位专业类代码（如 4601），或 00 表示不需要职业教育专业；留空则采用自动分类"))

    label_related = ("region",)
    # No jurisdiction_field: an advert's region is where the job is, not who may keep it (jurisdiction_q).

    class Meta:
        verbose_name = gettext_lazy("招聘岗位")
        verbose_name_plural = gettext_lazy("招聘岗位")
        ordering = ["-year", "-posted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="posting_source_ref_unique")]
        indexes = [models.Index(fields=["year", "category_code"], name="posting_year_category_idx"),
                   models.Index(fields=["year", "class_code"], name="posting_year_class_idx")]

    def __str__(self) -> str:
        return f"{self.title}（{self.company_name}）"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # Adverts are public: every business user reads them (a school looks at its county's market);
        # the bureau imports and corrects them.
        if action == CHANGE or not scope.business_user:
            return None
        return Q()

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # Public market data that no region owns: a city bureau imports national boards' adverts (most of
        # them elsewhere) and reads them beside its own; re-importing them must find them editable.
        return Q()

    def clean(self) -> None:
        from chanjiao.layout import postings

        errors = postings.row_errors(self.salary_text, self.corrected_class_code)
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        from chanjiao.layout import postings

        stored = None
        if self.pk is not None and not self._state.adding:
            stored = JobPosting._base_manager.filter(pk=self.pk).values(*postings.CLASSIFIED_FROM).first()
        for name, value in postings.derive(vars(self), stored).items():
            setattr(self, name, value)
        super().save(*args, **kwargs)
