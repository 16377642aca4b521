"""The rules of the matching cycle (core/rules): reached from ``clean()``, the importers and the scan.

SC-03 cites 《职业学校校企合作促进办法》; its 3-year term for agreements hosting interns is recalled,
not verified against the text (policy-rules.md), so it warns and never blocks.

TP-01/TP-02 (《职业学校教师企业实践规定》 art. 4) are warnings on the ``practice`` event: the tracker
(``engagement/practice.py``) and the rules page's scan ask them; a teacher's save does not.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db.models import BooleanField, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.rules import BLOCK, DATA, UNVERIFIED, VERIFIED, WARN, DatesInOrder, Param, Rule, register
from chanjiao.engagement.models import Agreement, EventParticipation, OrderClass, TeacherPractice
from chanjiao.engagement.practice import (
    PRACTICE,
    TP01,
    TP02,
    TRACKED,
    AsJSON,
    Pairs,
    Standing,
    overdue_ids_sql,
    periods_of,
    standing,
    threshold_days,
)
from chanjiao.orgs.models import Teacher
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


@register
class PracticeEndNotBeforeStart(DatesInOrder):
    id = "PRA-D1"
    title = gettext_lazy("企业实践结束日期不能早于开始日期")
    model = TeacherPractice
    field = later = "end"
    earlier = "start"

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("企业实践结束日期不能早于开始日期。")


@register
class OrderClassOutcomesInOrder(Rule):
    """Each later stage of an order class is a part of the one before: 在读 ≥ 毕业 ≥ 录用 ≥ 一年后仍在岗."""

    id = "ORD-D1"
    title = gettext_lazy("订单班毕业、录用、留任人数逐级不超过上一级")
    status = DATA
    severity = BLOCK
    model = OrderClass
    field = "graduates"

    def observe(self, obj: Any) -> Any:
        return {"enrolled": obj.enrolled, "graduates": obj.graduates, "hired": obj.hired, "retained": obj.retained}

    def observed_expr(self) -> Any:
        return JSONObject(enrolled=F("enrolled"), graduates=F("graduates"), hired=F("hired"), retained=F("retained"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        chain = [observed[k] for k in ("enrolled", "graduates", "hired", "retained")]
        return any(a is not None and b is not None and b > a for a, b in itertools.pairwise(chain))

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return (Q(graduates__gt=F("enrolled")) | Q(hired__gt=F("graduates")) | Q(retained__gt=F("hired")))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("毕业人数不能多于在读人数，录用人数不能多于毕业人数，一年后仍在岗人数不能多于录用人数。")


# ------------------------------------------------------------------------- teacher enterprise practice

_TP = gettext_lazy("《职业学校教师企业实践规定》（教师〔2016〕3号）第四条")


class _TrackedTeacher(Rule):
    """专业课教师 (实习指导教师 included) — the teachers art. 4 binds; asked on the ``practice`` event (the
    tracker, the scan), not on every teacher save: the answer needs the teacher's practice records."""

    model = Teacher
    events = (PRACTICE,)
    status = VERIFIED
    severity = WARN
    citation = _TP

    def applies(self, obj: Any) -> bool:
        return obj.category in TRACKED

    def applies_q(self) -> Q:
        return Q(category__in=TRACKED)


@register
class SubjectTeacherPractice(_TrackedTeacher):
    """TP-01: ≥ ``months`` months (30 days each) of enterprise practice in every rolling ``years`` years.

    The definition (a month is 30 counted days, overlaps counted once, calendar-year windows, the grace
    of a new teacher's first window) is stated once in ``engagement/practice.py``; ``check`` follows it
    in Python over one teacher's records, ``scan`` in SQL through the tracker's query. A city sets
    stricter values as rule parameters (TP-08, 宁波: 2 months every 2 years)."""

    id = TP01
    title = gettext_lazy("专业课教师每个周期企业实践累计不少于规定时间（全国：每5年累计不少于6个月）")
    region_path = "school__region__code"
    params = (
        Param("months", gettext_lazy("周期内企业实践累计时间（月，每月按30天计）"), default=6, kind="int"),
        Param("years", gettext_lazy("考核周期（年）"), default=5, kind="int",
              help=gettext_lazy("滚动计算：任一日期向前该年数内须达到累计时间；月或年为 0 表示不作要求")),
    )

    def observe(self, obj: Any) -> Any:
        return {"hire_date": obj.hire_date.isoformat() if obj.hire_date else None, "periods": periods_of(obj)}

    def observed_expr(self) -> Any:
        records = (TeacherPractice._base_manager.filter(teacher_id=OuterRef("pk")).order_by()
                   .values("teacher_id").annotate(pairs=Pairs("start", "end")).values("pairs"))
        return JSONObject(hire_date=F("hire_date"), periods=AsJSON(Subquery(records)))

    def standing(self, observed: Any, p: dict[str, Any], on: dt.date) -> Standing:
        periods = [(_as_date(s), _as_date(e)) for s, e in (observed or {}).get("periods") or ()]
        return standing([(s, e) for s, e in periods if s and e], _as_date((observed or {}).get("hire_date")),
                        p, on)

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        due = self.standing(observed, p, on).due
        return due is not None and due <= on

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        if not threshold_days(p):
            return Q(pk__in=[])
        sql, params = overdue_ids_sql(p, on)
        return Q(pk__in=RawSQL(sql, params))  # noqa: S611 (built by the tracker, values as parameters)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("专业课教师每 %(years)d 年须到企业实践累计不少于 %(months)d 个月（%(days)d 天），"
                 "该教师当前周期内未达到。") % {"years": int(p["years"] or 0), "months": int(p["months"] or 0),
                                                 "days": threshold_days(p)}


def _practised_before_hire() -> Any:
    """A record starting before the hire date, or a 岗前实践 record ending on or before it."""
    return Exists(TeacherPractice._base_manager.filter(teacher_id=OuterRef("pk")).filter(
        Q(start__lt=OuterRef("hire_date")) | Q(pre_service=True, end__lte=OuterRef("hire_date"))))


@register
class PracticeBeforeTeaching(_TrackedTeacher):
    """TP-02 先实践、再上岗: a teacher hired without enterprise experience (企业工作经历 0 年) needs practice
    before the hire date — a record starting before it, or a 岗前实践 record ending on or before it."""

    id = TP02
    title = gettext_lazy("无企业工作经历的新任专业课教师应先实践、再上岗")
    field = "hire_date"
    # The provisions date from 2016: a teacher hired before then was never asked to practise first.
    since = dt.date(2016, 1, 1)

    def applies(self, obj: Any) -> bool:
        return (super().applies(obj) and obj.hire_date is not None and obj.hire_date >= self.since
                and obj.enterprise_years == 0)

    def applies_q(self) -> Q:
        return super().applies_q() & Q(hire_date__gte=self.since, enterprise_years=0)

    def observe(self, obj: Any) -> Any:
        return Teacher._base_manager.filter(pk=obj.pk).filter(_practised_before_hire()).exists()

    def observed_expr(self) -> Any:
        return _practised_before_hire()

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return not observed

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return ~Q(_practised_before_hire())

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("该教师入职时无企业工作经历，应先到企业实践再上岗，但没有入职前的企业实践（岗前实践）记录。")


@register
class OrderClassHasAgreement(Rule):
    """LAW-01: school–enterprise cooperation rests on a written agreement stating both sides' rights and
    obligations; 订单培养 is one of the forms the law names. An order class without its 订单培养协议
    is flagged (a warning: the class is recorded, the missing agreement shows in the rule scan)."""

    id = "LAW-01"
    title = gettext_lazy("校企合作应签订书面合作协议（订单班须有订单培养协议）")
    citation = gettext_lazy("《中华人民共和国职业教育法》（2022年修订）第四十条")
    status = VERIFIED
    severity = WARN
    model = OrderClass
    field = "agreement"

    def observe(self, obj: Any) -> Any:
        return obj.agreement_id is not None

    def observed_expr(self) -> Any:
        return ExpressionWrapper(Q(agreement__isnull=False), output_field=BooleanField())

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return not observed

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(agreement__isnull=True)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("订单班属于校企合作，应有书面的订单培养协议；请选择本校与订单企业签订的协议。")
