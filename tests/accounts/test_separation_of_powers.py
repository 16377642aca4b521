"""AC-07 三权分立: system admin, security admin and audit admin each hold one power only."""

from __future__ import annotations

from typing import Any

import pytest

from chanjiao.accounts.models import Membership, User
from chanjiao.core.models import AuditEvent
from chanjiao.core.roles import Role


def test_system_admin_cannot_read_the_audit_log(login: Any) -> None:
    assert login("system_admin").get("/audit/").status_code == 403


def test_security_admin_cannot_read_the_audit_log(login: Any) -> None:
    assert login("security_admin").get("/audit/").status_code == 403


def test_audit_admin_reads_and_searches_the_audit_log(world: Any, login: Any) -> None:
    client = login("audit_admin")
    login("school_admin_a")  # leaves a "login" security event to find
    response = client.get("/audit/")
    assert response.status_code == 200
    response = client.get("/audit/", {"actor": str(world.school_admin_a.pk), "action": "login"})
    assert response.status_code == 200
    rows = [row.record for row in response.context["table"].paginated_rows]
    assert rows and all(r.actor_username == "school_admin_a" and r.action == "login" for r in rows)


def test_audit_admin_cannot_create_users(login: Any) -> None:
    client = login("audit_admin")
    count = User.objects.count()
    assert client.get("/accounts/user/add/").status_code == 403
    response = client.post("/accounts/user/add/", {"username": "sneaky", "new_password": "Kp4#vW9!qz2R",
                                                    "is_active": "on"})
    assert response.status_code == 403
    assert User.objects.count() == count


def test_audit_admin_cannot_grant_roles(world: Any, login: Any) -> None:
    response = login("audit_admin").post("/accounts/membership/add/",
                                         {"user": world.audit_admin.pk, "role": Role.BUREAU_ADMIN, "active": "on"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.audit_admin, role=Role.BUREAU_ADMIN).exists()


def test_security_admin_cannot_grant_a_role_to_themselves(world: Any, login: Any) -> None:
    client = login("security_admin")
    response = client.post("/accounts/membership/add/",
                           {"user": world.security_admin.pk, "role": Role.AUDIT_ADMIN, "active": "on"})
    assert response.status_code == 403
    assert Membership.objects.filter(user=world.security_admin).count() == 1


def test_security_admin_cannot_edit_their_own_role(world: Any, login: Any) -> None:
    own = Membership.objects.get(user=world.security_admin)
    response = login("security_admin").post(f"/accounts/membership/{own.pk}/edit/",
                                            {"user": world.security_admin.pk, "role": Role.BUREAU_ADMIN,
                                             "active": "on"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=own.pk).role == Role.SECURITY_ADMIN


def test_security_admin_cannot_create_users(login: Any) -> None:
    assert login("security_admin").get("/accounts/user/add/").status_code == 403


def test_system_admin_cannot_grant_roles(world: Any, login: Any) -> None:
    response = login("system_admin").post("/accounts/membership/add/",
                                          {"user": world.system_admin.pk, "role": Role.AUDIT_ADMIN, "active": "on"})
    assert response.status_code == 403
    assert Membership.objects.filter(user=world.system_admin).count() == 1


def test_system_admin_creates_a_user_who_must_change_password(login: Any) -> None:
    response = login("system_admin").post("/accounts/user/add/", {
        "username": "liuyang", "full_name": "刘洋", "new_password": "Kp4#vW9!qz2R", "is_active": "on"})
    assert response.status_code == 302
    user = User.objects.get(username="liuyang")
    assert user.must_change_password
    assert user.check_password("Kp4#vW9!qz2R")
    event = AuditEvent.objects.get(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert "password" not in event.changes


def test_admin_roles_see_no_business_data(world: Any, login: Any) -> None:
    for persona in ("system_admin", "security_admin", "audit_admin"):
        client = login(persona)
        assert client.get(f"/orgs/school/{world.school_a.pk}/edit/").status_code == 404
        assert client.post("/orgs/school/add/", {"name": "越权学校", "school_code": "4141000055"}).status_code == 403


# --- AC-07: no administrator manages the account of an administrator of another kind ---------------------------

ADMIN_KINDS = ("system_admin", "security_admin", "audit_admin")
# The system and security admins see every account (to manage it / to grant roles): refused writes are 403.
# The audit admin sees only their own account: any other is a 404.
REFUSAL = {"system_admin": 403, "security_admin": 403, "audit_admin": 404}
PAIRS = [(actor, target) for actor in ADMIN_KINDS for target in ADMIN_KINDS if actor != target]


def _account_state(user: User) -> tuple[Any, ...]:
    fresh = User.objects.get(pk=user.pk)
    return fresh.username, fresh.full_name, fresh.email, fresh.is_active, fresh.password, fresh.must_change_password


@pytest.mark.parametrize(("actor", "target"), PAIRS)
def test_admin_cannot_open_the_edit_page_of_another_kind(world: Any, login: Any, actor: str, target: str) -> None:
    victim = world.users[target]
    assert login(actor).get(f"/accounts/user/{victim.pk}/edit/").status_code == REFUSAL[actor]


@pytest.mark.parametrize(("actor", "target"), PAIRS)
def test_admin_cannot_edit_or_reset_the_password_of_another_kind(world: Any, login: Any, actor: str,
                                                                   target: str) -> None:
    victim = world.users[target]
    before = _account_state(victim)
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(victim.pk),
                                       category="data").count()  # the refusal itself is a security event
    response = login(actor).post(f"/accounts/user/{victim.pk}/edit/", {
        "username": victim.username, "full_name": "被接管", "email": "taken@example.cn",
        "new_password": "Kp4#vW9!qz2R"})  # is_active left out: an attempt to deactivate as well
    assert response.status_code == REFUSAL[actor]
    assert _account_state(victim) == before
    assert not User.objects.get(pk=victim.pk).check_password("Kp4#vW9!qz2R")
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(victim.pk),
                                     category="data").count() == events


@pytest.mark.parametrize(("actor", "target"), PAIRS)
def test_admin_cannot_open_the_delete_page_of_another_kind(world: Any, login: Any, actor: str, target: str) -> None:
    victim = world.users[target]
    assert login(actor).get(f"/accounts/user/{victim.pk}/delete/").status_code == REFUSAL[actor]


@pytest.mark.parametrize(("actor", "target"), PAIRS)
def test_admin_cannot_delete_the_account_of_another_kind(world: Any, login: Any, actor: str, target: str) -> None:
    victim = world.users[target]
    assert login(actor).post(f"/accounts/user/{victim.pk}/delete/").status_code == REFUSAL[actor]
    assert User.objects.filter(pk=victim.pk).exists()
    assert Membership.objects.filter(user=victim, role=target, active=True).exists()


def test_system_admin_still_manages_business_users_and_other_system_admins(world: Any, login: Any) -> None:
    # The positive side of the rule: the refusals above are about the kind, not a blanket ban.
    colleague = User.objects.create_user(username="sysadmin2", password="Kp4#vW9!qz2R")
    Membership.objects.create(user=colleague, role=Role.SYSTEM_ADMIN)
    client = login("system_admin")
    for user in (world.school_admin_a, colleague):
        assert client.get(f"/accounts/user/{user.pk}/edit/").status_code == 200
        response = client.post(f"/accounts/user/{user.pk}/edit/", {
            "username": user.username, "full_name": "已重置", "new_password": "Zr8$mQ2!wx7T", "is_active": "on"})
        assert response.status_code == 302
        fresh = User.objects.get(pk=user.pk)
        assert fresh.check_password("Zr8$mQ2!wx7T") and fresh.must_change_password


def test_a_dormant_admin_role_does_not_protect_the_account(world: Any, login: Any) -> None:
    # Only an active role counts: a former audit admin is a business user the system admin manages.
    former = User.objects.create_user(username="former_auditor", password="Kp4#vW9!qz2R")
    Membership.objects.create(user=former, role=Role.AUDIT_ADMIN, active=False)
    assert login("system_admin").get(f"/accounts/user/{former.pk}/edit/").status_code == 200
