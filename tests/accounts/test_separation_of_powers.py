"""AC-07 三权分立: system admin, security admin and audit admin each hold one power only."""

from __future__ import annotations

from typing import Any

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
    response = client.get("/audit/", {"actor_username": "school_admin_a", "action": "login"})
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
        assert client.get(f"/orgs/school/{world.school_a.pk}/edit/").status_code in (403, 404)
        assert client.post("/orgs/school/add/", {"name": "越权学校", "school_code": "4141000055"}).status_code == 403
