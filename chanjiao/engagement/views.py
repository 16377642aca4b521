"""Pages of the matching cycle that are not one model's list: the events calendar and the year plan's
planned-vs-held summary. Rows come through ``visible_to(user)`` like every list."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chanjiao.core.navigation import Page, register_page
from chanjiao.engagement.models import Event

register_page(Page(gettext_lazy("校企对接"), gettext_lazy("活动日历"), "engagement:calendar", icon="calendar",
                   order=20))

WEEKDAYS = (gettext_lazy("一"), gettext_lazy("二"), gettext_lazy("三"), gettext_lazy("四"), gettext_lazy("五"),
            gettext_lazy("六"), gettext_lazy("日"))


def month_asked(year: str | None, month: str | None, today: dt.date) -> tuple[int, int, str | None]:
    """The month to show (this month by default), and a Chinese message when the address was wrong."""
    if not year and not month:
        return today.year, today.month, None
    try:
        y, m = int(year or today.year), int(month or 1)
    except ValueError:
        return today.year, today.month, _("年份和月份应为数字；已显示本月。")
    if not (1900 <= y <= 2100 and 1 <= m <= 12):
        return today.year, today.month, _("年份应在 1900—2100 之间、月份在 1—12 之间；已显示本月。")
    return y, m, None


def month_grid(user: Any, year: int, month: int) -> list[list[dict[str, Any]]]:
    """The weeks of the month (Monday first), each day with the events the user may see that day."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day: dict[dt.date, list[Event]] = {}
    # One query: the month's events (a few dozen), placed on their days.
    for event in (Event.objects.visible_to(user).filter(date__gte=first, date__lte=last)
                  .select_related("committee").order_by("date", "title", "id")):
        by_day.setdefault(event.date, []).append(event)
    return [[{"date": day, "in_month": day.month == month, "events": by_day.get(day, [])} for day in week]
            for week in weeks]


class CalendarView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        year, month, problem = month_asked(request.GET.get("year"), request.GET.get("month"), today)
        previous = (year - 1, 12) if month == 1 else (year, month - 1)
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        return render(request, "engagement/calendar.html", {
            "year": year, "month": month, "weeks": month_grid(request.user, year, month), "weekdays": WEEKDAYS,
            "previous": previous, "next": following, "today": today, "problem": problem,
        })
