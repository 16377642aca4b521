"""Rule packs (预警规则包, issue #10 point 8): the warning rules a province or city publishes, shipped as
data beside the national defaults, each with its source and how far it was verified.

Applying a pack to a jurisdiction writes one ``RuleParameter`` per parameter of every fit rule — the
pack's value, else the rule's national default — dated from a chosen day, with the pack named in the
source note. So switching packs is ordinary, audited, dated parameter history: an earlier analysis
year keeps the thresholds then in force, and the fit page states the pack it used.

What could be checked with the sources at hand (policy-rules.md; searched 2026-12):
- national defaults (MJ-08A/MJ-08B from an autonomous region's 2023 中职 rules, MJ-09 configurable);
- 教育部 2011 (EMP-60): the 60 % / two years rule is reported by 人民日报; the notice itself was not retrieved;
- 吉林市 (JL-01): the 2013 city notice, as reproduced online (不足计划30%或不足一个教学班，连续两年);
- 福建 2023: NOT verified — its text could not be found; only its 50 % 布点 limit is expressed (through
  MJ-08B), the bottom-10 % 毕业去向落实率 rule and the major-count cap are not implemented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.rules import LOCAL, SUPPORTED, UNVERIFIED, RuleParameter, jurisdiction_chain
from chanjiao.core.scoping import unscoped
from chanjiao.layout.fit import fit_rules

PACK_NOTE = "规则包："  # the source note of every parameter a pack writes starts so


@dataclass(frozen=True)
class RulePack:
    key: str
    name: Any
    source: Any
    status: str
    note: Any
    # rule id → parameter → value; what a pack does not name keeps the national default.
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value(self, rule_id: str, param: str, default: Any) -> Any:
        return self.values.get(rule_id, {}).get(param, default)


PACKS: dict[str, RulePack] = {pack.key: pack for pack in (
    RulePack("national", gettext_lazy("全国默认"), gettext_lazy("平台内置默认值（见各规则依据）"), SUPPORTED,
             gettext_lazy("连续三年招生不足30人、布点率超过40%、连续三年未招生。")),
    RulePack("moe_2011", gettext_lazy("教育部2011年就业率预警"),
             gettext_lazy("教育部《关于做好2012年全国普通高等学校毕业生就业工作的通知》（据人民日报报道）"), SUPPORTED,
             gettext_lazy("在全国默认之外，毕业去向落实率连续两年低于60%的专业调减招生计划直至停招。"),
             {"EMP-60": {"enabled": True}}),
    RulePack("jilin_city", gettext_lazy("吉林市中职专业招生资格"),
             gettext_lazy("吉林市教育局2013年中等职业学校招生工作要求（网络转载）"), LOCAL,
             gettext_lazy("连续两年招生不足计划30%或不足一个教学班的专业，下一年撤销招生资格（代替“连续三年不足30人”）。"),
             {"JL-01": {"enabled": True}, "MJ-08A": {"enabled": False}}),
    RulePack("fujian_2023", gettext_lazy("福建省2023年（未核实）"),
             gettext_lazy("福建省2023年职业院校专业设置预警规定（原文未能查到，未核实）"), UNVERIFIED,
             gettext_lazy("仅实现其“超过50%的学校开设的专业不再新增布点”一条；毕业去向落实率后10%、专业数上限两条未实现。"),
             {"MJ-08B": {"max_rate": 50}}),
)}


def pack_in_force(code: str, on: dt.date) -> RulePack | None:
    """The pack whose parameters govern region ``code`` on ``on`` (the nearest jurisdiction that applied
    one; None: the national defaults as declared)."""
    chain = [c for c in jurisdiction_chain(code) if c]
    with unscoped("which rule pack applies is the same for every reader"):
        rows = list(RuleParameter.objects.filter(jurisdiction__in=chain, source_note__startswith=PACK_NOTE,
                                                 effective_from__lte=on)
                    .order_by("-effective_from", "-pk").values_list("jurisdiction", "source_note"))
    for c in chain:
        for jurisdiction, note in rows:
            if jurisdiction == c:
                key = note[len(PACK_NOTE):].split(" ", 1)[0]
                return PACKS.get(key)
    return None


def apply_pack(pack: RulePack, code: str, effective_from: dt.date) -> int:
    """Write the pack's parameters for jurisdiction ``code`` from ``effective_from`` (audited rows, one
    transaction; a second application on the same day replaces the first). Returns the rows written."""
    written = 0
    note = f"{PACK_NOTE}{pack.key} {pack.name}（{pack.source}）"[:300]
    with transaction.atomic(), unscoped("a rule pack writes the thresholds of the jurisdiction it is applied to"):
        for rule in fit_rules():
            for param in rule.params:
                value = pack.value(rule.id, param.name, param.default)
                row = (RuleParameter.objects.filter(rule_id=rule.id, param=param.name, jurisdiction=code,
                                                    effective_from=effective_from).first()
                       or RuleParameter(rule_id=rule.id, param=param.name, jurisdiction=code,
                                        effective_from=effective_from))
                row.value = _typed(value)
                row.source_note = note
                row.full_clean()
                row.save()
                written += 1
    return written


def _typed(value: Any) -> Any:
    # Param.parse takes what a bureau would type: booleans as 是/否, numbers as text.
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def describe(pack: RulePack) -> list[str]:
    """The pack's differences from the national defaults, as sentences."""
    from chanjiao.core.rules import rules

    lines = []
    for rule_id, params in pack.values.items():
        rule = rules[rule_id]
        for name, value in params.items():
            label = rule.param(name).label
            shown = (_("是") if value else _("否")) if isinstance(value, bool) else value
            lines.append(f"{rule.id} {rule.title}：{label} = {shown}")
    return lines
