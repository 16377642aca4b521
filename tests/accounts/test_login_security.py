"""Identification and authentication: ID-02, ID-06, ID-07, ID-08, ID-10, ID-14."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from chanjiao.accounts.models import User
from chanjiao.core.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- ID-02 password policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["abc12345", "password1", "wangwei123"])
def test_it_rejects_weak_passwords(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="wangwei"))


def test_it_accepts_a_strong_password() -> None:
    validate_password(PASSWORD, User(username="wangwei"))


def test_it_explains_rejection_in_chinese() -> None:
    with pytest.raises(ValidationError) as info:
        validate_password("wangwei123", User(username="wangwei"))
    assert any("密码" in m for m in info.value.messages)


# --- ID-06 / ID-07 lockout ---------------------------------------------------------------------------------------


def test_it_locks_after_five_failures_and_unlocks_after_cooloff() -> None:
    UserFactory(username="zhaoliu")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(1, settings.LOCKOUT_FAILURES + 1):
            status = _login(client, "zhaoliu", "wrong-Password1!").status_code
            # The failure that reaches the limit already answers with the lockout page.
            assert status == (429 if attempt == settings.LOCKOUT_FAILURES else 200)
        response = _login(client, "zhaoliu", PASSWORD)
        assert response.status_code == 429
        assert "登录失败次数过多" in response.content.decode()
        assert AuditEvent.objects.filter(action="login_locked").count() == 1
        assert not client.session.get("_auth_user_id")

        clock.shift(dt.timedelta(minutes=settings.LOCKOUT_MINUTES + 1))
        response = _login(client, "zhaoliu", PASSWORD)
        assert response.status_code == 302
        assert client.session.get("_auth_user_id")
    assert AuditEvent.objects.filter(action="login_locked").count() == 1


def test_it_does_not_reveal_whether_the_user_exists() -> None:
    UserFactory(username="qianqi")
    known = _login(Client(), "qianqi", "wrong-Password1!")
    unknown = _login(Client(), "nobody-here", "wrong-Password1!")
    assert known.status_code == unknown.status_code == 200
    known_errors = known.context["form"].non_field_errors()
    assert known_errors == unknown.context["form"].non_field_errors()
    assert "用户名或密码不正确" in known_errors[0]


def test_it_locks_unknown_usernames_the_same_way() -> None:
    client = Client()
    for _ in range(settings.LOCKOUT_FAILURES):
        _login(client, "ghost", "wrong-Password1!")
    assert _login(client, "ghost", "wrong-Password1!").status_code == 429


def test_lockout_is_not_permanent() -> None:
    assert settings.AXES_COOLOFF_TIME is not None


def test_lockout_is_per_username_and_ip() -> None:
    UserFactory(username="sunba")
    UserFactory(username="zhoujiu")
    attacker = Client()
    for _ in range(settings.LOCKOUT_FAILURES):
        _login(attacker, "sunba", "wrong-Password1!", ip="10.0.0.66")
    assert _login(attacker, "sunba", PASSWORD, ip="10.0.0.66").status_code == 429
    # The owner at their own address is not locked out by someone else's failures …
    assert _login(Client(), "sunba", PASSWORD, ip="10.0.0.7").status_code == 302
    # … and the attacker's address can still be used by another account.
    assert _login(Client(), "zhoujiu", PASSWORD, ip="10.0.0.66").status_code == 302


# --- ID-08 idle timeout, ID-10 session fixation ------------------------------------------------------------------


def test_it_signs_out_after_idle_timeout() -> None:
    UserFactory(username="wujiu")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _login(client, "wujiu", PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert client.get("/api/accounts/me").status_code == 401


def test_activity_keeps_the_session_alive() -> None:
    UserFactory(username="zhengshi")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "zhengshi", PASSWORD)
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 5))
            assert client.get("/").status_code == 200


def test_it_issues_a_new_session_at_login_and_drops_the_old_one() -> None:
    UserFactory(username="fengyi")
    client = Client()
    session = client.session
    session["probe"] = "pre-login"
    session.save()
    old_key = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert _login(client, "fengyi", PASSWORD).status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = replay.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_invalidates_the_session() -> None:
    UserFactory(username="chener")
    client = Client()
    _login(client, "chener", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post("/accounts/logout/").status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/").status_code == 302


# --- ID-14 no default accounts -----------------------------------------------------------------------------------


def test_migrations_create_no_users() -> None:
    assert User.objects.count() == 0


def test_no_fixture_ships_a_known_account() -> None:
    root = Path(settings.BASE_DIR)
    suspicious = []
    for path in root.glob("chanjiao/**/fixtures/*"):
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".json":
            for row in json.loads(text or "[]"):
                fields = row.get("fields", {})
                if "password" in fields and not str(fields["password"]).startswith("!"):
                    suspicious.append(f"{path}: {fields.get('username')}")
        elif "password" in text:
            suspicious.append(str(path))
    for path in root.glob("chanjiao/**/migrations/*.py"):
        text = path.read_text(encoding="utf-8")
        if "create_user" in text or "create_superuser" in text or "set_password" in text:
            suspicious.append(str(path))
    assert not suspicious, suspicious
