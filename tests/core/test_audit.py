"""The audit trail: every write path leaves an event (AU-01), atomically (AU-06), append-only (AU-03)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_tasks import task

from chanjiao.core import audit
from chanjiao.core.models import AuditEvent
from chanjiao.orgs.models import School
from tests.factories import PASSWORD, SchoolFactory, UserFactory

REQUEST_ID = "req-audit-00000001"


def _events(obj: Any, action: str) -> Any:
    return AuditEvent.objects.filter(object_type=audit.object_label(obj), object_id=str(obj.pk), action=action)


# --- every write path ----------------------------------------------------------------------------------------


def test_view_create_update_delete_are_audited_with_actor_request_id_and_values(world: Any, login: Any) -> None:
    client = login("bureau_admin")
    admin = world.bureau_admin
    response = client.post("/orgs/school/add/", {"name": "审计测试学院", "school_code": "4141000311"},
                           HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 302
    assert response["X-Request-ID"] == REQUEST_ID
    school = School.objects.get(name="审计测试学院")
    created = _events(school, "create").get()
    assert (created.actor_id, created.actor_username, created.request_id, created.source) == (
        admin.pk, "bureau_admin", REQUEST_ID, "web")
    assert created.changes["name"] == [None, "审计测试学院"]
    assert "bureau_admin" in created.actor_roles

    response = client.post(f"/orgs/school/{school.pk}/edit/", {"name": "审计测试学院", "school_code": "4141000311",
                                                              "short_name": "审院"})
    updated = _events(school, "update").get()
    assert updated.changes == {"short_name": ["", "审院"]} or updated.changes["short_name"] == ["", "审院"]
    assert "name" not in updated.changes  # only what changed
    assert updated.actor_id == admin.pk and updated.request_id == response["X-Request-ID"]

    client.post(f"/orgs/school/{school.pk}/delete/")
    deleted = _events(school, "delete").get()
    assert deleted.changes["name"] == ["审计测试学院", None]
    assert deleted.actor_id == admin.pk


def test_api_post_patch_delete_are_audited(world: Any, login: Any) -> None:
    client = login("bureau_admin")
    response = client.post("/api/orgs/schools/", data=json.dumps({"name": "接口学院", "school_code": "4141000312"}),
                           content_type="application/json", HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 201
    assert response["X-Request-ID"] == REQUEST_ID
    school = School.objects.get(pk=response.json()["id"])
    created = _events(school, "create").get()
    assert (created.actor_id, created.source, created.request_id) == (world.bureau_admin.pk, "api", REQUEST_ID)

    client.patch(f"/api/orgs/schools/{school.pk}", data=json.dumps({"short_name": "接院"}),
                 content_type="application/json")
    assert _events(school, "update").get().changes["short_name"] == ["", "接院"]
    assert client.delete(f"/api/orgs/schools/{school.pk}").status_code == 204
    assert _events(school, "delete").get().actor_id == world.bureau_admin.pk


def test_a_management_command_is_audited(db: None, capsys: Any) -> None:
    call_command("create_admin", "first_admin")
    from chanjiao.accounts.models import User

    user = User.objects.get(username="first_admin")
    event = _events(user, "create").get()
    assert event.source == "command:create_admin"
    assert event.actor_id is None
    assert "password" not in event.changes


def test_writes_inside_audit_context_carry_its_source(db: None) -> None:
    with audit.audit_context(source="command:x"):
        school = SchoolFactory()
    assert _events(school, "create").get().source == "command:x"


def test_writes_outside_any_context_are_still_audited(db: None) -> None:
    school = SchoolFactory()
    assert _events(school, "create").get().source == "system"


@task()
def rename_school(school_id: int, name: str) -> None:
    """A background job as the platform writes them: attributed through ``audit_context``."""
    with audit.audit_context(source="task:rename_school"):
        school = School.objects.get(pk=school_id)
        school.name = name
        school.save()


def test_a_background_task_is_audited(db: None, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    school = SchoolFactory(name="任务前")
    result = rename_school.enqueue(school.pk, "任务后")
    assert result.status == "SUCCESSFUL"
    event = _events(school, "update").get()
    assert event.source == "task:rename_school"
    assert event.changes["name"] == ["任务前", "任务后"]


def test_an_unchanged_save_writes_no_event(db: None) -> None:
    school = SchoolFactory()
    school.save()
    assert not _events(school, "update").exists()


def test_personal_numbers_are_masked_and_secrets_left_out(db: None) -> None:
    user = UserFactory(username="maskme", phone="13812345678")
    changes = _events(user, "create").get().changes
    assert changes["phone"] == [None, "138****5678"]
    assert "password" not in changes


# --- AU-06: the audit row and the business row commit together -------------------------------------------------


def _boom(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("audit store unavailable")


def test_a_failing_audit_write_rolls_back_the_save(db: None, monkeypatch: Any) -> None:
    monkeypatch.setattr(audit, "record_change", _boom)
    with pytest.raises(RuntimeError):
        School.objects.create(name="无审计不保存", school_code="4141000313")
    assert not School.objects.filter(name="无审计不保存").exists()


def test_a_failing_audit_write_rolls_back_the_request(world: Any, login: Any, monkeypatch: Any) -> None:
    client = login("bureau_admin")
    client.raise_request_exception = False
    monkeypatch.setattr(audit, "record_change", _boom)
    response = client.post("/orgs/school/add/", {"name": "无审计不保存", "school_code": "4141000314"})
    assert response.status_code == 500
    assert not School.objects.filter(name="无审计不保存").exists()


def test_a_failing_audit_write_rolls_back_the_update(world: Any, monkeypatch: Any) -> None:
    school = world.school_a
    monkeypatch.setattr(audit, "record_change", _boom)
    school.short_name = "不应保存"
    with pytest.raises(RuntimeError):
        school.save()
    assert School.objects.get(pk=school.pk).short_name == ""


# --- AU-03: append-only --------------------------------------------------------------------------------------------


def test_an_event_cannot_be_saved_twice(db: None) -> None:
    event = _events(SchoolFactory(), "create").get()
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize("sql", [
    "UPDATE core_auditevent SET action = 'x'",
    "DELETE FROM core_auditevent",
])
def test_the_database_refuses_to_change_events(db: None, sql: str) -> None:
    SchoolFactory()
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(action="x").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_the_orm_cannot_update_or_delete_events(db: None) -> None:
    SchoolFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.exists()


# --- security events ---------------------------------------------------------------------------------------------


def test_login_failed_login_and_logout_are_security_events(db: None) -> None:
    user = UserFactory(username="zhouwu")
    client = Client()
    client.post("/accounts/login/", {"username": "zhouwu", "password": "wrong-Password1!"})
    client.post("/accounts/login/", {"username": "zhouwu", "password": PASSWORD})
    client.post("/accounts/logout/")
    security = AuditEvent.objects.filter(category="security")
    failed = security.get(action="login_failed")
    assert (failed.outcome, failed.actor_username) == ("failure", "zhouwu")
    login = security.get(action="login")
    assert (login.actor_id, login.outcome, login.ip) == (user.pk, "success", "127.0.0.1")
    assert security.get(action="logout").actor_id == user.pk


def test_export_is_a_security_event(world: Any, login: Any) -> None:
    response = login("bureau_admin").get("/orgs/school/?export=xlsx&q=甲市")
    assert response.status_code == 200
    event = AuditEvent.objects.get(category="security", action="export")
    assert event.actor_id == world.bureau_admin.pk
    assert event.changes["model"] == "orgs.school"
    assert event.changes["rows"] == 1


def test_a_username_with_a_newline_is_stored_escaped(db: None) -> None:
    Client().post("/accounts/login/", {"username": "evil\nINFO login ok admin", "password": "x"})
    event = AuditEvent.objects.get(action="login_failed")
    assert "\n" not in event.actor_username
    assert event.actor_username == "evil\\nINFO login ok admin"


def test_a_forged_request_id_is_replaced(world: Any, login: Any) -> None:
    response = login("bureau_admin").get("/", HTTP_X_REQUEST_ID="bad id\r\nX-Injected: 1")
    assert response["X-Request-ID"] != "bad id\r\nX-Injected: 1"
    assert len(response["X-Request-ID"]) == 32


# --- last_login is no data change (issue #6 point 11) -------------------------------------------------------------


def test_a_login_writes_a_security_event_and_no_data_change(db: None) -> None:
    user = UserFactory(username="lastlogin")
    assert Client().post("/accounts/login/", {"username": "lastlogin", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(category="security", action="login", actor_id=user.pk).count() == 1
    assert not _events(user, "update").exists()


# --- readable history (issue #6 point 11) --------------------------------------------------------------------------


def test_the_history_page_reads_in_chinese_with_display_values(world: Any, login: Any) -> None:
    from django.utils import timezone

    from chanjiao.orgs.models import Enterprise
    from tests.factories import IndustryFactory

    enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
    enterprise.headcount = 321
    enterprise.is_leading = not enterprise.is_leading
    enterprise.size = "micro" if enterprise.size != "micro" else "large"
    enterprise.industry = IndustryFactory(name="历史测试精密制造")
    with audit.audit_context(user=world.bureau_admin, source="web"):
        enterprise.save()
    page = login("bureau_admin").get(f"/orgs/enterprise/{enterprise.pk}/history/").content.decode()
    event = _events(enterprise, "update").get()
    assert set(event.changes) >= {"headcount", "is_leading", "size", "industry_id"}
    # Verbose names, Chinese action and source, choice labels, 是/否, related names, the operator's name.
    size_label = "微型" if enterprise.size == "micro" else "大型"
    leading = "是" if enterprise.is_leading else "否"
    for text in ("人数", "修改", "网页", "企业规模", size_label, leading, "历史测试精密制造", str(world.bureau_admin)):
        assert text in page, text
    assert timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M") in page  # local time to the minute
    for raw in ("updated_at", "headcount", "is_leading", ">update<", ">web<", "industry_id", "\\u"):
        assert raw not in page, raw


def test_history_resolves_related_names_with_one_query_per_model(world: Any,
                                                                 django_assert_max_num_queries: Any) -> None:
    from chanjiao.core.history import readable
    from tests.factories import EnterpriseFactory, IndustryFactory, valid_uscc

    for i in range(5):
        with audit.audit_context(user=world.bureau_admin):
            EnterpriseFactory(name=f"查询企业{i}", uscc=valid_uscc(9_100_000 + i),
                              industry=IndustryFactory(name=f"查询行业{i}"))
    events = list(AuditEvent.objects.filter(object_repr__startswith="查询企业"))
    with django_assert_max_num_queries(2):  # one for the industries' names, one for the operators
        rows = readable(events)
    shown = {c.after for row in rows for c in row.changes if c.label == "所属行业"}
    assert {name.split()[-1] for name in shown} == {f"查询行业{i}" for i in range(5)}  # "0131 名称"


# --- the audit search (issue #6 point 11) --------------------------------------------------------------------------


def test_the_audit_search_filters_by_choices_and_reads_in_chinese(world: Any, login: Any) -> None:
    with audit.audit_context(user=world.bureau_admin, source="web"):
        SchoolFactory(name="搜索学校")
    client = login("audit_admin")
    response = client.get("/audit/", {"action": "create", "source": "web", "object_type": "orgs.school",
                                      "actor": str(world.bureau_admin.pk)})
    assert response.status_code == 200
    rows = list(response.context["table"].data)
    assert [e.object_repr for e in rows] == ["搜索学校"]
    page = response.content.decode()
    assert "创建" in page and "网页" in page and "学校" in page
    form = response.context["filter"].form
    assert ("create", "创建") in list(form.fields["action"].choices)
    # A value outside the choices is refused with a message, not searched as free text.
    bad = client.get("/audit/", {"action": "no-such-action"})
    assert bad.context["filter"].errors


def test_the_audit_admin_exports_what_they_filtered(world: Any, login: Any) -> None:
    import io

    import openpyxl

    SchoolFactory(name="导出学校")
    response = login("audit_admin").get("/audit/", {"object_type": "orgs.school", "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "类别", "动作")
    names = {row[11] for row in rows[1:]}
    assert "导出学校" in names and all(row[9] == "学校" for row in rows[1:])
    assert any("名称：— → 导出学校" in (row[12] or "") for row in rows[1:])
    event = AuditEvent.objects.get(category="security", action="export", actor_id=world.audit_admin.pk)
    assert event.changes["model"] == "core.auditevent" and event.changes["rows"] == len(rows) - 1


@pytest.mark.parametrize("persona", ["system_admin", "security_admin", "bureau_admin"])
def test_nobody_but_the_audit_admin_exports_the_audit_log(world: Any, login: Any, persona: str) -> None:
    assert login(persona).get("/audit/", {"export": "xlsx"}).status_code == 403
