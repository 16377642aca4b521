"""Who reads an object's history (issue #6 point 2, security part B): ``core.models.history_rule``.

Business records: whoever may edit them (the owner organisation's admins, the bureau admin and the
secretariat) reads their data changes; the audit admin reads everything. Users and role grants carry
security events (logins, password changes, grants): the audit admin's alone. Everyone else gets 404
and sees no 变更历史 button nor any audit card on the detail page.
"""

from __future__ import annotations

from typing import Any

import pytest

from chanjiao.accounts.models import Membership
from tests.conftest import PERSONAS

# persona → expected status of the history page of (enterprise, school_a, a user, a membership)
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "no_role": (404, 404, 404, 404),
    "bureau_admin": (200, 200, 404, 404),
    "secretariat": (200, 200, 404, 404),
    "leader": (404, 404, 404, 404),
    "school_admin_a": (404, 200, 404, 404),
    "school_admin_b": (404, 404, 404, 404),
    "enterprise_contact": (200, 404, 404, 404),
    "dept_authority": (404, 404, 404, 404),
    "expert": (404, 404, 404, 404),
    "system_admin": (404, 404, 404, 404),
    "security_admin": (404, 404, 404, 404),
    "audit_admin": (200, 200, 200, 200),
}


def test_every_persona_is_in_the_table() -> None:
    assert set(EXPECTED) == set(PERSONAS)


def _urls(world: Any) -> list[str]:
    user = world.school_admin_a
    membership = Membership.objects.get(user=user)
    return [f"/orgs/enterprise/{world.enterprise.pk}/history/", f"/orgs/school/{world.school_a.pk}/history/",
            f"/accounts/user/{user.pk}/history/", f"/accounts/membership/{membership.pk}/history/"]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_history_pages_answer_per_persona(world: Any, login: Any, persona: str) -> None:
    client = login(persona)
    got = tuple(client.get(url).status_code for url in _urls(world))
    assert got == EXPECTED[persona]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_the_detail_page_shows_history_only_to_who_may_read_it(world: Any, login: Any, persona: str) -> None:
    client = login(persona)
    response = client.get(f"/orgs/enterprise/{world.enterprise.pk}/")
    if response.status_code == 404:  # the system admins read no business pages at all
        assert persona in {"no_role", "system_admin", "security_admin", "audit_admin"}
        return
    page = response.content.decode()
    assert ("/history/" in page) is (EXPECTED[persona][0] == 200)
    # No raw audit card on the detail page for anyone (the history is its own page).
    assert "审计记录" not in page and "updated_at" not in page


def test_security_events_of_a_user_are_the_audit_admins_alone(world: Any, login: Any) -> None:
    from django.test import Client

    from tests.factories import PASSWORD

    Client().post("/accounts/login/", {"username": "school_admin_a", "password": PASSWORD})
    url = f"/accounts/user/{world.school_admin_a.pk}/history/"
    assert login("system_admin").get(url).status_code == 404
    assert login("security_admin").get(url).status_code == 404
    page = login("audit_admin").get(url).content.decode()
    assert "登录" in page


def test_the_owner_reads_data_changes_but_not_security_events_of_their_record(world: Any, login: Any) -> None:
    from chanjiao.core import audit
    from chanjiao.core.models import AuditEvent

    school = world.school_a
    with audit.audit_context(source="web"):
        audit.record_security("export", obj=school, message="秘密安全事件")
    school.short_name = "一职"
    school.save()
    events = AuditEvent.objects.history_for(world.school_admin_a, school)
    assert set(events.values_list("category", flat=True)) == {"data"}
    page = login("school_admin_a").get(f"/orgs/school/{school.pk}/history/").content.decode()
    assert "一职" in page and "秘密安全事件" not in page
    assert "秘密安全事件" in login("audit_admin").get(f"/orgs/school/{school.pk}/history/").content.decode()
