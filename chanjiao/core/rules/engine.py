"""Checking rules on one object at write time (``check``/``enforce``) and scanning them over querysets
in SQL (``scan``/``record_scan``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from chanjiao.core.rules.declarations import SAVE, Finding, ParamValue, Rule, json_value, rules_for
from chanjiao.core.rules.stored import ParamResolver, RuleViolation
from chanjiao.core.scoping import unscoped


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


def scan(rule: Rule, queryset: QuerySet[Any], *, on: dt.date | None = None,
         resolver: ParamResolver | None = None) -> QuerySet[Any]:
    """The violators of ``rule`` in ``queryset`` — one SQL query, whatever the number of jurisdictions.

    Annotated with ``rule_observed`` (the observed value) and ``rule_bucket`` (which jurisdiction's
    values applied: an index into ``scan_buckets(rule)``).
    """
    resolver = resolver or ParamResolver(on)
    buckets = _buckets(rule, resolver)
    violated = _violated(rule, resolver, buckets)
    whens = [When(where, then=Value(i)) for i, (where, _used) in enumerate(buckets)]
    violators: QuerySet[Any] = (
        queryset.filter(rule.applies_q()).filter(violated)
        .annotate(rule_observed=rule.observed_expr(),
                  rule_bucket=Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())))
    return violators


def _violated(rule: Rule, resolver: ParamResolver, buckets: list[tuple[Q, dict[str, ParamValue]]]) -> Q:
    violated = Q(pk__in=[])
    for where, used in buckets:
        violated |= where & rule.violated_q({k: v.value for k, v in used.items()}, resolver.on)
    return violated


def violation_q(rule: Rule, resolver: ParamResolver) -> Q:
    """The condition ``scan`` filters by (the rule applies and is broken, each jurisdiction by its own
    values), for use inside another statement — a flag per rule beside others over the same rows."""
    return rule.applies_q() & _violated(rule, resolver, _buckets(rule, resolver))


def scan_buckets(rule: Rule, resolver: ParamResolver) -> list[dict[str, ParamValue]]:
    return [used for _where, used in _buckets(rule, resolver)]


def record_scan(rule: Rule, queryset: QuerySet[Any] | None = None, *, on: dt.date | None = None) -> dict[str, int]:
    """Scan ``rule`` over all its objects (or ``queryset``) and keep the violations with their history.

    New violators get a ``RuleViolation`` (``first_seen``); violators already open are refreshed
    (observed value, values used, ``last_seen``); open violations no longer found are resolved
    (``resolved_at``) — rows are never deleted. A system job: not scoped to a user.
    """
    resolver = ParamResolver(on)
    buckets = scan_buckets(rule, resolver)
    now = timezone.now()
    counts = {"new": 0, "open": 0, "resolved": 0}
    with transaction.atomic(), unscoped("a compliance scan is the system's, over every row"):
        for model in rule.models():
            ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
            qs = queryset if queryset is not None and issubclass(queryset.model, model) else model._base_manager.all()
            found = {obj.pk: obj for obj in scan(rule, qs.filter(rule.scan_q()), resolver=resolver)}
            open_rows = {v.object_id: v for v in RuleViolation.objects.filter(
                rule_id=rule.id, content_type=ct, resolved_at__isnull=True)}
            for pk, obj in found.items():
                used = buckets[obj.rule_bucket]
                p = {k: v.value for k, v in used.items()}
                values = {"observed": json_value(obj.rule_observed),
                          "threshold": {k: json_value(v) for k, v in p.items()},
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
