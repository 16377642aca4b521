"""The rules of the matching cycle (core/rules): reached from ``clean()``, the importers and the scan.

SC-03 cites 《职业学校校企合作促进办法》; its 3-year term for agreements hosting interns is recalled,
not verified against the text (policy-rules.md), so it warns and never blocks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DateField, ExpressionWrapper, F, Q
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.rules import BLOCK, DATA, UNVERIFIED, WARN, DatesInOrder, Param, Rule, register
from chanjiao.engagement.models import Agreement, EventParticipation
from chanjiao.orgs.rules import years_before


def _as_date(value: Any) -> dt.date | None:
    """A date, also from the scan's JSON (an ISO string)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@register
class EndNotBeforeStart(DatesInOrder):
    id = "AGR-D1"
    title = gettext_lazy("协议结束日期不能早于开始日期")
    model = Agreement
    field = later = "end"
    earlier = "start"

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("协议结束日期不能早于开始日期。")


@register
class InternHostingTerm(Rule):
    id = "SC-03"
    title = gettext_lazy("接收实习的合作协议期限不少于规定年限")
    citation = gettext_lazy("《职业学校校企合作促进办法》（教职成〔2018〕1号）第十一条")
    status = UNVERIFIED
    severity = WARN
    model = Agreement
    field = "end"
    params = (Param("min_years", gettext_lazy("接收实习时协议最短期限（年）"), default=3, kind="int"),)

    def applies(self, obj: Any) -> bool:
        return bool(obj.hosts_interns)

    def applies_q(self) -> Q:
        return Q(hosts_interns=True)

    def observe(self, obj: Any) -> Any:
        return {"start": obj.start, "end": obj.end}

    def observed_expr(self) -> Any:
        return JSONObject(start=F("start"), end=F("end"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        years = int(p["min_years"] or 0)
        start, end = _as_date(observed["start"]), _as_date(observed["end"])
        # The end day is part of the term (2024-09-01 至 2027-08-31 is three years); open-ended is long enough.
        return bool(years and start and end and years_before(end + dt.timedelta(days=1), years) < start)

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        years = int(p["min_years"] or 0)
        if not years:
            return Q(pk__in=[])
        # The day after the end, before start + N years — compared by calendar parts (no year arithmetic in SQL).
        after = Agreement._base_manager.annotate(
            after=ExpressionWrapper(F("end") + dt.timedelta(days=1), output_field=DateField()))
        same_year = Q(after__year=F("start__year") + years) & (
            Q(after__month__lt=F("start__month")) | Q(after__month=F("start__month"), after__day__lt=F("start__day")))
        short = after.filter(Q(end__isnull=False) & (Q(after__year__lt=F("start__year") + years) | same_year))
        return Q(pk__in=short.values("pk"))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("企业接收实习的合作协议期限一般不少于 %(n)d 年（本条依据待核实，仅作提醒）。") % {
            "n": int(p["min_years"] or 0)}


@register
class AttendeesOnlyWhenAttended(Rule):
    id = "ENG-D1"
    title = gettext_lazy("未出席的单位不能填写出席人数")
    status = DATA
    severity = BLOCK
    model = EventParticipation
    field = "attendees"

    def observe(self, obj: Any) -> Any:
        return {"attended": obj.attended, "attendees": obj.attendees}

    def observed_expr(self) -> Any:
        return JSONObject(attended=F("attended"), attendees=F("attendees"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return not observed["attended"] and bool(observed["attendees"])

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(attended=False, attendees__gt=0)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("未出席的单位不能填写出席人数。")
