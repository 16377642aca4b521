"""Rule declarations: ``Param``, ``Rule``, ``Finding``, the registry of rules and their labels."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
        return {"value": json_value(self.value), "jurisdiction": self.jurisdiction,
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
                "observed": json_value(self.observed),
                "threshold": {k: json_value(v) for k, v in self.threshold.items()},
                "params": {k: p.as_json() for k, p in self.params.items()}, "field": self.field}


def json_value(value: Any) -> Any:
    """``value`` as a JSON column stores it: dates and decimals as text."""
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


class DatesInOrder(Rule):
    """A data check that one date does not come before another (an end before its start, a leave
    before the join): declare ``earlier`` and ``later`` (the error is shown on ``later``) and the message."""

    status: ClassVar[str] = DATA
    severity: ClassVar[str] = BLOCK
    earlier: ClassVar[str]
    later: ClassVar[str]

    def observe(self, obj: Any) -> Any:
        return {self.earlier: getattr(obj, self.earlier), self.later: getattr(obj, self.later)}

    def observed_expr(self) -> Any:
        from django.db.models import F
        from django.db.models.functions import JSONObject

        return JSONObject(**{self.earlier: F(self.earlier), self.later: F(self.later)})

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        first, second = observed[self.earlier], observed[self.later]
        return bool(first and second and second < first)

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        from django.db.models import F

        return Q(**{f"{self.later}__lt": F(self.earlier)})


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


def declared(status: Iterable[str] | None = None) -> Sequence[Rule]:
    """The declared rules, by id (the rules page)."""
    wanted = set(status) if status else None
    return [r for _id, r in sorted(rules.items()) if wanted is None or r.status in wanted]
