"""Merging a duplicate enterprise through the page: links move, the duplicate goes, the log says so."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from chanjiao.core.models import AuditEvent
from chanjiao.orgs.models import Contact, Enterprise
from tests import factories


def merge_url(enterprise: Any) -> str:
    return reverse("orgs:enterprise_merge", args=[enterprise.pk])


def test_it_merges_the_duplicate_and_keeps_its_links(world: Any, login: Any) -> None:
    duplicate = Enterprise.objects.create(name="甲市智能制造公司（重复）", uscc=factories.valid_uscc(9_100_001))
    contact = Contact.objects.create(organisation=duplicate, name="周经理", phone="13811112222")
    client = login("bureau_admin")

    page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise.pk])).content.decode()
    assert merge_url(world.enterprise) in page  # the button is offered

    response = client.post(merge_url(world.enterprise), {"duplicate": duplicate.uscc})

    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=duplicate.pk).exists()
    contact.refresh_from_db()
    assert contact.organisation_id == world.enterprise.pk
    event = AuditEvent.objects.get(action="enterprise_merge")
    assert event.actor_username == "bureau_admin" and event.object_id == str(world.enterprise.pk)
    assert AuditEvent.objects.filter(action="delete", object_id=str(duplicate.pk)).exists()


def test_it_refuses_an_unknown_duplicate_and_changes_nothing(world: Any, login: Any) -> None:
    before = Enterprise.objects.count()

    response = login("bureau_admin").post(merge_url(world.enterprise), {"duplicate": "91420500MA00000000"})

    assert response.status_code == 400
    assert "没有找到该企业" in response.content.decode()
    assert Enterprise.objects.count() == before
    assert not AuditEvent.objects.filter(action="enterprise_merge").exists()


def test_only_the_bureau_and_secretariat_merge(world: Any, login: Any) -> None:
    for persona in ("school_admin_a", "enterprise_contact", "leader"):
        client = login(persona)
        assert client.get(merge_url(world.enterprise)).status_code == 403
        assert client.post(merge_url(world.enterprise), {"duplicate": world.enterprise_b.uscc}).status_code == 403
        page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise.pk])).content.decode()
        assert merge_url(world.enterprise) not in page
    assert Enterprise.objects.filter(pk=world.enterprise_b.pk).exists()
