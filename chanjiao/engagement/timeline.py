"""The matching cycle on the enterprise's 合作时间线 (issue #9 point 5): the events it attended, its
agreements (signed, in force from, ending), the schools' visits it received, the order classes it
ordered and the teachers it hosted — the one page where the bureau sees everything one enterprise
does with the city's schools.

Each source reads its model through ``visible_to(user)`` (the scoping guard fails a source that does
not), so a school admin sees only its own visits, agreements, classes and teachers there; each is one
query whatever the number of entries (the names it prints are joined, never fetched per row).
Registered by importing this module (engagement/apps.py ``ready``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from chanjiao.engagement.models import Agreement, EventParticipation, OrderClass, TeacherPractice, Visit
from chanjiao.orgs.models import Organisation
from chanjiao.orgs.services import TimelineEntry, timeline_source

# An order class has a cohort year, not a day: it opens with the autumn term (the school year starts in September).
COHORT_START_MONTH, COHORT_START_DAY = 9, 1


@timeline_source
def event_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    rows = (EventParticipation.objects.visible_to(user).filter(organisation=org, attended=True)
            .select_related("event__committee"))
    for p in rows:
        detail = _("出席 %(n)d 人") % {"n": p.attendees} if p.attendees else ""
        if p.people:
            detail = f"{detail}：{p.people}" if detail else p.people
        yield TimelineEntry(p.event.date, _("校企对接活动"),
                            _("出席%(e)s（%(c)s）") % {"e": p.event.title, "c": p.event.committee.name}, detail,
                            p.event.get_absolute_url())


@timeline_source
def agreement_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    # A subquery on the through table: one row per agreement, however many parties it has.
    parties = Agreement.enterprises.through.objects.filter(organisation_id=org.pk).values("agreement_id")
    for a in Agreement.objects.visible_to(user).filter(pk__in=parties):
        url, detail = a.get_absolute_url(), f"{a.get_kind_display()} · {a.get_status_display()}"
        if a.signed_on:
            yield TimelineEntry(a.signed_on, _("合作协议"), _("签署%(t)s") % {"t": a.title}, detail, url)
        yield TimelineEntry(a.start, _("合作协议"), _("%(t)s 开始履行") % {"t": a.title}, detail, url)
        if a.end:
            yield TimelineEntry(a.end, _("合作协议"), _("%(t)s 期满") % {"t": a.title}, detail, url)


@timeline_source
def visit_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    for v in Visit.objects.visible_to(user).filter(enterprise=org).select_related("school"):
        yield TimelineEntry(v.date, _("学校走访"), _("%(s)s 来访") % {"s": v.school.name}, v.purpose,
                            v.get_absolute_url())


@timeline_source
def order_class_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    for c in OrderClass.objects.visible_to(user).filter(enterprise=org).select_related("school", "major"):
        yield TimelineEntry(dt.date(c.cohort_year, COHORT_START_MONTH, COHORT_START_DAY), _("订单班"),
                            _("%(s)s %(y)d级%(n)s 开班") % {"s": c.school.name, "y": c.cohort_year, "n": c.name},
                            _("%(m)s，在读 %(e)d 人") % {"m": c.major.name, "e": c.enrolled}, c.get_absolute_url())


@timeline_source
def practice_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    for p in TeacherPractice.objects.visible_to(user).filter(enterprise=org).select_related("teacher__school"):
        yield TimelineEntry(p.start, _("教师企业实践"),
                            _("接收%(s)s %(t)s 企业实践") % {"s": p.teacher.school.name, "t": p.teacher.name},
                            _("%(a)s 至 %(b)s，共 %(d)d 天") % {"a": f"{p.start:%Y-%m-%d}", "b": f"{p.end:%Y-%m-%d}",
                                                            "d": p.days},
                            p.get_absolute_url())
