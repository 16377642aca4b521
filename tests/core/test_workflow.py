"""Workflows (issue #7): the one mutator, its refusals, history rows, audit event and signal; the
generated harness classes of every workflow model; the enterprise's 状态 card and the demo."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from chanjiao.accounts.models import Membership
from chanjiao.core.models import AuditEvent, Job
from chanjiao.core.workflow import (
    BLOCKED,
    FORBIDDEN,
    ILLEGAL,
    StatusChange,
    Transition,
    TransitionRefused,
    Workflow,
    status_changed,
)
from chanjiao.orgs import ui as orgs_ui
from chanjiao.orgs.models import Enterprise, IntegrationStatus
from tests import factories
from tests.orgs.test_demo_city import small_catalog  # noqa: F401  (fixture)
from tests.workflow_harness import WorkflowHarness, Written

S = IntegrationStatus


def firm(status: str = S.NONE, **fields: Any) -> Enterprise:
    fields.setdefault("industry", factories.IndustryFactory(code="3411"))
    return factories.EnterpriseFactory(integration_status=status, **fields)


# --- generated: one class per workflow model ---------------------------------------------------------------------


class TestEnterpriseWorkflow(WorkflowHarness):
    model = Enterprise
    ui = orgs_ui.enterprises
    api_path = "/api/orgs/enterprises/"
    # PE-02/PE-09: the enterprise applies (or the bureau for it); review, 入库, 认定, 移出 are the bureau's.
    permitted = {
        "apply": {"bureau_admin", "enterprise_contact"},
        "withdraw": {"bureau_admin", "enterprise_contact"},
        "admit": {"bureau_admin"},
        "return": {"bureau_admin"},
        "certify": {"bureau_admin"},
        "remove": {"bureau_admin"},
    }

    def fresh(self, world: Any, status: str) -> Enterprise:
        obj = firm(status)
        # The enterprise_contact persona is this enterprise's own contact.
        Membership.objects.create(user=world.enterprise_contact, role="enterprise_contact", organisation=obj)
        return obj

    def blocked(self, world: Any, name: str) -> tuple[Enterprise, str]:
        source = {"apply": S.NONE, "admit": S.APPLIED}[name]
        return factories.EnterpriseFactory(integration_status=source), "申报前须填写所属行业"


class _JobPages:
    """The job pages as the harness addresses them (``core:job_transition``); jobs have no ModelUI."""

    @staticmethod
    def url_name(action: str) -> str:
        return f"core:job_{action}"


class TestJobWorkflow(WorkflowHarness):
    model = Job
    ui = _JobPages()  # type: ignore[assignment]
    # 取消任务 is the owner's alone (fresh() jobs belong to the bureau admin); everything else the system's.
    permitted = {"cancel": {"bureau_admin"}}

    def fresh(self, world: Any, status: str) -> Job:
        return Job.objects.create(user=world.bureau_admin, model_label="orgs.school", file_name="a.xlsx",
                                        importer_path="chanjiao.orgs.imports.SchoolImporter", status=status)


# --- the mutator ------------------------------------------------------------------------------------------------


def test_set_status_saves_writes_history_one_audit_event_and_signal(world: Any) -> None:
    obj = firm()
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append({"sender": sender, **kwargs})

    status_changed.connect(receiver)
    try:
        change = Enterprise.objects.get(pk=obj.pk).set_status("apply", by=world.bureau_admin, note="  首次申报 ")
    finally:
        status_changed.disconnect(receiver)
    assert Enterprise.objects.get(pk=obj.pk).integration_status == S.APPLIED
    assert (change.transition, change.source, change.target, change.actor, change.actor_name, change.note) == (
        "apply", "none", "applied", world.bureau_admin, "bureau_admin", "首次申报")
    assert change.obj == obj and list(obj.status_history()) == [change]
    events = AuditEvent.objects.filter(object_type="orgs.enterprise", object_id=str(obj.pk),
                                       category="data").exclude(action="create")
    # One event for the one change — not an "update" as well.
    assert [(e.action, e.changes["integration_status"], e.actor_id) for e in events] == [
        ("transition", ["none", "applied"], world.bureau_admin.pk)]
    assert "首次申报" in events[0].message
    assert len(seen) == 1 and seen[0]["sender"] is Enterprise and seen[0]["change"] == change
    assert (seen[0]["source"], seen[0]["target"], seen[0]["by"]) == ("none", "applied", world.bureau_admin)


def test_transition_by_target_state_and_by_name_are_the_same(world: Any) -> None:
    obj = firm(S.APPLIED)
    obj.set_status(S.CULTIVATING, by=world.bureau_admin)
    assert StatusChange.objects.of(obj).get().transition == "admit"


def test_illegal_transition_is_refused_in_chinese_and_writes_nothing(world: Any) -> None:
    obj = firm(S.NONE)
    written = Written(obj)
    with pytest.raises(TransitionRefused) as info:
        obj.set_status("certify", by=world.bureau_admin)
    assert info.value.kind == ILLEGAL
    assert info.value.message == "当前状态“未申报”下不能执行此操作。"
    written.assert_unchanged("illegal")
    assert obj.integration_status == S.NONE  # the instance is not left half-moved either


def test_guard_reasons_refuse_with_every_reason(world: Any) -> None:
    obj = factories.EnterpriseFactory(uscc=None)
    written = Written(obj)
    with pytest.raises(TransitionRefused) as info:
        obj.set_status("apply", by=world.bureau_admin)
    assert info.value.kind == BLOCKED
    assert info.value.reasons[:2] == ["申报前须填写统一社会信用代码。", "申报前须填写所属行业。"]
    written.assert_unchanged("guarded")


def test_allowed_refuses_another_enterprises_contact(world: Any) -> None:
    # enterprise_contact is the contact of world.enterprise, not of this firm.
    obj = firm()
    written = Written(obj)
    with pytest.raises(TransitionRefused) as info:
        obj.set_status("apply", by=world.enterprise_contact)
    assert info.value.kind == FORBIDDEN and info.value.message == "您无权执行“申报”。"
    written.assert_unchanged("other contact")
    own = Enterprise.objects.get(pk=world.enterprise.pk)
    own.industry = factories.IndustryFactory(code="3411")
    own.save()
    own.set_status("apply", by=world.enterprise_contact)
    assert Enterprise.objects.get(pk=own.pk).integration_status == S.APPLIED


def test_missing_note_is_refused(world: Any) -> None:
    obj = firm(S.CERTIFIED)
    with pytest.raises(TransitionRefused) as info:
        obj.set_status("remove", by=world.bureau_admin, note=" ")
    assert info.value.kind == BLOCKED and info.value.reasons == ["请填写“移出”的说明。"]
    assert not StatusChange.objects.of(obj).exists()


def test_a_stale_instance_cannot_skip_the_check(world: Any) -> None:
    obj = firm(S.APPLIED)
    stale = Enterprise.objects.get(pk=obj.pk)
    obj.set_status("withdraw", by=world.bureau_admin)
    # ``stale`` still reads 已申报; the stored state (未申报) decides, so 审核入库 is illegal now.
    with pytest.raises(TransitionRefused) as info:
        stale.set_status("admit", by=world.bureau_admin)
    assert info.value.kind == ILLEGAL
    assert Enterprise.objects.get(pk=obj.pk).integration_status == S.NONE


def test_a_failing_receiver_rolls_the_whole_change_back(world: Any) -> None:
    obj = firm(S.APPLIED)
    written = Written(obj)

    def boom(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("receiver failed")

    status_changed.connect(boom)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            obj.set_status("admit", by=world.bureau_admin)
    finally:
        status_changed.disconnect(boom)
    written.assert_unchanged("rolled back")


def test_status_changes_are_append_only(world: Any) -> None:
    obj = firm()
    change = obj.set_status("apply", by=world.bureau_admin)
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()
    assert StatusChange.objects.of(obj).count() == 1


def test_system_transitions_are_recorded_as_the_system(world: Any) -> None:
    job = Job.objects.create(user=world.bureau_admin, model_label="orgs.school", file_name="a.xlsx",
                                   importer_path="chanjiao.orgs.imports.SchoolImporter")
    job.set_status("validating", progress=5)
    job.set_status("validated", rows=3)
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows, bool(job.started_at)) == ("validated", 5, 3, True)
    assert [(c.transition, c.actor_name) for c in StatusChange.objects.of(job).order_by("id")] == [
        ("validate", "系统"), ("preview", "系统")]
    with pytest.raises(TransitionRefused) as info:
        job.set_status("commit", by=world.bureau_admin)  # the uploader cannot drive the worker's map
    assert info.value.kind == FORBIDDEN


def test_a_workflow_refuses_duplicate_names() -> None:
    with pytest.raises(ValueError):
        Workflow("status", [Transition("a", "x", "y"), Transition("a", "y", "z")])


def test_options_show_what_the_user_may_take_and_why_not(world: Any) -> None:
    obj = factories.EnterpriseFactory(integration_status=S.APPLIED)  # no industry: 审核入库 is blocked
    options = {o.name: o for o in obj.transition_options(world.bureau_admin)}
    assert set(options) == {"withdraw", "admit", "return"}
    assert not options["admit"].enabled and "申报前须填写所属行业。" in options["admit"].reasons
    assert options["withdraw"].enabled
    assert obj.transition_options(world.school_admin_a) == []
    assert obj.transition_options(world.leader) == []


# --- pages --------------------------------------------------------------------------------------------------------


def test_detail_page_shows_state_buttons_reasons_and_history(world: Any, login: Any) -> None:
    obj = factories.EnterpriseFactory(integration_status=S.NONE)
    obj.industry = factories.IndustryFactory(code="3411")
    obj.save()
    obj.set_status("apply", by=world.bureau_admin, note="企业自愿申报")
    obj.industry = None
    obj.save()
    url = reverse("orgs:enterprise_detail", args=[obj.pk])
    html = login("bureau_admin").get(url).content.decode()
    assert 'data-testid="workflow-card"' in html and 'data-state="applied"' in html and "已申报" in html
    assert 'data-testid="transition-withdraw"' in html
    assert 'data-testid="transition-admit"' in html and "暂不能“审核入库”：申报前须填写所属行业。" in html
    assert 'data-testid="status-change"' in html and "企业自愿申报" in html and "未申报 → 已申报" in html
    # A school admin reads the registry: the state, no buttons, no history (it names the operators).
    other = login("school_admin_a").get(url).content.decode()
    assert 'data-state="applied"' in other
    assert 'data-testid="workflow-form"' not in other and 'data-testid="status-history' not in other


def test_refused_page_transition_shows_the_reason_with_409(world: Any, login: Any) -> None:
    obj = firm(S.NONE)
    response = login("bureau_admin").post(reverse("orgs:enterprise_transition", args=[obj.pk, "certify"]),
                                          {"note": ""})
    assert response.status_code == 409
    assert "未能执行“认定”：当前状态“未申报”下不能执行此操作。" in response.content.decode()
    assert not StatusChange.objects.of(obj).exists()


def test_page_transition_redirects_with_a_message(world: Any, login: Any) -> None:
    obj = firm(S.CULTIVATING)
    client = login("bureau_admin")
    response = client.post(reverse("orgs:enterprise_transition", args=[obj.pk, "certify"]), {"note": "第一批"})
    assert response.status_code == 303 and response["Location"] == obj.get_absolute_url()
    assert f"已执行“认定”：{obj.name}" in client.get(response["Location"]).content.decode()


def test_api_transition_answers_with_the_object_and_errors_in_chinese(world: Any, login: Any) -> None:
    obj = firm(S.APPLIED)
    client = login("bureau_admin")
    url = f"/api/orgs/enterprises/{obj.pk}/transitions/"
    ok = client.post(url + "admit", json.dumps({}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["integration_status"] == "cultivating"
    again = client.post(url + "admit", json.dumps({}), content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"] == "当前状态“培育库”下不能执行此操作。"
    extra = client.post(url + "certify", json.dumps({"integration_status": "certified"}),
                        content_type="application/json")
    assert extra.status_code == 400, extra.json()  # only a note may be sent
    assert Enterprise.objects.get(pk=obj.pk).integration_status == S.CULTIVATING


def test_transition_endpoint_is_in_the_openapi_description(world: Any, login: Any) -> None:
    spec = login("bureau_admin").get("/api/openapi.json").json()
    op = spec["paths"]["/api/orgs/enterprises/{pk}/transitions/{name}"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(op["responses"])
    assert "certify（认定）" in op["description"]


def test_enterprise_form_importer_and_api_input_carry_no_status(world: Any) -> None:
    from chanjiao.core.api import body_schema
    from chanjiao.orgs.forms import EnterpriseForm
    from chanjiao.orgs.imports import EnterpriseImporter

    assert "integration_status" not in EnterpriseForm.base_fields
    assert "integration_status" not in {c.field for c in EnterpriseImporter.columns}
    assert "integration_status" not in body_schema(orgs_ui.enterprises, partial=True).model_fields


# --- the demo -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_moves_firms_through_the_workflow_once(small_catalog: None) -> None:  # noqa: F811
    call_command("demo", "--enterprises", "60", stdout=io.StringIO())
    changes = StatusChange.objects.filter(content_type__model="enterprise")
    first = changes.count()
    assert first > 0
    certified = Enterprise.objects.filter(integration_status=S.CERTIFIED)
    assert certified.exists()
    history = StatusChange.objects.of(certified.first()).order_by("id")
    assert [c.transition for c in history] == ["apply", "admit", "certify"]
    assert {c.actor.username for c in history} == {"demo_bureau"}
    call_command("demo", "--enterprises", "60", stdout=io.StringIO())
    assert changes.count() == first
