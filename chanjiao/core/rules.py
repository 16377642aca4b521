"""Rules (issue #7): checkable policy rules with a citation and thresholds set per jurisdiction.

A rule is declared once, in its app's ``rules.py``, and registered::

    @register
    class MinYearsRegistered(Rule):
        id = "PE-08"
        model = Organisation
        params = (Param("min_years", _("最少注册经营年限（年）"), default=0),)
        ...

It answers two questions the same way: ``check(obj)`` — for one object at write time (forms,
importers, services, the API and workflow guards all call it) — and ``scan(rule, queryset)`` — for a
whole set in one SQL query (the queryset of violators, annotated with the observed value).

Thresholds are data: the national default is in the declaration; ``RuleParameter`` rows override it
for a jurisdiction (a region code: province ``42``, city ``4205``, county ``420502``; ``""`` is
national) from ``effective_from`` on. For an object in county 420502 the chain is 420502 → 4205 → 42 →
national; the most specific value in force on the day wins. The bureau edits those rows (audited;
a new value from a later date is a new row, so older results stay explainable), and every
``Finding`` records which values it used.

``record_scan(rule)`` stores violations (``RuleViolation``): a new one gets ``first_seen``, a fixed one
``resolved_at`` — the row stays, so the history of a violation survives its resolution.

Status (policy-rules.md): verified / supported / local / unverified, and ``data`` for plain data
checks (no regulation behind them, e.g. 退出日期不能早于加入日期) which share the same machinery so
that every entry point reaches them.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.models import AuditedModel
from chanjiao.core.scoping import CHANGE, Scope, ScopedManager

VERIFIED, SUPPORTED, LOCAL, UNVERIFIED, DATA = "verified", "supported", "local", "unverified", "data"
STATUS_LABELS = {
    VERIFIED: gettext_lazy("已核实"),
    SUPPORTED: gettext_lazy("有依据"),
    LOCAL: gettext_lazy("地方规定"),
    UNVERIFIED: gettext_lazy("待核实"),
    DATA: gettext_lazy("数据校验"),
}
BLOCK, WARN = "block", "warn"
SEVERITY_LABELS = {BLOCK: gettext_lazy("阻止"), WARN: gettext_lazy("提醒")}
SAVE = "save"  # the event of every write (model.clean, importer rows); workflows add their own ("apply" …)

# Region codes by level (GB/T 2260 as stored in catalog.Region): province 2, city 4, county 6 digits.
JURISDICTION_LENGTHS = (6, 4, 2)


def jurisdiction_chain(code: str | None) -> list[str]:
    """Most specific first: "420502" → ["420502", "4205", "42", ""]; no region → [""] (national)."""
    code = (code or "").strip()
    chain = [code[:n] for n in JURISDICTION_LENGTHS if len(code) >= n]
    return [*dict.fromkeys(chain), ""]


# ----------------------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Param:
    """A threshold of a rule with its national default (``None``: no requirement nationally)."""

    name: str
    label: Any
    default: Any
    kind: str = "int"  # int | decimal | bool | text
    help: Any = ""

    def parse(self, raw: Any) -> Any:
        """The stored (JSON) form of a value typed by the bureau; ValueError with a Chinese reason."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ValueError(_("请填写参数值。"))
        text = str(raw).strip()
        try:
            if self.kind == "int":
                value = int(text)
                if value < 0:
                    raise ValueError
                return value
            if self.kind == "decimal":
                number = decimal.Decimal(text)
                if not number.is_finite() or number < 0:
                    raise ValueError
                return str(number)
        except (ValueError, decimal.InvalidOperation):
            raise ValueError(_("应为不小于 0 的数字。")) from None
        if self.kind == "bool":
            if text in ("是", "true", "1", "True"):
                return True
            if text in ("否", "false", "0", "False"):
                return False
            raise ValueError(_("应为“是”或“否”。"))
        return text

    def value(self, stored: Any) -> Any:
        """The Python value of a stored (JSON) value."""
        if stored is None:
            return None
        return decimal.Decimal(stored) if self.kind == "decimal" else stored


@dataclass(frozen=True)
class ParamValue:
    """The value one result used, and where it came from (shown and stored with the result)."""

    name: str
    value: Any
    jurisdiction: str  # "" national
    effective_from: dt.date | None = None  # None: the declared national default
    parameter_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"value": _json(self.value), "jurisdiction": self.jurisdiction,
                "effective_from": self.effective_from.isoformat() if self.effective_from else None,
                "parameter_id": self.parameter_id}


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one object: what was seen, against which threshold, and why (Chinese)."""

    rule_id: str
    title: str
    citation: str
    severity: str
    status: str
    message: str
    observed: Any
    params: dict[str, ParamValue] = field(default_factory=dict)
    field: str | None = None  # the form field the message belongs to

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCK

    @property
    def threshold(self) -> dict[str, Any]:
        return {name: p.value for name, p in self.params.items()}

    def as_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "title": self.title, "citation": self.citation,
                "severity": self.severity, "status": self.status, "message": self.message,
                "observed": _json(self.observed), "threshold": {k: _json(v) for k, v in self.threshold.items()},
                "params": {k: p.as_json() for k, p in self.params.items()}, "field": self.field}


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | decimal.Decimal):
        return str(value)
    return value


class Rule:
    """Subclass, set the class attributes, implement the four methods, decorate with ``@register``."""

    id: ClassVar[str]
    title: ClassVar[Any]
    citation: ClassVar[Any] = ""  # regulation and article; "" for data checks
    status: ClassVar[str] = UNVERIFIED
    severity: ClassVar[str] = WARN
    model: ClassVar[type[models.Model] | tuple[type[models.Model], ...]]
    events: ClassVar[tuple[str, ...]] = (SAVE,)
    params: ClassVar[tuple[Param, ...]] = ()
    field: ClassVar[str | None] = None
    # Path from the model to the region code that places an object in a jurisdiction.
    region_path: ClassVar[str | None] = None

    # -- one object (Python) --------------------------------------------------------------------
    def applies(self, obj: Any) -> bool:
        """Does the rule concern ``obj`` at all (e.g. only enterprises)? Mirrors ``applies_q``."""
        return True

    def observe(self, obj: Any) -> Any:
        """The value the rule looks at (stored with the finding). Mirrors ``observed_expr``."""
        raise NotImplementedError

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        """True when ``observed`` breaks the rule under the parameter values ``p``. Mirrors ``violated_q``."""
        raise NotImplementedError

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        raise NotImplementedError

    # -- a whole set (SQL) ----------------------------------------------------------------------
    def applies_q(self) -> Q:
        return Q()

    def scan_q(self) -> Q:
        """Which of the objects the stored scan (``record_scan``) looks at (default: all it applies to)."""
        return Q()

    def observed_expr(self) -> Any:
        """An expression for the observed value (default: the rule's field)."""
        return models.F(self.field) if self.field else Value(None)

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        raise NotImplementedError

    # -- helpers --------------------------------------------------------------------------------
    @classmethod
    def models(cls) -> tuple[type[models.Model], ...]:
        return cls.model if isinstance(cls.model, tuple) else (cls.model,)

    def region_code(self, obj: Any) -> str:
        """The object's region code for the jurisdiction chain ("" national)."""
        if not self.region_path:
            return ""
        value: Any = obj
        for part in self.region_path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return ""
        return str(value)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


rules: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: one instance per rule id (a second rule with the same id is a mistake)."""
    if cls.id in rules and type(rules[cls.id]) is not cls:
        raise ValueError(f"duplicate rule id {cls.id}")
    rules[cls.id] = cls()
    _by_model.clear()
    return cls


_by_model: dict[tuple[type, str], list[Rule]] = {}


def rules_for(model: type[models.Model], event: str = SAVE) -> list[Rule]:
    """The rules that run on ``event`` for objects of ``model`` (a proxy gets its concrete model's).

    Cached: an import asks once per row."""
    key = (model, event)
    found = _by_model.get(key)
    if found is None:
        found = _by_model[key] = [r for r in rules.values() if event in r.events and issubclass(model, r.models())]
    return found


# --------------------------------------------------------------------------------------- parameters


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
            for row in RuleParameter.objects.filter(effective_from__lte=self.on).order_by("-effective_from", "-pk"):
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


# ------------------------------------------------------------------------------------------ checking


def check(obj: Any, event: str = SAVE, *, on: dt.date | None = None,
          resolver: ParamResolver | None = None) -> list[Finding]:
    """Every finding of the rules that run on ``event`` for ``obj`` (warnings and blocks)."""
    findings: list[Finding] = []
    for rule in rules_for(type(obj), event):
        if not rule.applies(obj):
            continue
        resolver = resolver or ParamResolver(on)
        used = resolver.values(rule, rule.region_code(obj))
        p = {name: v.value for name, v in used.items()}
        observed = rule.observe(obj)
        if rule.violated(observed, p, resolver.on):
            findings.append(Finding(rule.id, str(rule.title), str(rule.citation), rule.severity, rule.status,
                                    rule.message(observed, p), observed, used, rule.field))
    return findings


def blocking_reasons(obj: Any, event: str = SAVE, **kwargs: Any) -> list[str]:
    """The Chinese reasons that refuse ``obj`` on ``event`` (empty: go ahead)."""
    return [f.message for f in check(obj, event, **kwargs) if f.blocking]


def guard(event: str) -> Callable[[Any], list[str]]:
    """A workflow ``Transition(guard=…)``: the blocking findings of ``event`` are its reasons."""
    return lambda obj: blocking_reasons(obj, event)


def enforce(obj: Any, event: str = SAVE, **kwargs: Any) -> list[Finding]:
    """Raise ``ValidationError`` (per field) for blocking findings; return the warnings.

    ``Model.clean()`` calls this, so every form, the API (which validates through the forms) and
    services that ``full_clean()`` reach the same rules.
    """
    findings = check(obj, event, **kwargs)
    errors: dict[str, list[str]] = {}
    for f in findings:
        if f.blocking:
            errors.setdefault(f.field or NON_FIELD_ERRORS, []).append(f.message)
    if errors:
        raise ValidationError(errors)
    return [f for f in findings if not f.blocking]


# ---------------------------------------------------------------------------------------- scanning


def _buckets(rule: Rule, resolver: ParamResolver) -> list[tuple[Q, dict[str, ParamValue]]]:
    """(objects of one jurisdiction bucket, the values they use): most specific first, national last."""
    buckets: list[tuple[Q, dict[str, ParamValue]]] = []
    taken = Q(pk__in=[])
    if rule.params and rule.region_path:
        for code in resolver.overridden(rule):
            here = Q(**{f"{rule.region_path}__startswith": code})
            buckets.append((here & ~taken, resolver.values(rule, code)))
            taken |= here
    buckets.append((~taken, resolver.values(rule, "")))
    return buckets


def scan(rule: Rule, queryset: QuerySet, *, on: dt.date | None = None,
         resolver: ParamResolver | None = None) -> QuerySet:
    """The violators of ``rule`` in ``queryset`` — one SQL query, whatever the number of jurisdictions.

    Annotated with ``rule_observed`` (the observed value) and ``rule_bucket`` (which jurisdiction's
    values applied: an index into ``scan_buckets(rule)``).
    """
    resolver = resolver or ParamResolver(on)
    buckets = _buckets(rule, resolver)
    violated = Q(pk__in=[])
    for where, used in buckets:
        violated |= where & rule.violated_q({k: v.value for k, v in used.items()}, resolver.on)
    whens = [When(where, then=Value(i)) for i, (where, _used) in enumerate(buckets)]
    return (queryset.filter(rule.applies_q()).filter(violated)
            .annotate(rule_observed=rule.observed_expr(),
                      rule_bucket=Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())))


def scan_buckets(rule: Rule, resolver: ParamResolver) -> list[dict[str, ParamValue]]:
    return [used for _where, used in _buckets(rule, resolver)]


def record_scan(rule: Rule, queryset: QuerySet | None = None, *, on: dt.date | None = None) -> dict[str, int]:
    """Scan ``rule`` over all its objects (or ``queryset``) and keep the violations with their history.

    New violators get a ``RuleViolation`` (``first_seen``); violators already open are refreshed
    (observed value, values used, ``last_seen``); open violations no longer found are resolved
    (``resolved_at``) — rows are never deleted. A system job: not scoped to a user.
    """
    resolver = ParamResolver(on)
    buckets = scan_buckets(rule, resolver)
    now = timezone.now()
    counts = {"new": 0, "open": 0, "resolved": 0}
    with transaction.atomic():
        for model in rule.models():
            ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
            qs = queryset if queryset is not None and issubclass(queryset.model, model) else model._base_manager.all()
            found = {obj.pk: obj for obj in scan(rule, qs.filter(rule.scan_q()), resolver=resolver)}
            open_rows = {v.object_id: v for v in RuleViolation.objects.filter(
                rule_id=rule.id, content_type=ct, resolved_at__isnull=True)}
            for pk, obj in found.items():
                used = buckets[obj.rule_bucket]
                p = {k: v.value for k, v in used.items()}
                values = {"observed": _json(obj.rule_observed),
                          "threshold": {k: _json(v) for k, v in p.items()},
                          "params_used": {k: v.as_json() for k, v in used.items()},
                          "message": rule.message(obj.rule_observed, p)[:500]}
                row = open_rows.pop(pk, None)
                if row is None:
                    RuleViolation.objects.create(rule_id=rule.id, content_type=ct, object_id=pk,
                                                 object_repr=str(obj)[:200], first_seen=now, last_seen=now, **values)
                    counts["new"] += 1
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.last_seen = now
                    row.save()
                    counts["open"] += 1
            for row in open_rows.values():
                row.resolved_at = now
                row.save()
                counts["resolved"] += 1
    return counts


# ------------------------------------------------------------------------------------------ models


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

    objects = ScopedManager()

    class Meta:
        verbose_name = gettext_lazy("规则参数")
        verbose_name_plural = gettext_lazy("规则参数")
        ordering = ["rule_id", "param", "jurisdiction", "-effective_from"]
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

    objects = ScopedManager()
    history_record = True  # resolved, never deleted

    class Meta:
        verbose_name = gettext_lazy("规则违反记录")
        verbose_name_plural = gettext_lazy("规则违反记录")
        ordering = ["rule_id", "-first_seen"]
        indexes = [models.Index(fields=["rule_id", "resolved_at"], name="ruleviolation_open_idx"),
                   models.Index(fields=["content_type", "object_id"], name="ruleviolation_object_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.object_repr}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return None  # the global readers only (the rules page); written by scans, never by a form


def violations_of(obj: models.Model) -> QuerySet:
    """Every violation of ``obj``, open and resolved (its history)."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return RuleViolation.objects.filter(content_type=ct, object_id=obj.pk)


def declared(status: Iterable[str] | None = None) -> Sequence[Rule]:
    """The declared rules, by id (the rules page)."""
    wanted = set(status) if status else None
    return [r for _id, r in sorted(rules.items()) if wanted is None or r.status in wanted]
