"""The enterprise's city-wide 合作时间线 (issue #9 point 5): events attended, agreements (signed, in force
from, ending), visits received, order classes and teachers hosted — each entry as its reader may see it.

The expectations are stated from the data each test makes (dates chosen apart, so the order is the dates'),
never read back from chanjiao/engagement/timeline.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

D = dt.date


@pytest.fixture
def story(world: Any) -> dict[str, Any]:
    """One enterprise's year with the city's schools: school A's entries and school B's."""
    firm = world.enterprise
    s: dict[str, Any] = {}
    s["event"] = factories.EventFactory(committee=world.committee, title="智能制造座谈会", date=D(2019, 3, 10))
    factories.EventParticipationFactory(event=s["event"], organisation=firm, attended=True, attendees=2,
                                        people="王经理、李工")
    # Invited, did not come: no entry.
    absent = factories.EventFactory(committee=world.other_committee, title="未出席的活动", date=D(2019, 3, 20))
    factories.EventParticipationFactory(event=absent, organisation=firm, attended=False)
    s["agreement_a"] = factories.AgreementFactory(title="甲校深度合作协议", schools=[world.school_a],
                                                  enterprises=[firm], signed_on=D(2019, 4, 1), start=D(2019, 5, 1),
                                                  end=D(2022, 4, 30))
    s["agreement_b"] = factories.AgreementFactory(title="乙校实习基地协议", kind="internship_base",
                                                  schools=[world.school_b], enterprises=[firm],
                                                  signed_on=D(2019, 8, 1), start=D(2019, 8, 15))
    s["visit_a"] = factories.VisitFactory(school=world.school_a, enterprise=firm, date=D(2019, 6, 10),
                                          purpose="甲校走访洽谈订单班")
    s["visit_b"] = factories.VisitFactory(school=world.school_b, enterprise=firm, date=D(2019, 6, 20),
                                          purpose="乙校走访了解用工")
    teacher_a = factories.TeacherFactory(school=world.school_a, name="甲校老师", employee_no="TA1")
    teacher_b = factories.TeacherFactory(school=world.school_b, name="乙校老师", employee_no="TB1")
    s["practice_a"] = factories.TeacherPracticeFactory(teacher=teacher_a, enterprise=firm, start=D(2019, 7, 1),
                                                       end=D(2019, 7, 31))
    s["practice_b"] = factories.TeacherPracticeFactory(teacher=teacher_b, enterprise=firm, start=D(2019, 7, 15),
                                                       end=D(2019, 8, 14))
    s["class_a"] = factories.OrderClassFactory(school=world.school_a, enterprise=firm, major=world.major,
                                               cohort_year=2019, name="数控订单班")
    s["class_b"] = factories.OrderClassFactory(school=world.school_b, enterprise=firm, major=world.major,
                                               cohort_year=2020, name="农机订单班")
    # Another enterprise's records: never on this one's timeline.
    factories.VisitFactory(school=world.school_a, enterprise=world.enterprise_b, date=D(2019, 6, 11))
    factories.TeacherPracticeFactory(teacher=teacher_a, enterprise=world.enterprise_b, start=D(2019, 10, 1),
                                     end=D(2019, 10, 5))
    return s


def _expected(s: dict[str, Any], *, school_b: bool) -> list[tuple[dt.date, str, str]]:
    """(date, kind, link) newest first, as stated by hand from ``story``."""
    url = {name: obj.get_absolute_url() for name, obj in s.items()}
    rows = [
        (D(2022, 4, 30), "合作协议", url["agreement_a"]),  # ends
        (D(2020, 9, 1), "订单班", url["class_b"]),  # the 2020 cohort opens with the autumn term
        (D(2019, 9, 1), "订单班", url["class_a"]),
        (D(2019, 8, 15), "合作协议", url["agreement_b"]),  # in force from
        (D(2019, 8, 1), "合作协议", url["agreement_b"]),  # signed
        (D(2019, 7, 15), "教师企业实践", url["practice_b"]),
        (D(2019, 7, 1), "教师企业实践", url["practice_a"]),
        (D(2019, 6, 20), "学校走访", url["visit_b"]),
        (D(2019, 6, 10), "学校走访", url["visit_a"]),
        (D(2019, 5, 1), "合作协议", url["agreement_a"]),
        (D(2019, 4, 1), "合作协议", url["agreement_a"]),
        (D(2019, 3, 10), "校企对接活动", url["event"]),
    ]
    school_b_links = {url[name] for name in ("class_b", "agreement_b", "practice_b", "visit_b")}
    return [row for row in rows if school_b or row[2] not in school_b_links]


def _page_entries(client: Any, firm: Any) -> list[Any]:
    response = client.get(reverse("orgs:enterprise_detail", args=[firm.pk]))
    assert response.status_code == 200
    tab = next(t for t in response.context["tabs"] if str(t["label"]) == "合作时间线")
    return [row.record for row in tab["table"].rows]  # every entry, not only the tab's first page


def _api_entries(client: Any, firm: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/orgs/enterprise-timeline/{firm.pk}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("persona", ["bureau_admin", "enterprise_contact"])
def test_the_bureau_and_the_firm_see_every_kind_of_entry_in_date_order(world: Any, login: Any, story: Any,
                                                                       persona: str) -> None:
    client = login(persona)
    expected = _expected(story, school_b=True)
    assert [(e.date, e.kind, e.url) for e in _page_entries(client, world.enterprise)] == expected
    api = [(D.fromisoformat(e["date"]), e["kind"], e["url"]) for e in _api_entries(client, world.enterprise)]
    assert api == expected
    assert {kind for _, kind, _ in expected} == {"合作协议", "订单班", "教师企业实践", "学校走访", "校企对接活动"}


def test_the_entries_say_what_happened(world: Any, login: Any, story: Any) -> None:
    entries = {(e.date, e.kind): e for e in _page_entries(login("bureau_admin"), world.enterprise)}
    event = entries[(D(2019, 3, 10), "校企对接活动")]
    assert "智能制造座谈会" in event.title and "王经理、李工" in event.detail
    assert "甲校深度合作协议" in entries[(D(2019, 4, 1), "合作协议")].title
    assert "甲市第一职业技术学院" in entries[(D(2019, 6, 10), "学校走访")].title
    assert entries[(D(2019, 6, 10), "学校走访")].detail == "甲校走访洽谈订单班"
    practice = entries[(D(2019, 7, 1), "教师企业实践")]
    assert "甲校老师" in practice.title and "共 31 天" in practice.detail  # 1 … 31 July, both ends counted
    assert "数控订单班" in entries[(D(2019, 9, 1), "订单班")].title


def test_a_school_admin_sees_only_its_own_schools_dealings(world: Any, login: Any, story: Any) -> None:
    client = login("school_admin_a")
    expected = _expected(story, school_b=False)
    got = [(e.date, e.kind, e.url) for e in _page_entries(client, world.enterprise)]
    assert got == expected
    assert [(D.fromisoformat(e["date"]), e["kind"], e["url"]) for e in _api_entries(client, world.enterprise)] == got
    # Another school's visit to the same enterprise is not on school A's timeline, by link or by words.
    page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise.pk])).content.decode()
    assert story["visit_b"].get_absolute_url() not in page and "乙校走访了解用工" not in page
    assert login("school_admin_b").get(story["visit_a"].get_absolute_url()).status_code == 404


def test_the_system_administrators_get_no_timeline(world: Any, login: Any, story: Any) -> None:
    for persona in ("system_admin", "audit_admin"):
        assert login(persona).get(f"/api/orgs/enterprise-timeline/{world.enterprise.pk}").status_code == 404


def _more(world: Any, n: int) -> None:
    """``n`` rounds of more entries for the enterprise: per round an attended event, an agreement (signed,
    start, end) of a new school, and a visit, a hosted teacher and an order class of that school and of school A."""
    firm = world.enterprise
    for i in range(n):
        school = factories.SchoolFactory()
        event = factories.EventFactory(committee=world.committee, date=D(2018, 1, 1) + dt.timedelta(days=i))
        factories.EventParticipationFactory(event=event, organisation=firm, attended=True)
        factories.AgreementFactory(schools=[school], enterprises=[firm], signed_on=D(2017, 1, 1),
                                   start=D(2017, 2, 1) + dt.timedelta(days=i), end=D(2020, 1, 31))
        for owner in (school, world.school_a):
            factories.VisitFactory(school=owner, enterprise=firm)
            factories.TeacherPracticeFactory(teacher=factories.TeacherFactory(school=owner), enterprise=firm)
            factories.OrderClassFactory(school=owner, enterprise=firm, major=world.major)


# Entries one round of ``_more`` adds for each reader: the bureau 1 + 3 + 2 × 3; school A its event and its own three.
_PER_ROUND = {"bureau_admin": 10, "school_admin_a": 4}


@pytest.mark.parametrize("persona", sorted(_PER_ROUND))
def test_the_timeline_costs_the_same_queries_for_few_or_many_entries(world: Any, login: Any, story: Any,
                                                                     persona: str) -> None:
    client = login(persona)
    urls = [reverse("orgs:enterprise_detail", args=[world.enterprise.pk]),
            f"/api/orgs/enterprise-timeline/{world.enterprise.pk}"]

    def counts() -> tuple[list[int], int]:
        measured = []
        for url in urls:
            client.get(url)  # warm the per-process caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            measured.append(len(queries))
        return measured, len(_api_entries(client, world.enterprise))

    few, entries_before = counts()
    _more(world, 3)
    many, entries_after = counts()
    assert entries_after - entries_before == 3 * _PER_ROUND[persona]
    assert many == few
