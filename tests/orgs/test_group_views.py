"""Harness tests for the vocational group's structure: the group, board terms and seats, pillar industries,
committees and their memberships, and the schools' guidance committees and their members.

Scope rules exercised (chanjiao/orgs/models.py):

* group / board / pillar / committee: read by every business user, written only by the global writers
  (``GroupPublicMixin``); the system-administration roles see nothing (AC-07);
* committee memberships: read by every business user, written by the committee leader of the committee's
  director / vice-director / secretary organisation (``Committee.led_by_q``);
* guidance committees and their members: read by every business user, written by the owning school's admin;
* memberships (``EndOnlyMixin``) are ended by filling in ``left``, never deleted: delete answers 403.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from chanjiao.accounts.models import Membership
from chanjiao.core.roles import Role
from chanjiao.orgs import ui
from chanjiao.orgs.models import (
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    GuidanceCommittee,
    GuidanceMember,
    PillarIndustry,
    VocationalGroup,
)
from tests import factories
from tests.harness import ModelHarness, api_patch, api_post, audit_events, listed_pks, reload, state

_numbers = itertools.count(100)

# Bookkeeping no request body may set (AC-05 mass assignment).
_BOOKKEEPING = {"id": 99999, "created_at": "2000-01-01T00:00:00+08:00", "updated_at": "2000-01-01T00:00:00+08:00"}


@pytest.fixture(autouse=True)
def group_world(world: Any) -> Any:
    """The group's structure, built once per test before any harness counts are taken.

    ``world.committee`` is directed by ``world.department``; the ``committee_leader`` persona (not one of the
    shared conftest personas) is a committee leader for that department, so it runs ``world.committee`` and
    not ``world.other_committee`` (directed by ``world.department_b``).
    """
    world.industry = factories.IndustryFactory(code="3411", name="锅炉及辅助设备制造")
    world.major = factories.MajorFactory(code="460103", name="数控技术")
    world.group = VocationalGroup.objects.create(name="甲市职业教育集团", short_name="甲职教",
                                                 secretariat=world.department_b, lead_school=world.school_a,
                                                 founded=dt.date(2013, 6, 28))
    world.term = BoardTerm.objects.create(group=world.group, number=1, start_date=dt.date(2013, 6, 28))
    world.pillar = PillarIndustry.objects.create(group=world.group, name="智能制造", order=10)
    world.pillar_b = PillarIndustry.objects.create(group=world.group, name="现代农业", order=20)
    world.committee = Committee.objects.create(group=world.group, pillar=world.pillar, name="智能制造产学合作委员会",
                                               director=world.department, vice_director=world.school_a)
    world.other_committee = Committee.objects.create(group=world.group, pillar=world.pillar_b,
                                                     name="现代农业产学合作委员会", director=world.department_b,
                                                     vice_director=world.school_b)
    world.guidance_a = GuidanceCommittee.objects.create(school=world.school_a, name="机电一体化专业教学指导委员会",
                                                        committee=world.committee)
    world.guidance_b = GuidanceCommittee.objects.create(school=world.school_b, name="现代农业技术专业教学指导委员会",
                                                        committee=world.other_committee)
    leader = factories.UserFactory(username="committee_leader", full_name="committee_leader姓名")
    Membership.objects.create(user=leader, role=Role.COMMITTEE_LEADER, organisation=world.department)
    world.users["committee_leader"] = leader
    return world


# ------------------------------------------------------------------------------------ group structure


class TestVocationalGroupViews(ModelHarness):
    ui = ui.groups
    api_path = "/api/orgs/groups/"
    persona = "bureau_admin"  # no organisation owns the group: the global writers keep it
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # the lead school reads the group, never edits it
    has_out_of_scope = False
    edit_changes = {"short_name": "甲职教集团", "approved_by": "甲市人民政府"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return VocationalGroup.objects.create(name=f"甲市现代服务业职教集团{next(_numbers)}",
                                              secretariat=world.department_b)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "丙市交通运输职业教育集团", "short_name": "丙交职教", "founded": "2016-10-20",
                "approved_by": "丙市教育局", "secretariat": world.department_b.pk, "lead_school": world.school_a.pk}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"name": "", "secretariat": "", "founded": "2016-13-45"}


class TestBoardTermViews(ModelHarness):
    ui = ui.terms
    api_path = "/api/orgs/board-terms/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "enterprise_contact"
    has_out_of_scope = False
    natural_key = "note"
    edit_changes = {"number": 99, "note": "换届后补选理事"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        n = next(_numbers)
        return BoardTerm.objects.create(group=world.group, number=n, start_date=dt.date(2016, 10, 20),
                                        note=f"第{n}届")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"group": world.group.pk, "number": 2, "elected_at": "2016-10-20", "start_date": "2016-10-20",
                "note": "第二届理事会换届"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # number 1 already exists for the group; the term would end before it starts.
        return {"group": world.group.pk, "number": 1, "start_date": "2020-01-01", "end_date": "2019-12-31",
                "note": "无效届次"}

    def marker(self, obj: Any) -> str:
        return obj.note


class TestBoardSeatViews(ModelHarness):
    ui = ui.seats
    api_path = "/api/orgs/board-seats/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # sitting on the board does not make the seat editable
    has_out_of_scope = False
    natural_key = "person_name"
    edit_changes = {"role": "vice_chair", "person_title": "董事长"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return BoardSeat.objects.create(term=world.term, role="director", organisation=world.school_a,
                                        person_name=f"理事{next(_numbers)}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"term": world.term.pk, "role": "chair", "organisation": world.enterprise.pk,
                "person_name": "周理事长", "person_title": "总经理"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"term": world.term.pk, "role": "emperor", "organisation": "", "person_name": "无效席位"}

    def marker(self, obj: Any) -> str:
        return obj.person_name


class TestPillarIndustryViews(ModelHarness):
    ui = ui.pillars
    api_path = "/api/orgs/pillar-industries/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "dept_authority"
    has_out_of_scope = False
    edit_changes = {"order": 5, "description": "装备制造与工业机器人"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return PillarIndustry.objects.create(group=world.group, name=f"新能源{next(_numbers)}", order=30)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"group": world.group.pk, "name": "高端装备", "order": 40, "industries": [world.industry.pk],
                "description": "锅炉、机床与工程机械"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # "智能制造" already exists in the group; an order cannot be negative.
        return {"group": world.group.pk, "name": "智能制造", "order": -1}


class TestCommitteeViews(ModelHarness):
    ui = ui.committees
    api_path = "/api/orgs/committees/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    # The leader of the committee's director organisation runs its memberships, not the committee itself.
    read_only_persona = "committee_leader"
    has_out_of_scope = False
    edit_changes = {"name": "智能装备产学合作委员会", "active": False}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return Committee.objects.create(group=world.group, pillar=world.pillar,
                                        name=f"工业机器人产学合作委员会{next(_numbers)}", director=world.enterprise,
                                        vice_director=world.school_a, secretary=world.school_b)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"group": world.group.pk, "pillar": world.pillar_b.pk, "name": "农产品加工产学合作委员会",
                "director": world.department_b.pk, "vice_director": world.school_b.pk, "founded": "2016-10-20",
                "active": True}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # A school cannot direct a committee (industry authority, association or leading enterprise only).
        return {"group": world.group.pk, "pillar": world.pillar.pk, "name": "无效委员会",
                "director": world.school_b.pk}


# ------------------------------------------------------------------------------------ memberships (history)


class _EndedNotDeleted:
    """Memberships are history (``EndOnlyMixin``): ended by filling in ``left``, never deleted.

    The generic delete tests do not apply; these replace them: delete is refused with 403 for the row's
    editor and for the global writers alike, and ending the membership through the API is the way out.
    """

    test_it_deletes_with_audit_event = None
    test_it_creates_updates_deletes_through_api_with_audit_events = None

    def test_it_refuses_delete_and_keeps_history(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        before = state(obj)
        for persona in (self.persona, "bureau_admin"):
            client = login(persona)
            assert client.post(self.url("delete", obj)).status_code == 403, persona
            assert client.delete(self.api_url(obj)).status_code == 403, persona
        assert state(obj) == before
        assert not audit_events(obj, "delete").exists()

    def test_it_creates_and_ends_through_api_with_audit_events(self, world: Any, login: Any) -> None:
        data = self.create_data(world)
        response = api_post(login(self.creator), self.api_url(), data)
        assert response.status_code == 201, response.content
        created = self.find(data).get()
        assert audit_events(created, "create", world.users[self.creator]).filter(source="api").count() == 1

        response = api_patch(login(self.persona), self.api_url(created), {"left": "2024-06-30"})
        assert response.status_code == 200, response.content
        assert reload(created).left == dt.date(2024, 6, 30)
        event = audit_events(created, "update", world.users[self.persona]).filter(source="api").get()
        assert "left" in event.changes
        assert self.model().objects.filter(pk=created.pk).exists()

    def test_it_offers_no_delete_for_history_records(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(self.persona)
        assert client.get(self.url("detail", obj)).context["can_delete"] is False
        assert client.get(self.url("delete", obj)).status_code == 403


class TestCommitteeMembershipViews(_EndedNotDeleted, ModelHarness):
    ui = ui.committee_memberships
    api_path = "/api/orgs/committee-memberships/"
    persona = "committee_leader"  # leads world.committee (its organisation is the director)
    creator = "committee_leader"
    # The director organisation's industry-authority user is no committee leader: reads, never writes.
    read_only_persona = "dept_authority"
    out_of_scope_visible = True  # another committee's members: public within the group, not writable
    owner_field = "committee"
    natural_key = "person_name"
    edit_changes = {"role": "vice_director", "note": "2023年起任副主任单位"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return CommitteeMembership.objects.create(committee=world.committee, organisation=world.enterprise,
                                                  person_name=f"委员{next(_numbers)}", joined=dt.date(2016, 10, 20))

    def out_of_scope(self, world: Any) -> Any:
        return CommitteeMembership.objects.create(committee=world.other_committee, organisation=world.enterprise_b,
                                                  person_name="农业委员", joined=dt.date(2016, 10, 20))

    def owner_value(self, world: Any) -> Any:
        return world.other_committee.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"committee": world.committee.pk, "organisation": world.enterprise_b.pk, "role": "member",
                "person_name": "吴经理", "joined": "2021-03-01"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Leaving before joining; filing into a committee the leader does not run.
        return {"committee": world.other_committee.pk, "organisation": world.enterprise.pk, "role": "member",
                "person_name": "无效委员", "joined": "2021-03-01", "left": "2020-01-01"}

    def marker(self, obj: Any) -> str:
        return obj.person_name


class TestGuidanceCommitteeViews(ModelHarness):
    ui = ui.guidance_committees
    api_path = "/api/orgs/guidance-committees/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"
    out_of_scope_visible = True  # school B's committee: public within the group, edited by school B only
    owner_field = "school"
    edit_changes = {"name": "智能制造专业群教学指导委员会", "active": False}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return GuidanceCommittee.objects.create(school=world.school_a,
                                                name=f"工业机器人专业教学指导委员会{next(_numbers)}",
                                                major=world.major, committee=world.committee)

    def out_of_scope(self, world: Any) -> Any:
        return world.guidance_b

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "name": "数控技术专业教学指导委员会", "major": world.major.pk,
                "committee": world.committee.pk, "founded": "2018-09-01", "active": True}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # School B is not the admin's school; a committee needs a name.
        return {"school": world.school_b.pk, "name": ""}

    def marker(self, obj: Any) -> str:
        return obj.name


class TestGuidanceMemberViews(_EndedNotDeleted, ModelHarness):
    ui = ui.guidance_members
    api_path = "/api/orgs/guidance-members/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # the expert's own enterprise reads the seat, the school keeps it
    out_of_scope_visible = True
    owner_field = "committee"
    natural_key = "person_name"
    edit_changes = {"person_title": "总工程师", "role": "vice_chair"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        return GuidanceMember.objects.create(committee=world.guidance_a, organisation=world.enterprise,
                                             person_name=f"专家{next(_numbers)}", person_title="高级工程师",
                                             joined=dt.date(2019, 9, 1))

    def out_of_scope(self, world: Any) -> Any:
        return GuidanceMember.objects.create(committee=world.guidance_b, organisation=world.enterprise_b,
                                             person_name="农技专家", joined=dt.date(2019, 9, 1))

    def owner_value(self, world: Any) -> Any:
        return world.guidance_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"committee": world.guidance_a.pk, "organisation": world.enterprise.pk, "person_name": "郑工程师",
                "person_title": "高级工程师", "role": "member", "joined": "2022-09-01"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"committee": world.guidance_b.pk, "organisation": world.enterprise.pk, "person_name": "",
                "role": "member", "joined": "2022-09-01", "left": "2021-01-01"}

    def marker(self, obj: Any) -> str:
        return obj.person_name


# ------------------------------------------------------------------------------------ read rules across the models

_HARNESSES = [TestVocationalGroupViews, TestBoardTermViews, TestBoardSeatViews, TestPillarIndustryViews,
              TestCommitteeViews, TestCommitteeMembershipViews, TestGuidanceCommitteeViews, TestGuidanceMemberViews]


@pytest.mark.parametrize("harness", _HARNESSES, ids=lambda h: h.ui.name)
@pytest.mark.parametrize("persona", ["school_admin_b", "enterprise_contact"])
def test_business_users_read_group_structure_without_editing(world: Any, login: Any, harness: Any,
                                                             persona: str) -> None:
    h = harness()
    obj = h.in_scope(world)
    client = login(persona)
    assert obj.pk in listed_pks(client.get(h.url("list") + "?per_page=100"))
    response = client.get(h.url("detail", obj))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert client.get(h.api_url(obj)).status_code == 200


@pytest.mark.parametrize("harness", _HARNESSES, ids=lambda h: h.ui.name)
@pytest.mark.parametrize("persona", ["system_admin", "security_admin", "audit_admin"])
def test_system_administrators_see_no_group_structure(world: Any, login: Any, harness: Any, persona: str) -> None:
    h = harness()
    obj = h.in_scope(world)
    client = login(persona)
    response = client.get(h.url("list") + "?per_page=100")
    assert response.status_code == 200  # the list opens, empty: no rows of the group for administrators
    assert obj.pk not in listed_pks(response)
    assert client.get(h.url("detail", obj)).status_code == 404
    assert client.get(h.api_url(obj)).status_code == 404
    assert h.model().objects.visible_to(world.users[persona]).count() == 0
