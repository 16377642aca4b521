"""Pages of the rules (core/rules/): 规则参数 (the bureau's thresholds per jurisdiction), 规则检查结果
(violations kept by scans) and 规则一览 (every declared rule with its citation, default and overrides)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chanjiao.core import rules
from chanjiao.core.filters import SearchFilterSet
from chanjiao.core.forms import ScopedModelForm
from chanjiao.core.registry import ModelUI, register
from chanjiao.core.roles import GLOBAL_READERS, GLOBAL_WRITERS
from chanjiao.core.rules import RuleParameter, RuleViolation
from chanjiao.core.scoping import get_scope
from chanjiao.core.tables import BaseTable

GROUP = gettext_lazy("规则与参数")


def _rule_choices() -> list[tuple[str, str]]:
    return [(r.id, f"{r.id} {r.title}") for r in rules.declared() if r.params]


def _param_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for rule in rules.declared():
        for p in rule.params:
            seen.setdefault(p.name, f"{p.label}（{p.name}）")
    return sorted(seen.items())


class RuleParameterFilterSet(SearchFilterSet):
    search_fields = ("rule_id", "param", "jurisdiction", "source_note")
    rule_id = django_filters.ChoiceFilter(label=gettext_lazy("规则"), choices=_rule_choices)
    jurisdiction = django_filters.CharFilter(label=gettext_lazy("适用地区代码"))
    effective_from = django_filters.DateFromToRangeFilter(label=gettext_lazy("生效日期"))

    class Meta:
        model = RuleParameter
        fields = ["rule_id", "param", "jurisdiction", "effective_from"]


class RuleParameterTable(BaseTable):
    rule_id = tables.Column(linkify=True)
    jurisdiction = tables.Column()

    def render_jurisdiction(self, value: str) -> str:
        names = getattr(self, "_region_names", None)
        if names is None:  # every code of the table's own (scoped, filtered) rows at once: no query per row
            codes = set(self.data.data.values_list("jurisdiction", flat=True).distinct())
            names = self._region_names = rules.region_names(codes)
        return f"{value} {names.get(value, '')}"

    class Meta(BaseTable.Meta):
        model = RuleParameter
        fields = ("rule_id", "param", "jurisdiction", "value", "effective_from", "source_note")
        empty_values = ()  # "" (national) is a value: render it


class RuleParameterForm(ScopedModelForm):
    """The value is typed as text and parsed by the rule's own ``Param`` (model ``clean()``)."""

    rule_id = forms.ChoiceField(label=gettext_lazy("规则"), choices=_rule_choices)
    param = forms.ChoiceField(label=gettext_lazy("参数"), choices=_param_choices)
    value = forms.CharField(label=gettext_lazy("参数值"), max_length=100,
                            help_text=gettext_lazy("年限等填数字；“是否适用”填 是 或 否"))

    class Meta:
        model = RuleParameter
        fields = ["rule_id", "param", "jurisdiction", "value", "effective_from", "source_note"]


class RuleViolationFilterSet(SearchFilterSet):
    search_fields = ("rule_id", "object_repr", "message")
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label=gettext_lazy("未解决"))

    class Meta:
        model = RuleViolation
        fields = ["rule_id", "open"]


class RuleViolationTable(BaseTable):
    object_repr = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = RuleViolation
        fields = ("rule_id", "object_repr", "message", "first_seen", "last_seen", "resolved_at")


parameters = register(ModelUI(
    RuleParameter, RuleParameterFilterSet, RuleParameterTable, RuleParameterForm, menu_group=GROUP,
    icon="adjustments", menu_order=900, menu_roles=GLOBAL_WRITERS, list_template="core/ruleparameter_list.html",
))
violations = register(ModelUI(
    RuleViolation, RuleViolationFilterSet, RuleViolationTable, menu_group=GROUP, icon="alert-triangle",
    menu_order=910, menu_roles=GLOBAL_READERS, list_template="core/ruleparameter_list.html",
    detail_fields=["rule_id", "object_repr", "message", "observed", "threshold", "params_used", "first_seen",
                   "last_seen", "resolved_at"],
))


class RulesView(View):
    """规则一览: each rule, its citation and status, its national default and every override in force or
    planned — what the bureau needs to see before changing a threshold. Business users read it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = get_scope(request.user)
        if not scope.business_user:
            raise PermissionDenied(_("您无权查看规则。"))
        overrides: dict[str, list[RuleParameter]] = {}
        for row in RuleParameter.objects.visible_to(request.user).order_by("jurisdiction", "effective_from"):
            overrides.setdefault(row.rule_id, []).append(row)
        open_counts: dict[str, int] = {}
        for rule_id in RuleViolation.objects.visible_to(request.user).filter(
                resolved_at__isnull=True).values_list("rule_id", flat=True):
            open_counts[rule_id] = open_counts.get(rule_id, 0) + 1
        names = rules.region_names({r.jurisdiction for rows in overrides.values() for r in rows})
        entries = []
        for rule in rules.declared():
            entries.append({
                "rule": rule,
                "status": rules.STATUS_LABELS.get(rule.status, rule.status),
                "severity": rules.SEVERITY_LABELS.get(rule.severity, rule.severity),
                "models": "、".join(str(m._meta.verbose_name) for m in rule.models()),
                "params": [{"param": p, "default": p.default} for p in rule.params],
                "overrides": [{"row": r, "region": names.get(r.jurisdiction, "")} for r in overrides.get(rule.id, [])],
                "open": open_counts.get(rule.id, 0),
            })
        return render(request, "core/rules.html", {"entries": entries, "can_scan": scope.writes_all})

    def post(self, request: HttpRequest) -> HttpResponse:
        """立即检查: scan every rule now (the bureau/secretariat); violations are kept with their history."""
        if not get_scope(request.user).writes_all:
            raise PermissionDenied(_("只有教育局管理员或秘书处可以运行规则检查。"))
        totals = {"new": 0, "open": 0, "resolved": 0}
        for rule in rules.declared():
            for key, n in rules.record_scan(rule).items():
                totals[key] += n
        messages.success(request, _("规则检查完成：新发现 %(new)d 条，仍未解决 %(open)d 条，已解决 %(resolved)d 条。")
                         % totals)
        return redirect("core:rules")

