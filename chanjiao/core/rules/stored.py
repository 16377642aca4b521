"""What the bureau stores about rules: thresholds per jurisdiction (``RuleParameter``), violations found
by scans (``RuleViolation``), and the resolver that reads the thresholds in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.models import AuditedModel
from chanjiao.core.rules.declarations import (
    JURISDICTION_LENGTHS,
    ParamValue,
    Rule,
    jurisdiction_chain,
    rules,
)
from chanjiao.core.scoping import CHANGE, Scope, ScopedManager, region_q, unscoped


class RuleParameter(AuditedModel):
    """A threshold of one rule for one jurisdiction from one date on (the bureau's 规则参数)."""

    rule_id = models.CharField(gettext_lazy("规则编号"), max_length=20, db_index=True)
    param = models.CharField(gettext_lazy("参数"), max_length=40)
    jurisdiction = models.CharField(gettext_lazy("适用地区代码"), max_length=12, blank=True,
                                    help_text=gettext_lazy("行政区划代码：省 2 位、市 4 位、区县 6 位；留空为全国"))
    value = models.JSONField(gettext_lazy("参数值"))
    effective_from = models.DateField(gettext_lazy("生效日期"))
    source_note = models.CharField(gettext_lazy("依据"), max_length=300,
                                   help_text=gettext_lazy("文件名称、文号或网址"))

    objects: ClassVar[ScopedManager] = ScopedManager()
    # A bounded bureau sets the thresholds of its own jurisdiction (and below) only.
    jurisdiction_field: ClassVar[str] = "jurisdiction"

    class Meta:
        verbose_name = gettext_lazy("规则参数")
        verbose_name_plural = gettext_lazy("规则参数")
        ordering = ["rule_id", "param", "jurisdiction", "-effective_from", "id"]
        constraints = [models.UniqueConstraint(fields=["rule_id", "param", "jurisdiction", "effective_from"],
                                               name="rule_parameter_unique")]

    def __str__(self) -> str:
        where = self.jurisdiction or _("全国")
        return f"{self.rule_id} {self.param} · {where} · {self.effective_from}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # Every business user reads the thresholds that apply to them; the bureau/secretariat edit.
        if action != CHANGE and scope.business_user:
            return Q()
        return None

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        # Reads: the thresholds that apply here — national, the province's, the city's — and those
        # set below it. Writes: its own jurisdiction's and below.
        within = region_q("jurisdiction", codes, covering=action != CHANGE)
        return within if action == CHANGE else within | Q(jurisdiction="")

    @property
    def rule(self) -> Rule | None:
        return rules.get(self.rule_id)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        rule = self.rule
        if rule is None:
            errors["rule_id"] = _("没有编号为“%(id)s”的规则。") % {"id": self.rule_id}
        else:
            try:
                param = rule.param(self.param)
            except KeyError:
                errors["param"] = _("规则 %(id)s 没有参数“%(p)s”。") % {"id": self.rule_id, "p": self.param}
            else:
                try:
                    self.value = param.parse(self.value)
                except ValueError as exc:
                    errors["value"] = str(exc)
        code = (self.jurisdiction or "").strip()
        self.jurisdiction = code
        if code and not (code.isdigit() and len(code) in JURISDICTION_LENGTHS):
            errors["jurisdiction"] = _("应为 2 位（省）、4 位（市）或 6 位（区县）行政区划代码，全国留空。")
        elif code and not region_name(code):
            errors["jurisdiction"] = _("行政区划代码不存在。")
        if errors:
            raise ValidationError(errors)


def region_name(code: str) -> str:
    """The name of a region code ("" when unknown). The catalog is looked up by name (core imports no app)."""
    from django.apps import apps

    if not code:
        return str(_("全国"))
    region = apps.get_model("catalog", "Region")._base_manager.filter(code=code).values_list("name", flat=True)
    return next(iter(region), "")


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """code → name for many codes in one query ("" → 全国)."""
    from django.apps import apps

    wanted = set(codes)
    names = dict(apps.get_model("catalog", "Region")._base_manager.filter(code__in=wanted - {""})
                 .values_list("code", "name"))
    if "" in wanted:
        names[""] = str(_("全国"))
    return names


class RuleViolation(AuditedModel):
    """A violation found by a scan; resolved, not deleted, when the object comes back into line."""

    rule_id = models.CharField(gettext_lazy("规则编号"), max_length=20)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("对象类型"))
    object_id = models.PositiveBigIntegerField(gettext_lazy("对象ID"))
    obj = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    object_repr = models.CharField(gettext_lazy("对象"), max_length=200)
    observed = models.JSONField(gettext_lazy("观测值"), null=True)
    threshold = models.JSONField(gettext_lazy("阈值"), default=dict)
    params_used = models.JSONField(gettext_lazy("所用参数"), default=dict)
    message = models.CharField(gettext_lazy("说明"), max_length=500)
    first_seen = models.DateTimeField(gettext_lazy("首次发现"))
    last_seen = models.DateTimeField(gettext_lazy("最近发现"))
    resolved_at = models.DateTimeField(gettext_lazy("解决时间"), null=True, blank=True)

    objects: ClassVar[ScopedManager] = ScopedManager()
    history_record = True  # resolved, never deleted

    class Meta:
        verbose_name = gettext_lazy("规则违反记录")
        verbose_name_plural = gettext_lazy("规则违反记录")
        ordering = ["rule_id", "-first_seen", "-id"]
        indexes = [models.Index(fields=["rule_id", "resolved_at"], name="ruleviolation_open_idx"),
                   models.Index(fields=["content_type", "object_id"], name="ruleviolation_object_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.object_repr}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return None  # the global readers only (the rules page); written by scans, never by a form

    @classmethod
    def jurisdiction_q(cls, codes: frozenset[str], action: str) -> Q:
        """A bounded bureau reads the violations of the objects it reaches (one subquery per model
        a rule is declared on); scans write them, nobody edits them."""
        q = Q(pk__in=[])
        if action == CHANGE:
            return q
        from django.apps import apps

        for model in {m for rule in rules.values() for m in rule.models()}:
            located = getattr(model, "jurisdiction_q", None)
            if located is None:
                continue
            # Violations name the object's own (proxy) type: an enterprise's, not an organisation's.
            types = [ContentType.objects.get_for_model(m, for_concrete_model=False)
                     for m in apps.get_models() if issubclass(m, model)]
            objects = model._base_manager.filter(located(codes, action))
            q |= Q(content_type__in=types, object_id__in=objects.values("pk"))
        return q


def violations_of(obj: models.Model) -> QuerySet[Any]:
    """Every violation of ``obj``, open and resolved (its history)."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    found: QuerySet[Any] = RuleViolation.objects.filter(content_type=ct, object_id=obj.pk)
    return found


class ParamResolver:
    """The parameter rows in force on ``on``, read once (one query) and resolved per jurisdiction.

    Create one per request or import run, not per object: an import of 100,000 rows asks once.
    """

    def __init__(self, on: dt.date | None = None) -> None:
        self.on = on or timezone.localdate()
        self._rows: dict[tuple[str, str, str], RuleParameter] | None = None

    def _load(self) -> dict[tuple[str, str, str], RuleParameter]:
        if self._rows is None:
            rows: dict[tuple[str, str, str], RuleParameter] = {}
            # Latest effective_from first: the first row per (rule, param, jurisdiction) is in force.
            in_force = RuleParameter.objects.filter(effective_from__lte=self.on).order_by("-effective_from", "-pk")
            with unscoped("the thresholds in force apply to every user's records"):
                for row in in_force:
                    rows.setdefault((row.rule_id, row.param, row.jurisdiction), row)
            self._rows = rows
        return self._rows

    def values(self, rule: Rule, region_code: str | None) -> dict[str, ParamValue]:
        """Each parameter of ``rule`` for an object in ``region_code``: the most specific row wins."""
        result: dict[str, ParamValue] = {}
        if not rule.params:
            return result
        rows = self._load()
        chain = jurisdiction_chain(region_code)
        for p in rule.params:
            chosen = ParamValue(p.name, p.default, "")
            for code in chain:
                row = rows.get((rule.id, p.name, code))
                if row is not None:
                    chosen = ParamValue(p.name, p.value(row.value), code, row.effective_from, row.pk)
                    break
            result[p.name] = chosen
        return result

    def overridden(self, rule: Rule) -> list[str]:
        """Jurisdictions with a value of their own for ``rule``, most specific first."""
        codes = {code for (rule_id, _p, code) in self._load() if rule_id == rule.id and code}
        return sorted(codes, key=lambda c: (-len(c), c))
