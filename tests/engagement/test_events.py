"""校企对接活动 (issue #9): the five "一" of a symposium and who attended.

Three items are ticked on the event; "一批合作协议签约" and "一批专业发展联盟成立" are proven by the agreements
and alliances that record this event as their signing / founding event — the form has no box for them,
so no post can fake them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chanjiao.core.models import AuditEvent
from chanjiao.engagement.forms import EventForm
from chanjiao.engagement.models import Event, EventParticipation
from tests import factories
from tests.harness import api_patch, api_post, as_post, form_data


def _done(event: Event) -> dict[str, bool]:
    return {item["key"]: item["done"] for item in Event._base_manager.get(pk=event.pk).checklist()}


def test_the_checklist_names_the_five_items_in_order(world: Any) -> None:
    event = factories.EventFactory(committee=world.committee)
    items = event.checklist()
    assert [i["key"] for i in items] == ["policy_briefing", "skills_show", "agreements", "alliances", "seminar"]
    assert [i["label"] for i in items] == ["一次政策宣讲", "一次技能竞赛观摩", "一批合作协议签约",
                                           "一批专业发展联盟成立", "一次深度对接研讨"]
    assert not any(i["done"] for i in items)
    assert Event(kind="symposium", title="未保存", date=dt.date(2024, 5, 20)).checklist()[2]["done"] is False


def test_agreements_and_alliances_are_done_exactly_when_recorded_with_this_event(world: Any) -> None:
    event = factories.EventFactory(committee=world.committee, title="五个一座谈会")
    other = factories.EventFactory(committee=world.committee, title="另一场活动")
    # Recorded with another event, or with none: this one's items stay open.
    factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise], signing_event=other)
    factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise], start=dt.date(2024, 9, 2))
    factories.AllianceFactory(lead_school=world.school_a, founding_event=other)
    assert _done(event) == {"policy_briefing": False, "skills_show": False, "agreements": False,
                            "alliances": False, "seminar": False}

    signed = factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise],
                                        signing_event=event, start=dt.date(2024, 9, 3))
    factories.AgreementFactory(schools=[world.school_b], enterprises=[world.enterprise_b], signing_event=event)
    assert _done(event)["agreements"] is True and _done(event)["alliances"] is False
    items = {i["key"]: i for i in Event._base_manager.get(pk=event.pk).checklist()}
    assert items["agreements"]["proof"] == "本次活动签署协议 2 份"

    alliance = factories.AllianceFactory(lead_school=world.school_a, founding_event=event)
    assert _done(event)["alliances"] is True
    items = {i["key"]: i for i in Event._base_manager.get(pk=event.pk).checklist()}
    assert items["alliances"]["proof"] == "本次活动成立联盟 1 个"

    # Moving the proof to another event (or deleting it) takes the tick away again.
    alliance.founding_event = other
    alliance.save()
    assert _done(event)["alliances"] is False
    signed.delete()
    assert _done(event)["agreements"] is True  # school B's agreement still proves it
    assert Event._base_manager.get(pk=event.pk).checklist()[2]["proof"] == "本次活动签署协议 1 份"


def test_the_ticked_items_follow_their_boxes(world: Any) -> None:
    event = factories.EventFactory(committee=world.committee, policy_briefing=True, seminar=True)
    assert _done(event) == {"policy_briefing": True, "skills_show": False, "agreements": False,
                            "alliances": False, "seminar": True}


def test_no_post_can_tick_the_proven_items(world: Any, login: Any) -> None:
    # The form has no field for them; whatever a page or an API client sends, they stay proven by records.
    assert not {"agreements", "alliances", "signed_agreements", "founded_alliances"} & set(EventForm.base_fields)
    event = factories.EventFactory(committee=world.committee, title="不能伪造的活动")
    client = login("committee_leader")
    edit = reverse("engagement:event_edit", args=[event.pk])
    response = client.post(edit, as_post({**form_data(EventForm, event), "agreements": True, "alliances": "on",
                                          "skills_show": True}))
    assert response.status_code == 302
    assert _done(event) == {"policy_briefing": False, "skills_show": True, "agreements": False,
                            "alliances": False, "seminar": False}
    for body in ({"agreements": True}, {"alliances": True}, {"signed_agreements": [1]}):
        assert api_patch(client, f"/api/engagement/events/{event.pk}", body).status_code == 400, body
    assert _done(event)["agreements"] is False and _done(event)["alliances"] is False


def test_the_proof_is_in_the_tabs_of_the_event(world: Any, login: Any) -> None:
    event = factories.EventFactory(committee=world.committee, title="有成果的活动")
    factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise], signing_event=event,
                               title="现场签约的协议")
    factories.AllianceFactory(lead_school=world.school_a, founding_event=event, name="现场成立的联盟")
    page = login("bureau_admin").get(reverse("engagement:event_detail", args=[event.pk])).content.decode()
    assert "现场签约的协议" in page and "现场成立的联盟" in page


def test_the_event_page_shows_the_five_items_with_their_proof(world: Any, login: Any) -> None:
    import re

    event = factories.EventFactory(committee=world.committee, title="页面上的五个一", policy_briefing=True)
    factories.AgreementFactory(schools=[world.school_b], enterprises=[world.enterprise_b], signing_event=event)
    # School A's admin cannot see school B's agreement, yet the event's proof counts it: it is the event's.
    page = login("school_admin_a").get(reverse("engagement:event_detail", args=[event.pk])).content.decode()
    done = dict(re.findall(r'data-item="(\w+)" data-done="(\w+)"', page))
    assert done == {"policy_briefing": "true", "skills_show": "false", "agreements": "true", "alliances": "false",
                    "seminar": "false"}
    assert "本次活动签署协议 1 份" in page
    tour = factories.EventFactory(committee=world.committee, kind="tour", title="职业校企行")
    page = login("school_admin_a").get(reverse("engagement:event_detail", args=[tour.pk])).content.decode()
    assert 'data-testid="event-checklist"' not in page  # the five 一 are a symposium's


# --- ENG-D1: no attendees for an organisation that did not attend -----------------------------------------------


def test_eng_d1_refuses_attendees_without_attendance(world: Any, login: Any) -> None:
    data = {"event": world.event.pk, "organisation": world.enterprise.pk, "invited": True, "attended": False,
            "attendees": 4, "people": "未出席却有人数"}
    before = (EventParticipation._base_manager.count(), AuditEvent.objects.filter(category="data").count())
    response = login("committee_leader").post(reverse("engagement:eventparticipation_add"), as_post(data))
    assert response.status_code == 400
    assert response.context["form"].errors["attendees"] == ["未出席的单位不能填写出席人数。"]
    response = api_post(login("bureau_admin"), "/api/engagement/event-participations/", data)
    assert response.status_code == 400
    assert response.json()["errors"]["attendees"] == ["未出席的单位不能填写出席人数。"]
    assert (EventParticipation._base_manager.count(), AuditEvent.objects.filter(category="data").count()) == before
    # Attended with four people, or invited and absent with none: both are fine.
    response = api_post(login("bureau_admin"), "/api/engagement/event-participations/", {**data, "attended": True})
    assert response.status_code == 201, response.content
    absent = factories.EventParticipationFactory(event=world.event, organisation=world.enterprise_b, attended=False)
    absent.full_clean()


def test_eng_d1_holds_in_the_model_and_the_scan(world: Any) -> None:
    from chanjiao.core import rules
    from chanjiao.engagement.rules import AttendeesOnlyWhenAttended

    bad = EventParticipation(event=world.event, organisation=world.enterprise, attended=False, attendees=2)
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert refused.value.message_dict["attendees"] == ["未出席的单位不能填写出席人数。"]
    rows = [factories.EventParticipationFactory(event=world.event, organisation=o, attended=a, attendees=n)
            for o, a, n in ((world.enterprise, True, 3), (world.enterprise_b, False, 0), (world.school_b, True, 0))]
    stale = factories.EventParticipationFactory(event=world.event, organisation=world.school_a)
    EventParticipation._base_manager.filter(pk=stale.pk).update(attendees=7)  # as an old import could have left it
    scanned = set(rules.scan(AttendeesOnlyWhenAttended(), EventParticipation._base_manager.all())
                  .values_list("pk", flat=True))
    assert scanned == {stale.pk}
    assert all(not rules.check(r) for r in rows)


def test_an_organisation_is_listed_once_per_event(world: Any, login: Any) -> None:
    factories.EventParticipationFactory(event=world.event, organisation=world.enterprise)
    before = EventParticipation._base_manager.count()
    data = {"event": world.event.pk, "organisation": world.enterprise.pk, "invited": True}
    response = login("committee_leader").post(reverse("engagement:eventparticipation_add"), as_post(data))
    assert response.status_code == 400
    assert EventParticipation._base_manager.count() == before


def test_an_event_with_agreements_signed_at_it_is_not_deleted(world: Any, login: Any) -> None:
    # The agreements' proof of the five "一" would silently vanish (and their link without an audit row).
    event = factories.EventFactory(committee=world.committee, title="签约仪式")
    factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise], signing_event=event)
    response = login("bureau_admin").post(reverse("engagement:event_delete", args=[event.pk]))
    assert response.status_code == 302
    assert Event._base_manager.filter(pk=event.pk).exists()
    assert login("bureau_admin").delete(f"/api/engagement/events/{event.pk}").status_code == 409
    assert Event._base_manager.filter(pk=event.pk).exists()


@pytest.mark.parametrize("year", ["0.0", "0", "99999", "2019.5", "-1"])
def test_a_year_out_of_range_is_refused_not_crashed(world: Any, login: Any, year: str) -> None:
    # The fuzz run found year=0.0 answered 500 (a date's year 0 cannot be looked up).
    client = login("bureau_admin")
    for path in ("/api/engagement/events/", "/api/engagement/agreements/"):
        assert client.get(path, {"year": year}).status_code == 400, (path, year)
    assert client.get(reverse("engagement:event_list"), {"year": year}).status_code == 200


def test_a_year_filters_the_events_of_that_year(world: Any, login: Any) -> None:
    in_2019 = factories.EventFactory(committee=world.committee, date=dt.date(2019, 5, 16))
    factories.EventFactory(committee=world.committee, date=dt.date(2020, 5, 16))
    answer = login("bureau_admin").get("/api/engagement/events/", {"year": "2019"}).json()
    assert [row["id"] for row in answer["results"]] == [in_2019.pk]
