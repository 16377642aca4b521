"""The API contract (issue 6 A, C, D): forced password change, 401s in Chinese, pagination that
refuses what it cannot serve, and an OpenAPI description derived from the forms and FilterSets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from chanjiao.api.api import api
from chanjiao.core.registry import registry
from chanjiao.orgs.models import Contact, Enterprise
from tests.factories import issue_token

PASSWORD_FIRST = "请先在网页上修改初始密码"
UNAUTHENTICATED = "请先登录或提供有效的API令牌。"


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client: Client, path: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json", **extra)


def _schema() -> dict[str, Any]:
    # What a client downloads (JSON: status codes are strings there).
    return json.loads(json.dumps(api.get_openapi_schema()))


def _list_paths() -> dict[str, str]:
    """ModelUI name → its API list path, for every registered ModelUI that has API routes."""
    operations = {op["operationId"]: path for path, item in _schema()["paths"].items()
                  for op in item.values() if isinstance(op, dict) and "operationId" in op}
    return {ui.name: operations[f"{ui.name}_list"] for ui in registry if f"{ui.name}_list" in operations}


# --- A: the forced password change covers the API --------------------------------------------------------------


def _must_change(user: Any) -> None:
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])


def test_a_pending_password_change_refuses_the_session_api(world: Any, login: Any) -> None:
    client = login("school_admin_a")
    _must_change(world.school_admin_a)
    count = Contact.objects.count()

    response = client.get("/api/orgs/contacts/")
    assert response.status_code == 403
    assert PASSWORD_FIRST in response.json()["detail"]
    response = _post(client, "/api/orgs/contacts/", {"organisation": world.school_a.pk, "name": "绕过者"})
    assert response.status_code == 403
    assert PASSWORD_FIRST in response.json()["detail"]
    assert client.get("/api/openapi.json").status_code == 403
    assert Contact.objects.count() == count


def test_a_pending_password_change_refuses_the_token_api(world: Any) -> None:
    _, raw = issue_token(world.school_admin_a)
    _must_change(world.school_admin_a)
    count = Contact.objects.count()

    response = Client().get("/api/orgs/contacts/", **_bearer(raw))
    assert response.status_code == 403
    assert PASSWORD_FIRST in response.json()["detail"]
    response = _post(Client(), "/api/orgs/contacts/", {"organisation": world.school_a.pk, "name": "绕过者"},
                     **_bearer(raw))
    assert response.status_code == 403
    assert Contact.objects.count() == count

    world.school_admin_a.must_change_password = False  # what the password-change page does
    world.school_admin_a.save(update_fields=["must_change_password"])
    assert Client().get("/api/orgs/contacts/", **_bearer(raw)).status_code == 200


# --- D: 401 in Chinese for missing or bogus credentials, whatever the method ------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_no_credentials_is_401_in_chinese_not_a_csrf_403(world: Any, method: str) -> None:
    client = Client(enforce_csrf_checks=True)  # like a real client: CSRF enforced
    path = "/api/orgs/schools/" if method in ("get", "post") else f"/api/orgs/schools/{world.school_a.pk}"
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": UNAUTHENTICATED}


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_a_bogus_token_is_401_in_chinese(world: Any, method: str) -> None:
    client = Client(enforce_csrf_checks=True)
    path = "/api/orgs/schools/" if method in ("get", "post") else f"/api/orgs/schools/{world.school_a.pk}"
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body, **_bearer("cj_not-a-real-token"))
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": UNAUTHENTICATED}


def test_a_session_write_without_csrf_token_is_refused_in_chinese(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bureau_admin)
    count = Enterprise.objects.count()
    response = _post(client, "/api/orgs/enterprises/", {"name": "无令牌企业"})
    assert response.status_code == 403
    assert "CSRF 校验失败" in response.json()["detail"]
    assert Enterprise.objects.count() == count

    client.get("/orgs/enterprise/add/")  # any page with a form sets the CSRF cookie
    response = _post(client, "/api/orgs/enterprises/", {"name": "有令牌企业"},
                     HTTP_X_CSRFTOKEN=client.cookies[settings.CSRF_COOKIE_NAME].value)
    assert response.status_code == 201, response.content


# --- D: request bodies from the form ----------------------------------------------------------------------------


def test_create_omits_a_field_with_a_model_default(world: Any, login: Any) -> None:
    response = _post(login("bureau_admin"), "/api/orgs/enterprises/", {"name": "默认状态科技有限公司"})
    assert response.status_code == 201, response.content
    created = Enterprise.objects.get(pk=response.json()["id"])
    assert created.integration_status == Enterprise._meta.get_field("integration_status").get_default()
    assert response.json()["integration_status"] == created.integration_status


def test_request_bodies_are_the_forms_fields(db: None) -> None:
    schemas = _schema()["components"]["schemas"]
    enterprise_in = schemas["EnterpriseIn"]
    from chanjiao.orgs.ui import enterprises

    assert list(enterprise_in["properties"]) == list(enterprises.form._meta.fields)
    assert enterprise_in["additionalProperties"] is False
    assert enterprise_in["required"] == ["name"]  # integration_status has a model default
    size = enterprise_in["properties"]["size"]["anyOf"][0]
    assert set(size["enum"]) == {value for value, _label in Enterprise._meta.get_field("size").choices}
    assert enterprise_in["properties"]["region"]["anyOf"][0]["type"] == "integer"
    assert enterprise_in["properties"]["headcount_date"]["anyOf"][0]["format"] == "date"
    assert "required" not in schemas["EnterprisePatch"]  # PATCH: every field optional
    operation = _schema()["paths"]["/api/orgs/enterprises/"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EnterpriseIn"}


def test_an_unknown_or_mistyped_field_is_400_in_chinese(world: Any, login: Any) -> None:
    client = login("bureau_admin")
    response = client.patch(f"/api/orgs/enterprises/{world.enterprise.pk}", data=json.dumps({"kind": "school"}),
                            content_type="application/json")
    assert response.status_code == 400
    assert "kind" in response.json()["detail"]
    response = client.patch(f"/api/orgs/enterprises/{world.enterprise.pk}",
                            data=json.dumps({"headcount": "很多"}), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"headcount": ["须为整数"]}



@pytest.mark.parametrize("ids", [[-(10**26)], [2**63], [0], [1, 2**64]])
def test_many_to_many_ids_beyond_the_database_range_are_400_not_500(world: Any, login: Any, ids: list[int]) -> None:
    """Found by the fuzz run: an id past BIGINT in a many-to-many list overflowed the driver (500)."""
    from tests.factories import PillarIndustryFactory

    pillar = PillarIndustryFactory()
    client = login("bureau_admin")
    response = client.patch(f"/api/orgs/pillar-industries/{pillar.pk}", data=json.dumps({"industries": ids}),
                            content_type="application/json")
    assert response.status_code == 400, response.content
    assert any(key.split(".")[0] == "industries" for key in response.json()["errors"])
    assert list(pillar.industries.all()) == []

# --- D: query parameters and answers documented ----------------------------------------------------------------


def test_every_list_documents_its_filters_and_paging(db: None) -> None:
    paths = _list_paths()
    assert len(paths) >= 15
    by_name = {ui.name: ui for ui in registry}
    for name, path in paths.items():
        documented = {p["name"] for p in _schema()["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert documented == {"page", "page_size", *by_name[name].filterset.base_filters}, path


def test_every_operation_documents_its_refusals(db: None) -> None:
    for path, item in _schema()["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= codes, (method, path)
            if method in ("post", "patch", "delete"):
                assert "409" in codes, (method, path)
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ApiError"}


# --- C: pagination refuses what it cannot serve, on every API list ---------------------------------------------

_LISTS = sorted(_list_paths().items())
_BAD_PAGING = ["page=0", "page=-1", "page=abc", "page=99999999999999999999", "page=1.5", "page_size=0",
               "page_size=-5", f"page_size={10**6}", "page_size=abc", "page=2&page_size=200"]


@pytest.mark.parametrize(("name", "path"), _LISTS, ids=[name for name, _path in _LISTS])
def test_api_list_paging_is_clamped_or_refused(world: Any, login: Any, name: str, path: str) -> None:
    client = login("bureau_admin")
    ok = client.get(f"{path}?page=1&page_size={settings.API_MAX_PAGE_SIZE}")
    assert ok.status_code == 200, ok.content
    assert ok.json()["count"] <= settings.API_MAX_PAGE_SIZE  # the small world fits one page: page 2 is beyond
    for query in _BAD_PAGING:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (query, response.status_code)
        assert response["Content-Type"].startswith("application/json"), query
        detail = response.json()["detail"]
        assert "page" in detail or "页" in detail, (query, detail)
