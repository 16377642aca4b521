"""The organisation rules (core/rules.py): one place each, reached by forms, importers, services,
the API and the 产教融合型企业 workflow.

Regulation rules cite policy-rules.md's ids (PE-xx); data checks (``status = DATA``, ids ``TCH-Dn``,
``MEM-Dn``) have no regulation behind them but use the same machinery, so that no entry point
copies them (issue #7 gap 4: 退出日期不能早于加入日期 used to live in four places).

Events: ``save`` runs on every write (``Model.clean()``, importer rows); ``apply`` is the
enterprise's application for 产教融合型企业 (the workflow transition's guard).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.rules import BLOCK, DATA, LOCAL, SAVE, VERIFIED, WARN, DatesInOrder, Param, Rule, register
from chanjiao.core.scoping import nothing
from chanjiao.orgs.models import (
    CommitteeMembership,
    GuidanceMember,
    IntegrationStatus,
    Organisation,
    OrgKind,
    Teacher,
)

APPLY = "apply"  # the enterprise applies for 产教融合型企业 (workflow guard)
HOLDS_OR_SEEKS = ("applied", "cultivating", "certified")

_PE = gettext_lazy("《建设产教融合型企业实施办法（试行）》（发改社会〔2019〕590号）")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@register
class StatusNeedsEnterprise(Rule):
    id = "PE-01"
    title = gettext_lazy("产教融合型企业须为企业")
    citation = gettext_lazy("%(doc)s 第二条") % {"doc": _PE}
    status = VERIFIED
    severity = BLOCK
    model = Organisation
    events = (SAVE, APPLY)

    def applies(self, obj: Any) -> bool:
        return obj.integration_status != IntegrationStatus.NONE

    def applies_q(self) -> Q:
        return ~Q(integration_status=IntegrationStatus.NONE)

    def observe(self, obj: Any) -> Any:
        return obj.kind

    def observed_expr(self) -> Any:
        return F("kind")

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return observed != OrgKind.ENTERPRISE

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return ~Q(kind=OrgKind.ENTERPRISE)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("只有企业才能申报或认定为产教融合型企业。")


class EnterpriseRule(Rule):
    """Conditions an enterprise must meet to apply for (and keep) 产教融合型企业."""

    model = Organisation
    events = (APPLY,)
    region_path = "region__code"

    def applies(self, obj: Any) -> bool:
        return obj.kind == OrgKind.ENTERPRISE

    def applies_q(self) -> Q:
        return Q(kind=OrgKind.ENTERPRISE)

    def scan_q(self) -> Q:
        # The stored scan looks at enterprises that hold or seek the status.
        return Q(integration_status__in=HOLDS_OR_SEEKS)


@register
class MainBusinessEducation(EnterpriseRule):
    id = "PE-07"
    title = gettext_lazy("主营业务为教育培训的企业原则上不纳入")
    citation = gettext_lazy("临沂市 2024 年、河南省第五批产教融合型企业申报通知（全国文件表述待核实）")
    status = LOCAL
    severity = WARN
    field = "industry"
    params = (Param("enforced", gettext_lazy("适用本条（是/否）"), default=True, kind="bool"),)

    def observe(self, obj: Any) -> Any:
        return obj.industry.section if obj.industry_id else None

    def observed_expr(self) -> Any:
        return F("industry__section")

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return bool(p["enforced"]) and observed == "P"

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(industry__section="P") if p["enforced"] else nothing()

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("企业所属行业为教育（门类 P），主营业务为教育培训的企业原则上不纳入产教融合型企业。")


@register
class YearsRegistered(EnterpriseRule):
    id = "PE-08"
    title = gettext_lazy("在本地注册经营满规定年限方可申报")
    citation = gettext_lazy("河北省、河南省 2024 年产教融合型企业申报通知（满 3 年）；南京市 2021 年（满 5 年）")
    status = LOCAL
    severity = BLOCK
    field = "established"
    params = (Param("min_years", gettext_lazy("最少注册经营年限（年）"), default=0, kind="int",
                    help=gettext_lazy("0 表示不作要求（全国无统一年限）")),)

    def observe(self, obj: Any) -> Any:
        return obj.established

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        years = int(p["min_years"] or 0)
        return years > 0 and (observed is None or observed > years_before(on, years))

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        years = int(p["min_years"] or 0)
        if years <= 0:
            return nothing()
        return Q(established__isnull=True) | Q(established__gt=years_before(on, years))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        years = int(p["min_years"] or 0)
        if observed is None:
            return _("所在地区要求注册经营满 %(n)d 年方可申报产教融合型企业，请先填写成立日期。") % {"n": years}
        return _("企业成立于 %(date)s，注册经营不满 %(n)d 年，按所在地区规定暂不能申报产教融合型企业。") % {
            "date": observed.isoformat(), "n": years}


# ------------------------------------------------------------------------------------ data checks


class DataCheck(Rule):
    status = DATA
    severity = BLOCK


@register
class EnterpriseYearsNotNegative(DataCheck):
    id = "TCH-D1"
    title = gettext_lazy("企业工作经历不能为负数")
    model = Teacher
    field = "enterprise_years"

    def observe(self, obj: Any) -> Any:
        return obj.enterprise_years

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return observed is not None and observed < 0

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(enterprise_years__lt=0)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("企业工作经历不能为负数。")


@register
class HireDateNotFuture(DataCheck):
    id = "TCH-D2"
    title = gettext_lazy("入职日期不能晚于今天")
    model = Teacher
    field = "hire_date"

    def observe(self, obj: Any) -> Any:
        return obj.hire_date

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return observed is not None and observed > on

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(hire_date__gt=on)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("入职日期不能晚于今天。")


@register
class LeftNotBeforeJoined(DatesInOrder):
    id = "MEM-D1"
    title = gettext_lazy("退出日期不能早于加入日期")
    model = (CommitteeMembership, GuidanceMember)
    field = later = "left"
    earlier = "joined"

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("退出日期不能早于加入日期。")
