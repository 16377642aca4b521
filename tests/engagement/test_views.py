"""Harness tests for the matching cycle (issue #9): events, participations, agreements and alliances.

Scope rules exercised (chanjiao/engagement/models.py):

* events and participations: read by every business user; written by the leader of the hosting
  committee (its director / vice-director / secretary organisation) and the global writers;
* agreements: read and written by their parties (a party school's admin, a party enterprise's contact)
  and the global writers; read by the hosting committee's leader and its director authority; nobody
  else sees them (another school's agreements are a 404);
* alliances: read by every business user; written by the lead school's admin and the global writers.

The world (two committees, the ``committee_leader`` persona) is tests/engagement/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.urls import reverse

from chanjiao.engagement import ui
from tests import factories
from tests.harness import ModelHarness, listed_pks

_numbers = itertools.count(100)

# Bookkeeping no request body may set (AC-05 mass assignment).
_BOOKKEEPING = {"id": 99999, "created_at": "2000-01-01T00:00:00+08:00", "updated_at": "2000-01-01T00:00:00+08:00"}


class TestEventViews(ModelHarness):
    ui = ui.events
    api_path = "/api/engagement/events/"
    persona = "committee_leader"  # leads world.committee
    creator = "committee_leader"
    read_only_persona = "school_admin_a"  # the vice-director school reads the events, never files them
    out_of_scope_visible = True  # another committee's events: public within the group, not writable
    owner_field = "committee"
    natural_key = "title"
    edit_changes = {"place": "甲市会展中心", "seminar": True}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return factories.EventFactory(committee=world.committee, title=f"智能制造校企对接会{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.EventFactory(committee=world.other_committee, title="现代农业校企对接会")

    def owner_value(self, world: Any) -> Any:
        return world.other_committee.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"kind": "symposium", "title": "2024年智能制造校企合作座谈会", "date": "2024-05-20",
                "place": "甲市第一职业技术学院", "committee": world.committee.pk, "co_hosts": [world.department.pk],
                "policy_briefing": True, "skills_show": True, "outcome": "签约三项"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # An unknown kind, no title, an impossible date, a committee the leader does not run.
        return {"kind": "party", "title": "", "date": "2024-13-45", "committee": world.other_committee.pk}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestEventParticipationViews(ModelHarness):
    ui = ui.participations
    api_path = "/api/engagement/event-participations/"
    persona = "committee_leader"
    creator = "committee_leader"
    read_only_persona = "enterprise_contact"
    out_of_scope_visible = True
    owner_field = "event"
    natural_key = "people"
    edit_changes = {"attended": True, "attendees": 2, "people": "王经理、李工程师"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        event = factories.EventFactory(committee=world.committee)
        return factories.EventParticipationFactory(event=event, people=f"代表{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.EventParticipationFactory(event=factories.EventFactory(committee=world.other_committee),
                                                   organisation=world.enterprise_b, people="农业代表")

    def owner_value(self, world: Any) -> Any:
        return world.other_event.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"event": world.event.pk, "organisation": world.enterprise_b.pk, "invited": True, "attended": True,
                "attendees": 3, "people": "周总、吴经理、郑工"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # ENG-D1: people counted for an organisation that did not attend.
        return {"attended": False, "attendees": 5}

    def marker(self, obj: Any) -> str:
        return obj.organisation.name


class TestAgreementViews(ModelHarness):
    ui = ui.agreements
    api_path = "/api/engagement/agreements/"
    persona = "school_admin_a"  # a party: reads and edits its own agreements
    creator = "school_admin_a"
    read_only_persona = "leader"
    out_of_scope_visible = False  # school B's agreement with another firm: not school A's business
    natural_key = "title"
    edit_changes = {"achieved_outcomes": "共建数控实训室一间", "expected_outcomes": "每年接收实习生二十名"}
    # The status moves only through the workflow: no request body may set it.
    protected_fields = {**_BOOKKEEPING, "status": "in_force"}

    def in_scope(self, world: Any) -> Any:
        # Each its own start date: the same kind, start and parties would be a duplicate (services). Filed
        # under world.committee, so its leader and director authority (dept_authority) read it too.
        n = next(_numbers)
        return factories.AgreementFactory(title=f"深度合作协议{n}", schools=[world.school_a],
                                          enterprises=[world.enterprise], committee=world.committee,
                                          start=dt.date(2020, 1, 1) + dt.timedelta(n))

    def out_of_scope(self, world: Any) -> Any:
        return factories.AgreementFactory(title="乙县农业订单培养协议", kind="order", schools=[world.school_b],
                                          enterprises=[world.enterprise_b])

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"number": "JZ-2024-001", "title": "甲市第一职院与智能制造公司深度合作协议", "kind": "deep",
                "schools": [world.school_a.pk], "enterprises": [world.enterprise.pk],
                "committee": world.committee.pk, "majors": [world.major.pk], "forms": ["training", "apprenticeship"],
                "hosts_interns": True, "signed_on": "2024-06-01", "start": "2024-09-01", "end": "2027-08-31",
                "expected_outcomes": "共建订单班"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # No party on either side, and the term ends before it starts (AGR-D1).
        return {"title": "无效协议", "kind": "deep", "schools": [], "enterprises": [], "start": "2024-09-01",
                "end": "2024-01-01"}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestAllianceViews(ModelHarness):
    ui = ui.alliances
    api_path = "/api/engagement/alliances/"
    persona = "school_admin_a"  # the lead school
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # a member reads the alliance, the lead school keeps it
    out_of_scope_visible = True  # school B's alliance: public within the group, written by school B
    owner_field = "lead_school"
    edit_changes = {"description": "数控与机器人专业群的校企联盟"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return factories.AllianceFactory(name=f"智能制造专业发展联盟{next(_numbers)}", lead_school=world.school_a)

    def out_of_scope(self, world: Any) -> Any:
        return factories.AllianceFactory(name="现代农业专业发展联盟", lead_school=world.school_b)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "数控技术专业发展联盟", "lead_school": world.school_a.pk, "founding_event": world.event.pk,
                "founded": "2024-05-20", "members": [world.enterprise.pk, world.school_b.pk],
                "majors": [world.major.pk], "description": "数控技术专业群"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Another school as the lead, no name, an impossible date.
        return {"name": "", "lead_school": world.school_b.pk, "founded": "2024-13-01"}

    def marker(self, obj: Any) -> str:
        return obj.name


# ------------------------------------------------------------------------------------ rules across the models

_PUBLIC = [TestEventViews, TestEventParticipationViews, TestAllianceViews]


@pytest.mark.parametrize("harness", _PUBLIC, ids=lambda h: h.ui.name)
@pytest.mark.parametrize("persona", ["school_admin_b", "enterprise_contact", "dept_authority"])
def test_business_users_read_events_and_alliances_without_editing(world: Any, login: Any, harness: Any,
                                                                  persona: str) -> None:
    h = harness()
    obj = h.in_scope(world)
    client = login(persona)
    assert obj.pk in listed_pks(client.get(h.url("list") + "?per_page=100"))
    response = client.get(h.url("detail", obj))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert client.get(h.api_url(obj)).status_code == 200


@pytest.mark.parametrize("harness", [*_PUBLIC, TestAgreementViews], ids=lambda h: h.ui.name)
@pytest.mark.parametrize("persona", ["system_admin", "security_admin", "audit_admin"])
def test_system_administrators_see_no_engagement_rows(world: Any, login: Any, harness: Any, persona: str) -> None:
    h = harness()
    obj = h.in_scope(world)
    client = login(persona)
    response = client.get(h.url("list") + "?per_page=100")
    assert response.status_code == 200
    assert obj.pk not in listed_pks(response)
    assert client.get(h.url("detail", obj)).status_code == 404
    assert client.get(h.api_url(obj)).status_code == 404


def test_each_party_edits_the_agreement_and_the_committee_only_reads_it(world: Any, login: Any) -> None:
    h = TestAgreementViews()
    obj = factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise],
                                     committee=world.committee, title="三方共读的协议")
    for persona in ("school_admin_a", "enterprise_contact"):
        response = login(persona).get(h.url("detail", obj))
        assert response.status_code == 200 and response.context["can_edit"] is True, persona
    # The hosting committee's leader and its director authority read it; neither edits it.
    for persona in ("committee_leader", "dept_authority"):
        client = login(persona)
        assert obj.pk in listed_pks(client.get(h.url("list") + "?per_page=100")), persona
        assert client.get(h.url("detail", obj)).context["can_edit"] is False, persona
        assert client.get(h.url("edit", obj)).status_code == 403, persona
    # School B is no party: the agreement does not exist for it.
    assert login("school_admin_b").get(h.url("detail", obj)).status_code == 404
    other = factories.AgreementFactory(schools=[world.school_b], enterprises=[world.enterprise_b],
                                       committee=world.other_committee, title="别的委员会的协议")
    assert login("committee_leader").get(h.url("detail", other)).status_code == 404
    assert login("dept_authority").get(h.url("detail", other)).status_code == 404


def test_a_party_cannot_file_an_agreement_it_is_not_party_to(world: Any, login: Any) -> None:
    h = TestAgreementViews()
    data = {**h.create_data(world), "schools": [world.school_b.pk], "enterprises": [world.enterprise_b.pk],
            "title": "替别人登记的协议"}
    from tests.harness import as_post

    response = login("school_admin_a").post(h.url("add"), as_post(data))
    assert response.status_code == 403
    assert not ui.agreements.model._base_manager.filter(title="替别人登记的协议").exists()


def test_the_committee_leader_files_events_only_for_its_committees(world: Any, login: Any) -> None:
    h = TestEventViews()
    form = login("committee_leader").get(h.url("add")).context["form"]
    assert {c.pk for c in form.fields["committee"].queryset} == {world.committee.pk}


def test_event_tabs_list_participants_agreements_and_alliances(world: Any, login: Any) -> None:
    event = factories.EventFactory(committee=world.committee, title="带标签页的活动")
    factories.EventParticipationFactory(event=event, organisation=world.enterprise)
    factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise], signing_event=event)
    hidden = factories.AgreementFactory(schools=[world.school_b], enterprises=[world.enterprise_b],
                                        signing_event=event)
    factories.AllianceFactory(lead_school=world.school_a, founding_event=event)
    response = login("school_admin_a").get(TestEventViews().url("detail", event))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.enterprise.name in html
    assert hidden.title not in html  # the tab lists through rows_for: school B's agreement stays hidden


def test_a_party_enterprise_sees_its_agreement_from_its_own_page(world: Any, login: Any) -> None:
    obj = factories.AgreementFactory(schools=[world.school_a], enterprises=[world.enterprise],
                                     title="企业页上的协议", start=dt.date(2023, 3, 1))
    response = login("enterprise_contact").get(reverse("orgs:enterprise_detail", args=[world.enterprise.pk]))
    assert response.status_code == 200
    assert obj.title in response.content.decode()


class TestVisitViews(ModelHarness):
    """走访企业: the school records and edits its visits; the visited enterprise reads them; another
    school's visits are not its business (404)."""

    ui = ui.visits
    api_path = "/api/engagement/visits/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # the visited firm reads, never edits
    out_of_scope_visible = False
    owner_field = "school"
    natural_key = "purpose"
    edit_changes = {"outcome": "约定共建实训室", "follow_up": "下月回访"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return factories.VisitFactory(school=world.school_a, enterprise=world.enterprise,
                                      purpose=f"走访了解岗位需求{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.VisitFactory(school=world.school_b, enterprise=world.enterprise_b, purpose="乙县学校走访")

    def owner_value(self, world: Any) -> Any:
        return world.school_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "enterprise": world.enterprise.pk, "date": "2024-04-10",
                "purpose": "了解智能制造岗位需求", "outcome": "对方愿接收实习生", "follow_up": "寄送实习方案",
                "follow_up_by": "2024-05-10"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # No purpose, an impossible date, and a department where an enterprise is expected.
        return {"school": world.school_a.pk, "enterprise": world.department.pk, "date": "2024-02-30", "purpose": ""}

    def marker(self, obj: Any) -> str:
        return obj.purpose


def test_a_visit_takes_only_the_schools_own_teachers(world: Any, login: Any) -> None:
    from chanjiao.engagement.models import Visit
    from tests.harness import as_post

    ours = factories.TeacherFactory(school=world.school_a, name="本校老师", employee_no="V1")
    theirs = factories.TeacherFactory(school=world.school_b, name="外校老师", employee_no="V2")
    data = {"school": world.school_a.pk, "enterprise": world.enterprise.pk, "date": "2024-04-10",
            "purpose": "跨校走访", "visitors": [ours.pk, theirs.pk]}
    response = login("bureau_admin").post(reverse("engagement:visit_add"), as_post(data))
    assert response.status_code == 400
    assert "走访教师须为本校教师：外校老师。" in response.content.decode()
    assert not Visit.objects.filter(purpose="跨校走访").exists()
    response = login("bureau_admin").post(reverse("engagement:visit_add"), as_post({**data, "visitors": [ours.pk]}))
    assert response.status_code == 302
    assert list(Visit.objects.get(purpose="跨校走访").visitors.all()) == [ours]


def test_the_enterprise_page_shows_the_schools_visits(world: Any, login: Any) -> None:
    visit = factories.VisitFactory(school=world.school_a, enterprise=world.enterprise, purpose="走访洽谈订单班")
    page = login("bureau_admin").get(reverse("orgs:enterprise_detail", args=[world.enterprise.pk]))
    assert page.status_code == 200
    assert visit.purpose in page.content.decode()
