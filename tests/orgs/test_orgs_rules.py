"""Stage 1 rules: identifier validation, people scoping, committee leaders, merge, history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from chanjiao.accounts.models import Membership, User
from chanjiao.core.models import AuditEvent
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope
from chanjiao.orgs import services
from chanjiao.orgs.forms import EnterpriseForm, SchoolForm
from chanjiao.orgs.models import (
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    CommitteeRole,
    Contact,
    Department,
    Enterprise,
    Organisation,
    PillarIndustry,
    SeatRole,
    Teacher,
    VocationalGroup,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _user(username: str, role: str, org: Organisation | None) -> User:
    user = User.objects.create_user(username=username, password=factories.PASSWORD)
    Membership.objects.create(user=user, role=role, organisation=org)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("code", ["414100001", "41410000011", "41410A0001"])
def test_school_code_must_be_ten_digits(world, code):
    form = SchoolForm({"name": "测试学校", "school_code": code, "school_level": "secondary"}, user=world.bureau_admin)
    assert not form.is_valid()
    # Too long is caught by the length check (also in Chinese), the rest by the 10-digit rule.
    assert "10" in str(form.errors["school_code"])


@pytest.mark.parametrize(("value", "message"), [
    ("91420500MA4ABCDE", "应为18位"),
    (factories.valid_uscc(12345)[:-1] + ("0" if factories.valid_uscc(12345)[-1] != "0" else "1"), "校验位不正确"),
])
def test_uscc_is_checked_with_chinese_message(world, value, message):
    form = EnterpriseForm({"name": "测试企业", "uscc": value}, user=world.bureau_admin)
    assert not form.is_valid()
    assert message in str(form.errors["uscc"])


def test_api_refuses_bad_uscc_and_writes_nothing(world, login):
    before = Enterprise.objects.count()
    response = login("bureau_admin").post("/api/orgs/enterprises/", json.dumps(
        {"name": "坏代码企业", "uscc": "91420500MA4ABCDE1"}),
        content_type="application/json")
    assert response.status_code == 400
    assert "统一社会信用代码" in json.dumps(response.json(), ensure_ascii=False)
    assert Enterprise.objects.count() == before


def test_api_refuses_bad_school_code(world, login):
    before = Organisation.objects.count()
    response = login("bureau_admin").post("/api/orgs/schools/", json.dumps(
        {"name": "坏代码学校", "school_code": "12345", "school_level": "secondary"}), content_type="application/json")
    assert response.status_code == 400
    assert "学校标识码应为10位数字" in json.dumps(response.json(), ensure_ascii=False)
    assert Organisation.objects.count() == before


def test_valid_uscc_is_normalised_and_saved(world):
    code = factories.valid_uscc(777)
    form = EnterpriseForm({"name": "好代码企业", "uscc": code.lower()},
                          user=world.bureau_admin)
    assert form.is_valid(), form.errors
    assert form.save().uscc == code


def test_contact_phone_validation(world):
    from chanjiao.orgs.forms import ContactForm

    ok = ContactForm({"organisation": world.school_a.pk, "name": "张三", "phone": "0717-6123456"},
                     user=world.school_admin_a)
    assert ok.is_valid(), ok.errors
    bad = ContactForm({"organisation": world.school_a.pk, "name": "张三", "phone": "12345678901"},
                      user=world.school_admin_a)
    assert not bad.is_valid()
    assert "电话号码" in str(bad.errors["phone"])


# --------------------------------------------------------------------------------- people scope


@pytest.fixture
def people(world):
    return {
        "teacher_a": Teacher.objects.create(school=world.school_a, name="甲老师", employee_no="A001"),
        "teacher_b": Teacher.objects.create(school=world.school_b, name="乙老师", employee_no="B001"),
        "contact_a": Contact.objects.create(organisation=world.school_a, name="甲联系人", phone="13912345678"),
        "contact_b": Contact.objects.create(organisation=world.school_b, name="乙联系人", phone="13887654321"),
        "contact_e": Contact.objects.create(organisation=world.enterprise, name="企联系人", phone="13700001111"),
    }


@pytest.mark.parametrize(("ui_name", "own", "other", "field", "value"), [
    ("teacher", "teacher_a", "teacher_b", "subject", "数控技术"),
    ("contact", "contact_a", "contact_b", "title", "校长"),
])
def test_school_admin_sees_and_edits_only_own_people(world, login, people, ui_name, own, other, field, value):
    client = login("school_admin_a")
    mine, theirs = people[own], people[other]
    listing = client.get(f"/orgs/{ui_name}/")
    assert listing.status_code == 200
    assert mine.name in listing.content.decode() and theirs.name not in listing.content.decode()
    assert client.get(f"/orgs/{ui_name}/{theirs.pk}/").status_code == 404
    assert client.get(f"/orgs/{ui_name}/{theirs.pk}/edit/").status_code == 404
    api = "teachers" if ui_name == "teacher" else "contacts"
    assert client.get(f"/api/orgs/{api}/{theirs.pk}").status_code == 404
    ids = [r["id"] for r in client.get(f"/api/orgs/{api}/").json()["results"]]
    assert mine.pk in ids and theirs.pk not in ids
    before = type(theirs).objects.filter(pk=theirs.pk).values().get()
    response = client.patch(f"/api/orgs/{api}/{theirs.pk}", json.dumps({field: value}),
                            content_type="application/json")
    assert response.status_code == 404  # out of scope: not even its existence is confirmed
    assert client.post(f"/orgs/{ui_name}/{theirs.pk}/edit/", {field: value}).status_code == 404
    assert type(theirs).objects.filter(pk=theirs.pk).values().get() == before
    # …and their own they may edit.
    response = client.patch(f"/api/orgs/{api}/{mine.pk}", json.dumps({field: value}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert getattr(type(mine).objects.get(pk=mine.pk), field) == value


def test_school_admin_cannot_file_teacher_under_other_school(world, login):
    client = login("school_admin_a")
    response = client.post("/orgs/teacher/add/", {"school": world.school_b.pk, "name": "越权", "employee_no": "X1",
                                                   "enterprise_years": "0"})
    assert response.status_code == 400
    assert not Teacher.objects.filter(name="越权").exists()


def test_enterprise_contact_sees_only_own_contacts(world, login, people):
    ids = [r["id"] for r in login("enterprise_contact").get("/api/orgs/contacts/").json()["results"]]
    assert ids == [people["contact_e"].pk]


def test_phone_masked_for_others_full_for_own_and_global(world, people):
    contact = people["contact_a"]
    assert contact.phone_for(get_scope(world.school_admin_a)) == "13912345678"
    assert contact.phone_for(get_scope(world.bureau_admin)) == "13912345678"
    assert contact.phone_for(get_scope(world.leader)) == "13912345678"
    assert contact.phone_for(get_scope(world.school_admin_b)) == "139****5678"


def test_phone_in_list_and_api_detail(world, login, people):
    assert "13912345678" in login("school_admin_a").get("/orgs/contact/").content.decode()
    assert login("school_admin_a").get(f"/api/orgs/contacts/{people['contact_a'].pk}").json()["phone"] == "13912345678"


def test_committee_leader_sees_member_contacts_masked(world, people):
    committee, _ = _committee(world)
    CommitteeMembership.objects.create(committee=committee, organisation=world.school_b, joined=dt.date(2020, 1, 1))
    leader = _user("leader_x", Role.COMMITTEE_LEADER, world.department)
    visible = Contact.objects.visible_to(leader)
    assert people["contact_b"] in visible and people["contact_a"] not in visible
    assert people["contact_b"].phone_for(get_scope(leader)) == "138****4321"


# ----------------------------------------------------------------------------------- committees


def _committee(world, name: str = "电子商务产学合作委员会", director: Organisation | None = None):
    group, _ = VocationalGroup.objects.get_or_create(name="测试职教集团", defaults={"secretariat": world.department_b})
    pillar, _ = PillarIndustry.objects.get_or_create(group=group, name=name[:4])
    committee = Committee.objects.create(group=group, pillar=pillar, name=name, director=director or world.department,
                                         vice_director=world.school_a, secretary=world.school_b)
    return committee, group


def test_committee_leader_edits_only_own_committee_memberships(world, login):
    own, _group = _committee(world)
    other, _ = _committee(world, "现代农业产学合作委员会", director=world.department_b)
    m_own = CommitteeMembership.objects.create(committee=own, organisation=world.enterprise, joined=dt.date(2020, 1, 1))
    m_other = CommitteeMembership.objects.create(committee=other, organisation=world.enterprise,
                                                 joined=dt.date(2020, 1, 1))
    leader = _user("leader_a", Role.COMMITTEE_LEADER, world.department)
    client = _client(leader)
    # Both are visible (the group's structure is public within the group) …
    assert client.get(f"/orgs/committeemembership/{m_other.pk}/").status_code == 200
    # … but only the own committee's rows are editable.
    r = client.patch(f"/api/orgs/committee-memberships/{m_other.pk}", json.dumps({"person_name": "改"}),
                     content_type="application/json")
    assert r.status_code == 403
    assert CommitteeMembership.objects.get(pk=m_other.pk).person_name == ""
    r = client.patch(f"/api/orgs/committee-memberships/{m_own.pk}", json.dumps({"person_name": "王委员"}),
                     content_type="application/json")
    assert r.status_code == 200, r.content
    # Creating into another committee is refused, into their own accepted.
    r = client.post("/api/orgs/committee-memberships/", json.dumps(
        {"committee": other.pk, "organisation": world.enterprise_b.pk, "role": "member", "joined": "2021-01-01"}),
        content_type="application/json")
    assert r.status_code == 400
    r = client.post("/api/orgs/committee-memberships/", json.dumps(
        {"committee": own.pk, "organisation": world.enterprise_b.pk, "role": "member", "joined": "2021-01-01"}),
        content_type="application/json")
    assert r.status_code == 201, r.content
    assert not Committee.objects.editable_by(leader).exists()  # the committee itself stays with the secretariat


def test_memberships_are_ended_not_deleted(world, login):
    committee, _ = _committee(world)
    m = CommitteeMembership.objects.create(committee=committee, organisation=world.enterprise,
                                           joined=dt.date(2016, 10, 20))
    r = login("bureau_admin").delete(f"/api/orgs/committee-memberships/{m.pk}")
    assert r.status_code == 403
    assert CommitteeMembership.objects.filter(pk=m.pk).exists()


def test_membership_history_survives_term_change(world):
    committee, group = _committee(world)
    first = services.start_board_term(group, number=1, start_date=dt.date(2013, 6, 28))
    BoardSeat.objects.create(term=first, role=SeatRole.CHAIR, organisation=world.school_a, person_name="老理事长")
    m = CommitteeMembership.objects.create(committee=committee, organisation=world.enterprise,
                                           joined=dt.date(2013, 7, 1))
    second = services.start_board_term(group, number=2, start_date=dt.date(2016, 10, 20))
    services.end_membership(m, dt.date(2016, 10, 19))
    new = CommitteeMembership.objects.create(committee=committee, organisation=world.enterprise_b,
                                             joined=dt.date(2016, 10, 20))
    promoted = services.change_committee_role(new, CommitteeRole.VICE_DIRECTOR, dt.date(2019, 1, 1))

    first.refresh_from_db()
    assert first.end_date == dt.date(2016, 10, 19) and second.end_date is None
    assert BoardTerm.objects.filter(group=group).count() == 2
    assert first.seats.filter(person_name="老理事长").exists()  # old seats stay with the old term
    assert CommitteeMembership.objects.filter(committee=committee).count() == 3
    assert set(CommitteeMembership.objects.current().filter(committee=committee)) == {promoted}
    assert set(CommitteeMembership.objects.filter(committee=committee).as_of(dt.date(2015, 1, 1))) == {m}
    assert set(CommitteeMembership.objects.filter(committee=committee).as_of(dt.date(2017, 1, 1))) == {new}


def test_group_structure_visible_to_business_users_not_admins(world):
    committee, group = _committee(world)
    assert committee in Committee.objects.visible_to(world.enterprise_contact)
    assert group in VocationalGroup.objects.visible_to(world.school_admin_b)
    assert not Committee.objects.visible_to(world.system_admin).exists()
    assert not Committee.objects.editable_by(world.school_admin_a).exists()


# ---------------------------------------------------------------------------------------- merge


def test_enterprise_merge_keeps_links_and_writes_audit(world):
    keep, dup = world.enterprise, world.enterprise_b
    committee, group = _committee(world)
    term = services.start_board_term(group, number=1, start_date=dt.date(2016, 10, 20))
    contact = Contact.objects.create(organisation=dup, name="重复企业联系人")
    membership = CommitteeMembership.objects.create(committee=committee, organisation=dup, joined=dt.date(2017, 1, 1))
    seat = BoardSeat.objects.create(term=term, role=SeatRole.DIRECTOR, organisation=dup)
    user_link = Membership.objects.create(user=world.no_role, role=Role.ENTERPRISE_CONTACT, organisation=dup)
    dup_pk, dup_name = dup.pk, dup.name

    moved = services.merge_enterprises(keep, dup, world.bureau_admin)

    assert not Organisation.objects.filter(pk=dup_pk).exists()
    for obj in (contact, membership, seat, user_link):
        obj.refresh_from_db()
        assert obj.organisation_id == keep.pk
    assert moved["orgs.contact.organisation"] == 1
    event = AuditEvent.objects.get(action="enterprise_merge")
    assert event.category == "security" and event.object_id == str(keep.pk)
    assert dup_name in event.message and keep.name in event.message
    assert event.actor_username == world.bureau_admin.username
    # The moves themselves are data events, so each link's history shows where it came from.
    assert AuditEvent.objects.filter(object_type="orgs.contact", object_id=str(contact.pk), action="update").exists()
    timeline = services.enterprise_timeline(keep, world.bureau_admin)
    assert any(committee.name in e.title for e in timeline)


def test_only_global_writers_merge(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.merge_enterprises(world.enterprise, world.enterprise_b, world.enterprise_contact)
    assert Enterprise.objects.filter(pk=world.enterprise_b.pk).exists()


def test_enterprise_detail_shows_timeline_and_history(world, login):
    committee, _ = _committee(world)
    CommitteeMembership.objects.create(committee=committee, organisation=world.enterprise, joined=dt.date(2017, 1, 1))
    page = login("school_admin_a").get(f"/orgs/enterprise/{world.enterprise.pk}/").content.decode()
    # Issue #6 point 2: no audit card for another organisation's admin (tests/core/test_history_scope.py).
    assert "合作时间线" in page and committee.name in page and "审计记录" not in page
    assert Department.objects.filter(pk=world.department.pk).exists()
