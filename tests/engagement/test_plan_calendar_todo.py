"""The year plan's planned-vs-held summary, the events calendar and the dashboard's to-do panel (issue #9
points 1, 2 and 9): each number equals the rows its link opens, for the roles that act on them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chanjiao.engagement.models import Event, PlannedActivity
from chanjiao.reports.todo import todo_for
from tests import factories
from tests.core.test_figures import shown_count


@pytest.fixture
def plan(world: Any) -> Any:
    plan = factories.AnnualPlanFactory(group=world.group, year=2024, number="甲教职成〔2024〕3号")
    return plan


def _activity(plan: Any, committee: Any, month: int, title: str) -> PlannedActivity:
    return PlannedActivity.objects.create(plan=plan, committee=committee, kind="symposium", title=title, month=month)


def test_the_plan_shows_planned_and_held_per_committee(world: Any, login: Any, plan: Any) -> None:
    held = [_activity(plan, world.committee, m, f"智能制造对接会{m}") for m in (3, 5, 9)]
    _activity(plan, world.other_committee, 4, "现代农业对接会")
    world.event.planned_activity = held[0]
    world.event.save()
    Event.objects.create(kind="tour", title="第二场", date=dt.date(2024, 6, 1), committee=world.committee,
                         planned_activity=held[1])
    client = login("bureau_admin")
    page = client.get(plan.get_absolute_url()).content.decode()
    cell = r'<td class="text-end" data-testid="%s">(?:<a href="([^"]*)">)?(\d+)'
    rows = re.findall(r'data-testid="fulfilment-row"><td>([^<]+)</td>\s*' + cell % "planned" + r'.*?' + cell % "held",
                      page, flags=re.S)
    table = {name: (int(planned), int(done)) for name, _u, planned, _v, done in rows}
    assert table == {"智能制造产学合作委员会": (3, 2), "现代农业产学合作委员会": (1, 0)}
    for _name, planned_url, planned, held_url, done in rows:
        assert shown_count(client, planned_url.replace("&amp;", "&")) == int(planned)
        if int(done):  # a zero has no link: no activity to open
            assert shown_count(client, held_url.replace("&amp;", "&")) == int(done)
        else:
            assert not held_url


def test_an_event_fulfils_only_its_own_committees_activity(world: Any, login: Any, plan: Any) -> None:
    other = _activity(plan, world.other_committee, 4, "现代农业对接会")
    data = {"kind": "symposium", "title": "错配的活动", "date": "2024-04-10", "committee": world.committee.pk,
            "planned_activity": other.pk}
    response = login("bureau_admin").post(reverse("engagement:event_add"), data)
    assert response.status_code == 400
    assert "与本活动的主办委员会不一致" in response.content.decode()
    assert not Event.objects.filter(title="错配的活动").exists()


def test_a_planned_activity_belongs_to_its_plans_group(world: Any, login: Any, plan: Any) -> None:
    stranger = factories.CommitteeFactory()  # another group's committee
    response = login("bureau_admin").post(reverse("engagement:plannedactivity_add"), {
        "plan": plan.pk, "committee": stranger.pk, "kind": "symposium", "title": "别的集团的活动", "month": 5,
        "target_enterprises": 10, "target_agreements": 2})
    assert response.status_code == 400
    assert not PlannedActivity.objects.filter(title="别的集团的活动").exists()


def test_the_calendar_places_each_event_on_its_day(world: Any, login: Any) -> None:
    Event.objects.create(kind="competition", title="数控技能大赛", date=dt.date(2024, 5, 31), committee=world.committee)
    page = login("school_admin_a").get(reverse("engagement:calendar"), {"year": 2024, "month": 5}).content.decode()
    cells = dict(re.findall(r'data-date="(\d{4}-\d\d-\d\d)">(.*?)</td>', page, flags=re.S))
    assert "2024年校企合作座谈会" in cells["2024-05-20"]
    assert "数控技能大赛" in cells["2024-05-31"]
    assert "现代农业职业校企行" not in page  # June's event is not in May's grid
    assert page.count('data-testid="calendar-event"') == 2


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": 2024, "month": 13}, {"year": 0, "month": 1}])
def test_a_bad_month_is_explained(login: Any, query: dict[str, Any]) -> None:
    response = login("bureau_admin").get(reverse("engagement:calendar"), query)
    assert response.status_code == 200
    assert 'data-testid="calendar-problem"' in response.content.decode()


def _todo(user: Any, today: dt.date) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in todo_for(user, today)}


def test_the_todo_panel_counts_what_each_role_acts_on(world: Any, login: Any, plan: Any) -> None:
    today = dt.date(2024, 7, 1)
    soon = factories.AgreementFactory(title="即将到期", schools=[world.school_a], enterprises=[world.enterprise],
                                      start=dt.date(2022, 7, 1), end=dt.date(2024, 8, 1), signed_on=dt.date(2022, 6, 1))
    soon.set_status("sign", by=None)
    later = factories.AgreementFactory(title="远未到期", schools=[world.school_a], enterprises=[world.enterprise],
                                       start=dt.date(2023, 7, 1), end=dt.date(2027, 8, 1),
                                       signed_on=dt.date(2023, 6, 1))
    later.set_status("sign", by=None)
    others = factories.AgreementFactory(title="别校到期", schools=[world.school_b], enterprises=[world.enterprise_b],
                                        start=dt.date(2022, 7, 2), end=dt.date(2024, 7, 15),
                                        signed_on=dt.date(2022, 6, 1))
    others.set_status("sign", by=None)
    _activity(plan, world.committee, 3, "三月的计划")  # past, not held
    _activity(plan, world.committee, 11, "十一月的计划")  # still to come
    _activity(plan, world.other_committee, 2, "别的委员会二月的计划")
    # world.event (20 May, no outcome) is past; world.other_event (3 June) is the other committee's.
    bureau = _todo(world.users["bureau_admin"], today)
    assert bureau["todo_expiring_agreements"]["value"] == 2
    assert bureau["todo_events_without_outcome"]["value"] == 2
    assert bureau["todo_planned_not_held"]["value"] == 2
    school = _todo(world.users["school_admin_a"], today)
    assert school["todo_expiring_agreements"]["value"] == 1  # its own agreement only
    assert "todo_events_without_outcome" not in school  # schools do not file the events
    leader = _todo(world.users["committee_leader"], today)
    assert leader["todo_events_without_outcome"]["value"] == 1  # its committee's event only
    assert leader["todo_planned_not_held"]["value"] == 1
    for persona, items in (("bureau_admin", bureau), ("school_admin_a", school), ("committee_leader", leader)):
        client = login(persona)
        for item in items.values():
            if item["key"].startswith("todo_") and "practice" not in item["key"]:
                assert shown_count(client, item["url"]) == item["value"], (persona, item["key"])


def test_the_dashboard_shows_the_panel(world: Any, login: Any) -> None:
    page = login("bureau_admin").get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="todo"' in page and "即将到期的合作协议" in page
    assert timezone.localdate()  # the panel is bound to today's date (todo_for's default)


def test_the_todo_panel_counts_teachers_overdue_for_practice(world: Any, login: Any) -> None:
    today = dt.date(2024, 7, 1)
    overdue = factories.TeacherFactory(school=world.school_a, name="逾期教师", hire_date=dt.date(2010, 9, 1),
                                     enterprise_years=3)
    done = factories.TeacherFactory(school=world.school_a, name="达标教师", hire_date=dt.date(2010, 9, 1),
                                  enterprise_years=3)
    factories.TeacherPracticeFactory(teacher=done, enterprise=world.enterprise, start=dt.date(2023, 1, 1),
                                     end=dt.date(2023, 12, 31))
    factories.TeacherFactory(school=world.school_b, name="别校逾期教师", hire_date=dt.date(2010, 9, 1))
    school = _todo(world.users["school_admin_a"], today)
    assert school["todo_practice_overdue"]["value"] == 1
    bureau = _todo(world.users["bureau_admin"], today)
    assert bureau["todo_practice_overdue"]["value"] == 2
    page = login("school_admin_a").get(school["todo_practice_overdue"]["url"]).content.decode()
    assert overdue.name in page and "达标教师" not in page and "别校逾期教师" not in page
    assert "todo_practice_overdue" not in _todo(world.users["enterprise_contact"], today)
