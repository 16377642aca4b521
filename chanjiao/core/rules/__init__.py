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

from chanjiao.core.rules.declarations import (
    BLOCK,
    DATA,
    JURISDICTION_LENGTHS,
    LOCAL,
    SAVE,
    SEVERITY_LABELS,
    STATUS_LABELS,
    SUPPORTED,
    UNVERIFIED,
    VERIFIED,
    WARN,
    DatesInOrder,
    Finding,
    Param,
    ParamValue,
    Rule,
    declared,
    jurisdiction_chain,
    register,
    rules,
    rules_for,
)
from chanjiao.core.rules.engine import (
    blocking_reasons,
    check,
    enforce,
    guard,
    record_scan,
    scan,
    scan_buckets,
    violation_q,
)
from chanjiao.core.rules.stored import (
    ParamResolver,
    RuleParameter,
    RuleViolation,
    region_name,
    region_names,
    violations_of,
)

__all__ = [
    "BLOCK", "DATA", "JURISDICTION_LENGTHS", "LOCAL", "SAVE", "SEVERITY_LABELS", "STATUS_LABELS", "SUPPORTED",
    "UNVERIFIED", "VERIFIED", "WARN", "DatesInOrder", "Finding", "Param", "ParamResolver", "ParamValue", "Rule",
    "RuleParameter",
    "RuleViolation", "blocking_reasons", "check", "declared", "enforce", "guard", "jurisdiction_chain", "record_scan",
    "region_name", "region_names", "register", "rules", "rules_for", "scan", "scan_buckets", "violation_q",
    "violations_of",
]
