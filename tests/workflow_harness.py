"""Generated tests for a model's workflow (issue #7 "Workflows"), in the style of ``harness.py``.

A test module declares data only::

    class TestEnterpriseWorkflow(WorkflowHarness):
        model = Enterprise
        ui = orgs_ui.enterprises               # None: no pages (system-only workflows)
        api_path = "/api/orgs/enterprises/"
        permitted = {"apply": {"bureau_admin", "enterprise_contact"}, "certify": {"bureau_admin"}, ...}
        def fresh(self, world, state): ...     # a new object in ``state`` whose guards pass
        def blocked(self, world, name): ...    # (optional) an object a guard of ``name`` blocks, and a reason

For every (user transition, source state) pair it generates a page test and an API test that go
through every persona in ``tests/conftest.py`` PERSONAS plus an anonymous client: a permitted
persona moves the object (one StatusChange row, one ``transition`` audit event, the note kept); any
other persona is refused — 404 when it cannot see the object, else 403 — and nothing is written.
For every user transition, each state it does not start from is refused with 409 and a Chinese
message (page and API); a transition that needs a note is refused (400) without one; a guard's
reasons refuse it (400). System transitions (``system=True``) run with ``by=None`` and are refused
to every persona. ``permitted`` is written by hand: the expectation is never read from the map
under test. ``WORKFLOW_HARNESS_REGISTRY`` records which models have these tests (tests/test_meta.py).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from chanjiao.core.audit import object_label
from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import ModelUI
from chanjiao.core.workflow import FORBIDDEN, StatusChange, Transition, TransitionRefused, Workflow, workflow_of
from tests.conftest import PERSONAS
from tests.harness import state

WORKFLOW_HARNESS_REGISTRY: dict[type[models.Model], type[WorkflowHarness]] = {}

NOTE = "测试说明：按流程办理"
ILLEGAL_MESSAGE = "不能执行此操作"
FORBIDDEN_MESSAGE = "您无权执行"


def changes_of(obj: models.Model) -> int:
    return StatusChange.objects.of(obj).count()


def data_events(obj: models.Model) -> int:
    return AuditEvent.objects.filter(category="data", object_type=object_label(obj), object_id=str(obj.pk)).count()


class Written:
    """What a refusal must leave untouched: the row, its status history, its data events."""

    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        self.before = (state(obj), changes_of(obj), data_events(obj))

    def assert_unchanged(self, who: str) -> None:
        after = (state(self.obj), changes_of(self.obj), data_events(self.obj))
        assert after == self.before, f"{who}: a refused transition wrote something"


class WorkflowHarness:
    model: ClassVar[type[models.Model]]
    ui: ClassVar[ModelUI | None] = None
    api_path: ClassVar[str | None] = None  # e.g. "/api/orgs/enterprises/" (trailing slash)
    permitted: ClassVar[dict[str, set[str]]] = {}  # user transition name -> personas that may take it

    def fresh(self, world: Any, status: str) -> models.Model:
        raise NotImplementedError

    def blocked(self, world: Any, name: str) -> tuple[models.Model, str] | None:
        """For each guarded transition: an object in a source state its guard blocks, and a reason fragment."""
        return None

    # -- generation ------------------------------------------------------------------------------------------------

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        wf = workflow_of(cls.model)
        assert wf is not None, f"{cls.model.__name__} declares no workflow"
        WORKFLOW_HARNESS_REGISTRY[cls.model] = cls
        declared = {t.name for t in wf.user_transitions()}
        assert set(cls.permitted) == declared, (
            f"{cls.__name__}.permitted must name exactly the user transitions {sorted(declared)}")
        for t in wf.transitions:
            for source in t.source_states:
                if t.system:
                    cls._add(f"test_system_runs_{t.name}_from_{source}", _system_test(t, source))
                    cls._add(f"test_nobody_runs_system_{t.name}_from_{source}", _system_refused_test(t, source))
                    continue
                if cls.ui is not None:
                    cls._add(f"test_{t.name}_from_{source}_by_each_persona_page", _persona_test(t, source, "page"))
                if cls.api_path:
                    cls._add(f"test_{t.name}_from_{source}_by_each_persona_api", _persona_test(t, source, "api"))
            if t.system:
                continue
            for channel in ("page", "api"):
                if (channel == "page" and cls.ui is None) or (channel == "api" and not cls.api_path):
                    continue
                if wf.states() - set(t.source_states):
                    cls._add(f"test_{t.name}_from_wrong_state_is_refused_{channel}", _illegal_test(t, channel))
                if t.note_required:
                    cls._add(f"test_{t.name}_without_note_is_refused_{channel}", _note_test(t, channel))
                if t.guard is not None:
                    cls._add(f"test_{t.name}_blocked_by_guard_is_refused_{channel}", _guard_test(t, channel))
        if cls.ui is not None:
            cls._add("test_unknown_transition_is_404", _unknown_test())

    @classmethod
    def _add(cls, name: str, fn: Any) -> None:
        fn.__name__ = name
        setattr(cls, name, fn)

    # -- plumbing ----------------------------------------------------------------------------------------------------

    @property
    def workflow(self) -> Workflow:
        wf = workflow_of(self.model)
        assert wf is not None
        return wf

    def status(self, obj: models.Model) -> str:
        return type(obj)._base_manager.values_list(self.workflow.field, flat=True).get(pk=obj.pk)

    def post(self, client: Client, channel: str, obj: models.Model, name: str, note: str = NOTE) -> Any:
        if channel == "page":
            assert self.ui is not None
            return client.post(reverse(self.ui.url_name("transition"), args=[obj.pk, name]), {"note": note})
        return client.post(f"{self.api_path}{obj.pk}/transitions/{name}", json.dumps({"note": note}),
                           content_type="application/json")

    def client_for(self, world: Any, persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            client.force_login(world.users[persona])
        return client

    def visible(self, world: Any, persona: str, obj: models.Model) -> bool:
        return self.model._default_manager.visible_to(world.users[persona]).filter(pk=obj.pk).exists()

    def assert_refused(self, response: Any, channel: str, code: int, fragment: str) -> None:
        assert response.status_code == code, response.content[:500]
        text = response.content.decode()
        if channel == "api":
            text = response.json()["detail"]
        assert fragment in text, text[:500]


def _persona_test(t: Transition, source: str, channel: str) -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        for persona in [None, *PERSONAS]:
            obj = self.fresh(world, source)
            written = Written(obj)
            response = self.post(self.client_for(world, persona), channel, obj, t.name)
            if persona is not None and persona in self.permitted[t.name]:
                assert response.status_code == (303 if channel == "page" else 200), (persona, response.content[:500])
                assert self.status(obj) == t.target, persona
                change = StatusChange.objects.of(obj).get()
                assert (change.transition, change.source, change.target, change.actor, change.note) == (
                    t.name, source, t.target, world.users[persona], NOTE)
                event = AuditEvent.objects.get(action="transition", object_type=object_label(obj),
                                               object_id=str(obj.pk), actor_id=world.users[persona].pk)
                assert event.changes[self.workflow.field] == [source, t.target]
                if channel == "api":
                    assert response.json()[self.workflow.field] == t.target
                continue
            if persona is None:
                expected = 302 if channel == "page" else 401
                assert response.status_code == expected, ("anonymous", response.status_code)
            elif not self.visible(world, persona, obj):
                assert response.status_code == 404, (persona, response.status_code)
            else:
                self.assert_refused(response, channel, 403, FORBIDDEN_MESSAGE if channel == "api" else "")
            written.assert_unchanged(str(persona))

    return test


def _a_permitted(self: WorkflowHarness, t: Transition) -> str:
    return sorted(self.permitted[t.name])[0]


def _illegal_test(t: Transition, channel: str) -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        persona = _a_permitted(self, t)
        for wrong in sorted(self.workflow.states() - set(t.source_states)):
            obj = self.fresh(world, wrong)
            written = Written(obj)
            response = self.post(self.client_for(world, persona), channel, obj, t.name)
            self.assert_refused(response, channel, 409, ILLEGAL_MESSAGE)
            written.assert_unchanged(f"{persona} from {wrong}")

    return test


def _note_test(t: Transition, channel: str) -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        obj = self.fresh(world, t.source_states[0])
        written = Written(obj)
        response = self.post(self.client_for(world, _a_permitted(self, t)), channel, obj, t.name, note="  ")
        self.assert_refused(response, channel, 400, "请填写")
        written.assert_unchanged("without note")

    return test


def _guard_test(t: Transition, channel: str) -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        case = self.blocked(world, t.name)
        assert case is not None, f"{type(self).__name__}.blocked() must give an object the guard of {t.name} blocks"
        obj, reason = case
        written = Written(obj)
        response = self.post(self.client_for(world, _a_permitted(self, t)), channel, obj, t.name)
        self.assert_refused(response, channel, 400, reason)
        written.assert_unchanged("guarded")

    return test


def _unknown_test() -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        t = self.workflow.user_transitions()[0]
        obj = self.fresh(world, t.source_states[0])
        written = Written(obj)
        client = self.client_for(world, _a_permitted(self, t))
        assert self.post(client, "page", obj, "no-such-transition").status_code == 404
        if self.api_path:
            assert self.post(client, "api", obj, "no-such-transition").status_code == 404
        written.assert_unchanged("unknown")

    return test


def _system_test(t: Transition, source: str) -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        obj = self.fresh(world, source)
        change = obj.set_status(t.name)  # type: ignore[attr-defined]
        assert self.status(obj) == t.target
        assert (change.transition, change.source, change.target, change.actor, change.actor_name) == (
            t.name, source, t.target, None, "系统")
        assert AuditEvent.objects.filter(action="transition", object_type=object_label(obj),
                                         object_id=str(obj.pk), actor_id=None).count() == 1

    return test


def _system_refused_test(t: Transition, source: str) -> Any:
    def test(self: WorkflowHarness, world: Any) -> None:
        for persona in PERSONAS:
            obj = self.fresh(world, source)
            written = Written(obj)
            with pytest.raises(TransitionRefused) as info:
                obj.set_status(t.name, by=world.users[persona])  # type: ignore[attr-defined]
            assert info.value.kind == FORBIDDEN and FORBIDDEN_MESSAGE in info.value.message
            written.assert_unchanged(persona)

    return test
