"""Issue #7, gaps 1 and 2: no write path leaves an audited model without its audit event, and
history rows cannot be deleted by any path (instance, queryset, raw delete)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from chanjiao.core import audit, bulk
from chanjiao.core.models import AuditEvent
from chanjiao.orgs.models import (
    Committee,
    CommitteeMembership,
    Contact,
    PillarIndustry,
    VocationalGroup,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _events(obj: Any, action: str = "update") -> list[AuditEvent]:
    return list(AuditEvent.objects.history_of(obj).filter(action=action).order_by("id"))


@pytest.fixture
def group_world(world: Any) -> Any:
    world.group = VocationalGroup.objects.create(name="甲市职业教育集团", short_name="甲职教",
                                                 secretariat=world.school_a)
    world.pillar = PillarIndustry.objects.create(group=world.group, name="智能制造", order=10)
    world.committee = Committee.objects.create(group=world.group, pillar=world.pillar, name="智能制造产学合作委员会",
                                               director=world.department)
    world.membership = CommitteeMembership.objects.create(committee=world.committee, organisation=world.enterprise,
                                                          joined=dt.date(2024, 1, 1))
    return world


# --- gap 1: many-to-many changes ---------------------------------------------------------------------------------


def test_m2m_edit_through_the_form_writes_an_event(group_world: Any, login: Any) -> None:
    w = group_world
    industry = factories.IndustryFactory()
    before = AuditEvent.objects.count()
    client = login("secretariat")
    response = client.post(reverse("orgs:pillarindustry_edit", args=[w.pillar.pk]), {
        "group": w.group.pk, "name": w.pillar.name, "order": w.pillar.order, "industries": [industry.pk],
        "description": "",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    assert list(w.pillar.industries.values_list("pk", flat=True)) == [industry.pk]
    events = [e for e in AuditEvent.objects.filter(id__gt=0).order_by("id")[before:]
              if e.object_type == "orgs.pillarindustry" and "industries" in e.changes]
    assert len(events) == 1
    event = events[0]
    assert event.object_id == str(w.pillar.pk)
    assert event.changes["industries"] == [[], [industry.pk]]
    assert event.changes["industries_names"] == [[], [str(industry)]]
    assert event.actor_username == "secretariat"


def test_m2m_add_remove_clear_each_write_one_event(group_world: Any) -> None:
    pillar = group_world.pillar
    a, b = factories.IndustryFactory(), factories.IndustryFactory()
    pillar.industries.add(a, b)
    pillar.industries.add(a)  # already there: no change, no event
    pillar.industries.remove(a)
    pillar.industries.clear()
    changes = [e.changes["industries"] for e in _events(pillar) if "industries" in e.changes]
    assert changes == [[[], sorted([a.pk, b.pk])], [sorted([a.pk, b.pk]), [b.pk]], [[b.pk], []]]


def test_m2m_change_from_the_reverse_side_is_recorded_on_the_owner(group_world: Any) -> None:
    pillar = group_world.pillar
    industry = factories.IndustryFactory()
    industry.pillar_industries.add(pillar)
    events = [e for e in _events(pillar) if "industries" in e.changes]
    assert [e.changes["industries"] for e in events] == [[[], [industry.pk]]]


# --- gap 1: QuerySet.update(), bulk_create, bulk_update, bulk_insert -------------------------------------------


def test_queryset_update_writes_one_event_per_changed_row(world: Any) -> None:
    a = Contact.objects.create(organisation=world.enterprise, name="张三", phone="13800001111")
    b = Contact.objects.create(organisation=world.enterprise, name="李四", phone="13800002222")
    same = Contact.objects.create(organisation=world.enterprise, name="王五", phone="13800003333", title="经理")
    with audit.audit_context(source="test"):
        n = Contact.objects.filter(organisation=world.enterprise).update(title="经理")
    assert n == 3
    for contact in (a, b):
        events = _events(contact)
        assert len(events) == 1
        assert events[0].changes["title"] == ["", "经理"]
        assert events[0].source == "test"
    assert _events(same) == []  # unchanged by the update: no event


def test_queryset_update_rolls_back_with_its_events_and_refuses_nothing_silently(world: Any) -> None:
    contact = Contact.objects.create(organisation=world.enterprise, name="张三")
    Contact.objects.filter(pk=contact.pk).update(name="张三丰")
    contact.refresh_from_db()
    assert contact.name == "张三丰"
    assert _events(contact)[0].changes["name"] == ["张三", "张三丰"]


def test_bulk_create_outside_a_bulk_write_context_audits_itself(world: Any) -> None:
    made = Contact.objects.bulk_create([Contact(organisation=world.enterprise, name=f"联系人{n}") for n in range(3)])
    for contact in made:
        assert len(_events(contact, "create")) == 1


def test_bulk_update_outside_a_bulk_write_context_audits_itself(world: Any) -> None:
    contacts = [Contact.objects.create(organisation=world.enterprise, name=f"联系人{n}") for n in range(2)]
    for contact in contacts:
        contact.title = "主管"
    Contact.objects.bulk_update(contacts, ["title"])
    for contact in contacts:
        assert [e.changes["title"] for e in _events(contact)] == [["", "主管"]]


def test_bulk_write_context_leaves_the_audit_to_record_bulk(world: Any) -> None:
    with audit.bulk_write("test: the caller records its own events"):
        made = Contact.objects.bulk_create([Contact(organisation=world.enterprise, name="赵六")])
    assert _events(made[0], "create") == []
    audit.record_bulk("create", made)
    assert len(_events(made[0], "create")) == 1


def test_bulk_create_that_cannot_name_its_rows_is_refused(world: Any) -> None:
    with pytest.raises(audit.UnauditedWrite):
        Contact.objects.bulk_create([Contact(organisation=world.enterprise, name="赵六")], ignore_conflicts=True)
    assert not Contact.objects.filter(name="赵六").exists()


def test_bulk_insert_audits_by_itself(world: Any) -> None:
    objs = [Contact(organisation=world.enterprise, name=f"导入{n}") for n in range(2)]
    bulk.bulk_insert(Contact, objs)
    for contact in objs:
        assert contact.pk is not None
        assert len(_events(contact, "create")) == 1


# --- gap 2: history rows are never deleted ------------------------------------------------------------------------


def test_queryset_delete_of_a_history_model_is_refused(group_world: Any) -> None:
    with pytest.raises(PermissionDenied):
        CommitteeMembership.objects.all().delete()
    with pytest.raises(PermissionDenied):
        CommitteeMembership.objects.filter(pk=group_world.membership.pk).delete()
    assert CommitteeMembership.objects.count() == 1


def test_raw_and_base_manager_deletes_of_a_history_model_are_refused(group_world: Any) -> None:
    with pytest.raises(PermissionDenied):
        CommitteeMembership.objects.all()._raw_delete("default")
    # The collector path (base manager, cascades): pre_delete refuses inside the delete's transaction.
    with pytest.raises(PermissionDenied), transaction.atomic():
        CommitteeMembership._base_manager.all().delete()
    assert CommitteeMembership.objects.count() == 1


def test_ordinary_queryset_delete_is_still_audited(world: Any) -> None:
    contact = Contact.objects.create(organisation=world.enterprise, name="张三")
    Contact.objects.filter(pk=contact.pk).delete()
    assert len(_events(contact, "delete")) == 1


# --- gap 1: refused access is a security event ------------------------------------------------------------------


@pytest.fixture
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _denials(username: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(category="security", action="access_denied",
                                          actor_username=username).order_by("id"))


def test_a_refused_detail_page_writes_a_security_event(world: Any, login: Any, _fresh_cache: Any) -> None:
    hidden = Contact.objects.create(organisation=world.enterprise_b, name="外单位联系人")
    url = reverse("orgs:contact_detail", args=[hidden.pk])
    response = login("school_admin_a").get(url)
    assert response.status_code == 404
    [event] = _denials("school_admin_a")
    assert event.outcome == "failure"
    assert event.object_type == "orgs.contact"
    assert event.object_id == str(hidden.pk)
    assert event.changes["status"] == 404
    assert event.changes["path"] == url
    assert event.changes["method"] == "GET"


def test_a_refused_edit_writes_a_security_event_with_403(world: Any, login: Any, _fresh_cache: Any) -> None:
    # Leaders read every organisation but may edit none: the edit page is a 403.
    url = reverse("orgs:enterprise_edit", args=[world.enterprise.pk])
    response = login("leader").get(url)
    assert response.status_code == 403
    [event] = _denials("leader")
    assert event.changes["status"] == 403
    assert event.object_id == str(world.enterprise.pk)


def test_a_refused_api_read_writes_a_security_event(world: Any, login: Any, _fresh_cache: Any) -> None:
    hidden = Contact.objects.create(organisation=world.enterprise_b, name="外单位联系人")
    response = login("school_admin_a").get(f"/api/orgs/contacts/{hidden.pk}")
    assert response.status_code == 404
    [event] = _denials("school_admin_a")
    assert event.changes["path"] == f"/api/orgs/contacts/{hidden.pk}"


def test_refusals_are_rate_limited_then_summarised(world: Any, login: Any, _fresh_cache: Any, settings: Any) -> None:
    from chanjiao.core import denials

    settings.ACCESS_DENIED_EVENTS_PER_MINUTE = 3
    hidden = Contact.objects.create(organisation=world.enterprise_b, name="外单位联系人")
    client = login("school_admin_a")
    url = reverse("orgs:contact_detail", args=[hidden.pk])
    for _ in range(10):
        assert client.get(url).status_code == 404
    assert len(_denials("school_admin_a")) == 3
    denials.advance_window_for_tests()
    assert client.get(url).status_code == 404
    summary = AuditEvent.objects.get(action="access_denied_suppressed", actor_username="school_admin_a")
    assert summary.changes["suppressed"] == 7
    assert len(_denials("school_admin_a")) == 4


def test_a_page_that_does_not_exist_at_all_is_no_scoping_refusal(world: Any, login: Any, _fresh_cache: Any) -> None:
    assert login("school_admin_a").get("/no-such-page/").status_code == 404
    assert _denials("school_admin_a") == []


def test_the_history_page_shows_an_m2m_change_by_its_label_and_names(group_world: Any, login: Any) -> None:
    """Issue 6 point 11 for many-to-many fields: a verbose name and the linked rows' names, never ids or keys."""
    w = group_world
    industry = factories.IndustryFactory(code="3411", name="锅炉及辅助设备制造")
    w.pillar.industries.add(industry)
    page = login("secretariat").get(reverse("orgs:pillarindustry_history", args=[w.pillar.pk])).content.decode()
    label = str(type(w.pillar)._meta.get_field("industries").verbose_name)
    assert label in page and str(industry) in page
    assert "industries_names" not in page and ">industries<" not in page
