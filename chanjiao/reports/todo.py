"""The dashboard's to-do panel (待办事项, issue #9 point 9): what each role should act on now.

Each item is a ``Figure`` (core/figures.py) over a list's FilterSet, bound to today's date, so its
number links to the list of exactly the rows behind it: agreements ending soon, past events without
a recorded outcome, planned activities whose month has passed without an event, and teachers whose
enterprise practice (TP-01) is overdue or falls due soon. A role sees the items it can act on; the
rows are the user's own scope (a school's own agreements and teachers, a leader's own committees).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, declare, evaluate
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope
from chanjiao.engagement import practice
from chanjiao.engagement import ui as eng
from chanjiao.engagement.models import Agreement, Event, PlannedActivity
from chanjiao.engagement.services import expiring_params
from chanjiao.orgs.models import Teacher

# Declared with neutral parameters; ``todo_for`` binds today's dates and the configured notice days.
EXPIRING = Figure("todo_expiring_agreements", gettext_lazy("即将到期的合作协议"), ui=eng.agreements,
                  params={"live": "true"})
NO_OUTCOME = Figure("todo_events_without_outcome", gettext_lazy("已举办但未填写成果的活动"), ui=eng.events,
                    params={"outcome_missing": "true"})
NOT_HELD = Figure("todo_planned_not_held", gettext_lazy("计划月份已过仍未举办的计划活动"), ui=eng.activities,
                  params={"held": "false"})
declare(EXPIRING, NO_OUTCOME, NOT_HELD)
TODO_PRACTICE = ((practice.OVERDUE, gettext_lazy("企业实践已逾期的专业课教师")),
                 (practice.DUE, gettext_lazy("企业实践半年内到期的专业课教师")))


def _bound(figure: Figure, **params: str) -> Figure:
    return dataclasses.replace(figure, params={**figure.params, **params})


def _items(user: Any, today: dt.date) -> list[Figure]:
    scope = get_scope(user)
    mine = {} if scope.writes_all else {"mine": "true"}
    chosen: list[Figure] = []
    if Agreement.can_create(scope):  # the parties and the bureau renew or let agreements end
        chosen.append(_bound(EXPIRING, **expiring_params(settings.AGREEMENT_EXPIRY_NOTICE_DAYS, today), **mine))
    if Event.can_create(scope):  # the committee leaders and the bureau file the outcomes
        chosen.append(_bound(NO_OUTCOME, date_before=(today - dt.timedelta(days=1)).isoformat(), **mine))
    if PlannedActivity.can_create(scope) or scope.has(Role.COMMITTEE_LEADER):
        chosen.append(_bound(NOT_HELD, year=str(today.year), month_before=str(today.month), **mine))
    return chosen


def todo_for(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The user's to-do items with their counts and drill-down links (one query per list)."""
    today = today or timezone.localdate()
    chosen = _items(user, today)
    counted = evaluate(chosen, {}, user) if chosen else {}
    items = [{"key": f.key, "label": str(f.label), "value": counted[f.key].value, "url": counted[f.key].drill_url}
             for f in chosen]
    items += practice_items(user, today)
    return items


def practice_items(user: Any, today: dt.date) -> list[dict[str, Any]]:
    """Teachers overdue or due soon for enterprise practice (TP-01), counted by the practice tracker in one
    query; each links to the tracker filtered to that status (the list of exactly those teachers)."""
    scope = get_scope(user)
    if not (scope.writes_all or scope.orgs(Role.SCHOOL_ADMIN)):
        return []
    counts = practice.status_counts(Teacher.objects.visible_to(user), today)
    page = reverse("engagement:practice_tracker")
    return [{"key": f"todo_practice_{status}", "label": str(label), "value": counts[status],
             "url": f"{page}?status={status}"} for status, label in TODO_PRACTICE]
