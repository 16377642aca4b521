"""ID-01: usernames are unique regardless of case, and log-in and lockout ignore case."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client

from chanjiao.accounts.models import User
from chanjiao.core.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.9") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_database_refuses_a_username_differing_only_by_case() -> None:
    UserFactory(username="alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="Alice", password=PASSWORD)
    assert User.objects.filter(username__iexact="alice").count() == 1


def test_the_user_form_refuses_it_with_a_chinese_message(world: Any, login: Any) -> None:
    UserFactory(username="alice")
    count = User.objects.count()
    response = login("system_admin").post("/accounts/user/add/", {
        "username": "ALICE", "full_name": "冒名", "new_password": "Kp4#vW9!qz2R", "is_active": "on"})
    assert response.status_code == 400
    assert "不区分大小写" in " ".join(response.context["form"].errors["username"])
    assert User.objects.count() == count


def test_renaming_a_user_onto_another_username_by_case_is_refused(world: Any, login: Any) -> None:
    UserFactory(username="alice")
    bob = UserFactory(username="bob", full_name="鲍勃")
    response = login("system_admin").post(f"/accounts/user/{bob.pk}/edit/", {
        "username": "Alice", "full_name": "鲍勃", "is_active": "on"})
    assert response.status_code == 400
    bob.refresh_from_db()
    assert bob.username == "bob"


def test_login_matches_the_username_regardless_of_case() -> None:
    user = UserFactory(username="wangfang")
    client = Client()
    response = _login(client, "WangFang", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_changing_case_does_not_bypass_the_lockout() -> None:
    UserFactory(username="zhoujie")
    client = Client()
    spellings = ["zhoujie", "ZHOUJIE", "ZhouJie", "zhouJIE", "Zhoujie", "zHoUjIe"]
    for attempt in range(settings.LOCKOUT_FAILURES):
        _login(client, spellings[attempt % len(spellings)], "wrong-Password1!")
    # The account is locked whatever case the next attempt uses, even with the right password.
    response = _login(client, "ZHOUjie", PASSWORD)
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")
    assert AuditEvent.objects.filter(action="login_locked").count() == 1
