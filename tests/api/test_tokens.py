"""API tokens: issued once, hashed at rest, Bearer works, expiry and revocation end it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from chanjiao.accounts.models import ApiToken
from chanjiao.core.models import AuditEvent
from tests.factories import issue_token


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_it_shows_the_raw_key_once(world: Any, login: Any) -> None:
    client = login("school_admin_a")
    response = client.post("/accounts/api-token/issue/", {"name": "教务系统对接"})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("cj_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=world.school_admin_a)
    assert raw not in token.key_hash and token.key_hash != raw
    detail = client.get(f"/accounts/apitoken/{token.pk}/")
    assert raw not in detail.content.decode()
    event = AuditEvent.objects.get(action="create", object_type="accounts.apitoken", object_id=str(token.pk))
    assert "key_hash" not in event.changes


def test_bearer_token_authenticates_and_is_scoped(world: Any) -> None:
    _, raw = issue_token(world.school_admin_a)
    client = Client()
    response = client.get("/api/accounts/me", **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "school_admin_a"
    response = client.patch(f"/api/orgs/schools/{world.school_b.pk}", data=json.dumps({"short_name": "乙"}),
                            content_type="application/json", **_bearer(raw))
    assert response.status_code == 403


def test_bearer_writes_are_audited_as_the_token_owner(world: Any) -> None:
    _, raw = issue_token(world.school_admin_a)
    response = Client().patch(f"/api/orgs/schools/{world.school_a.pk}", data=json.dumps({"short_name": "甲职"}),
                              content_type="application/json", HTTP_X_REQUEST_ID="req-token-0001", **_bearer(raw))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="update", object_type="orgs.school", object_id=str(world.school_a.pk))
    assert event.actor_id == world.school_admin_a.pk
    assert event.source == "api"
    assert event.request_id == "req-token-0001"


def test_an_unknown_token_is_401(db: None) -> None:
    assert Client().get("/api/accounts/me", **_bearer("cj_not-a-real-token")).status_code == 401


def test_an_expired_token_is_401(world: Any) -> None:
    _, raw = issue_token(world.school_admin_a, days=1)
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 401
        assert Client().get("/api/docs", **_bearer(raw)).status_code == 401


def test_a_revoked_token_is_401(world: Any, login: Any) -> None:
    token, raw = issue_token(world.school_admin_a)
    response = login("school_admin_a").post(f"/accounts/api-token/{token.pk}/revoke/")
    assert response.status_code == 302
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 401
    assert AuditEvent.objects.filter(action="update", object_type="accounts.apitoken", object_id=str(token.pk),
                                     actor_id=world.school_admin_a.pk).exists()


def test_nobody_revokes_someone_elses_token(world: Any, login: Any) -> None:
    token, raw = issue_token(world.school_admin_a)
    assert login("school_admin_b").post(f"/accounts/api-token/{token.pk}/revoke/").status_code == 404
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 200


def test_a_token_of_a_disabled_user_is_401(world: Any) -> None:
    _, raw = issue_token(world.school_admin_a)
    world.school_admin_a.is_active = False
    world.school_admin_a.save()
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 401


def test_api_page_size_is_capped(world: Any, login: Any) -> None:
    client = login("bureau_admin")
    assert client.get("/api/orgs/schools/?page_size=200").status_code == 200
    response = client.get("/api/orgs/schools/?page_size=1000")
    assert response.status_code == 400
    assert "page_size" in response.json()["detail"]


def test_openapi_schema_and_docs_need_sign_in(world: Any, login: Any) -> None:
    assert Client().get("/api/openapi.json").status_code == 401
    client = login("school_admin_a")
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


def test_the_pages_lead_to_issuing_and_revoking(world: Any, login: Any) -> None:
    token, raw = issue_token(world.school_admin_a)
    client = login("school_admin_a")
    revoke_url = f"/accounts/api-token/{token.pk}/revoke/"

    assert "/accounts/api-token/issue/" in client.get("/accounts/apitoken/").content.decode()
    assert revoke_url in client.get(f"/accounts/apitoken/{token.pk}/").content.decode()
    confirm = client.get(revoke_url)
    assert confirm.status_code == 200 and "确认吊销" in confirm.content.decode()
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 200  # GET changes nothing

    client.post(revoke_url)

    assert revoke_url not in client.get(f"/accounts/apitoken/{token.pk}/").content.decode()
    assert client.get(revoke_url).status_code == 404  # already revoked
