"""``ModelHarness``: what a model's test module declares, and which generated checks apply to it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.test import Client
from django.urls import reverse

from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import ModelUI
from tests.harness.api import ApiChecks
from tests.harness.helpers import (
    api_patch,
    api_post,
    as_post,
    form_data,
    state,
)
from tests.harness.pages import PageChecks

HARNESS_REGISTRY: dict[type[models.Model], type[ModelHarness]] = {}

# test name -> predicate(cls): the test is generated only when the predicate holds.
_APPLIES: dict[str, Any] = {
    "test_it_redirects_anonymous_writes_to_login": lambda c: c.writable(),
    "test_it_answers_401_to_anonymous_api": lambda c: c.api_path,
    "test_it_hides_api_rows_from_user_without_role": lambda c: c.api_path and not c.public_read(),
    "test_it_shows_public_rows_to_user_without_role": lambda c: c.public_read(),
    "test_it_hides_rows_from_user_without_role": lambda c: not c.public_read(),
    "test_it_refuses_writes_by_user_without_role": lambda c: c.writable(),
    "test_it_shows_in_scope_object_in_api": lambda c: c.api_path,
    "test_it_creates_with_audit_event": lambda c: c.writable() and c.creator,
    "test_it_edits_with_audit_event": lambda c: c.writable() and c.persona_writes,
    "test_it_deletes_with_audit_event": lambda c: c.writable() and c.deleter(),
    "test_it_refuses_invalid_form_and_writes_nothing": lambda c: c.writable() and (c.creator or c.persona_writes),
    "test_it_creates_updates_deletes_through_api_with_audit_events": lambda c: (
        c.api_path and c.writable() and c.creator and c.persona_writes),
    "test_it_refuses_invalid_api_payload": lambda c: c.api_path and c.writable() and c.persona_writes,
    "test_it_hides_out_of_scope_object": lambda c: c.has_out_of_scope and not c.out_of_scope_visible,
    "test_it_shows_out_of_scope_object_read_only": lambda c: c.has_out_of_scope and c.out_of_scope_visible,
    "test_it_refuses_out_of_scope_writes": lambda c: c.has_out_of_scope and c.writable(),
    "test_it_refuses_out_of_scope_api_writes": lambda c: c.has_out_of_scope and c.writable() and c.api_path,
    "test_it_refuses_writes_by_read_only_persona": lambda c: c.writable(),
    "test_it_refuses_owner_change_through_api": lambda c: c.api_path and c.writable() and c.owner_field,
    "test_it_refuses_protected_fields_through_api": lambda c: (
        c.api_path and c.writable() and c.persona_writes and c.protected_fields),
    "test_it_refuses_delete_by_owner": lambda c: (
        c.writable() and c.persona_writes and not getattr(c.ui.model, "owner_may_delete", True)
        and c.persona not in ("bureau_admin", "secretariat")),
    "test_it_has_no_write_routes": lambda c: not c.writable(),
    "test_it_refuses_api_writes_to_read_only_model": lambda c: not c.writable() and c.api_path,
}


class ModelHarness(PageChecks, ApiChecks):
    """Base class; subclasses named ``Test…`` declare data and inherit the generated tests."""

    ui: ClassVar[ModelUI]
    api_path: ClassVar[str | None] = None  # e.g. "/api/orgs/schools/" (trailing slash); None: no API
    persona: ClassVar[str] = "bureau_admin"  # reads (and, if persona_writes, edits) the in-scope object
    persona_writes: ClassVar[bool] = True
    creator: ClassVar[str | None] = None  # persona who may create; None: nobody creates through the UI
    read_only_persona: ClassVar[str] = "leader"
    has_out_of_scope: ClassVar[bool] = True  # False when ``persona`` may read and write every row
    out_of_scope_visible: ClassVar[bool] = False  # True: persona may read (not write) the out-of-scope object
    owner_field: ClassVar[str | None] = None  # AC-05: the FK that says whose record it is
    protected_fields: ClassVar[dict[str, Any]] = {}  # fields no request body may set (AC-05 mass assignment)
    edit_changes: ClassVar[dict[str, Any]] = {}  # merged into the unchanged edit form
    natural_key: ClassVar[str] = "name"  # finds the row created from create_data()
    # What each persona is expected to get, stated rather than read back from the code under test
    # (a test that computes its expectation from ``visible_to`` passes whatever ``visible_to`` does).
    no_role_list_status: ClassVar[int] = 200  # the list page for a signed-in user without role (empty)
    no_role_api_list_status: ClassVar[int] = 200  # the API list for that user (empty results)
    read_only_persona_reads: ClassVar[bool] = True  # it reads the in-scope object: writes 403, not 404
    persona_reads_history: ClassVar[bool] = True  # False: its history page is 404 (core.models.history_rule)
    owner_change_api_status: ClassVar[int] = 400  # PATCH of owner_field to another organisation
    protected_field_api_status: ClassVar[int] = 400  # PATCH of a protected field (not in the form: unknown)
    read_only_api_write_status: ClassVar[int] = 405  # POST/PATCH/DELETE on a model without a form

    # -- declared data ------------------------------------------------------------------------------------------

    def in_scope(self, world: Any) -> models.Model:
        raise NotImplementedError

    def out_of_scope(self, world: Any) -> models.Model:
        raise NotImplementedError

    def deletable(self, world: Any) -> models.Model:
        """An in-scope object nothing references (default: a fresh ``in_scope``)."""
        return self.in_scope(world)

    def create_data(self, world: Any) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_data(self, world: Any) -> dict[str, Any]:
        raise NotImplementedError

    def owner_value(self, world: Any) -> Any:
        """An organisation ``persona`` may not file records under (for ``owner_field``)."""
        return world.school_b.pk

    def find(self, data: dict[str, Any]) -> models.QuerySet:
        return self.model()._base_manager.filter(**{self.natural_key: data[self.natural_key]})

    def marker(self, obj: models.Model) -> str:
        """Text that identifies ``obj`` in an export."""
        return str(obj)

    # -- class plumbing -----------------------------------------------------------------------------------------

    deleter_persona: ClassVar[str | None] = None  # who deletes ``deletable()`` (default: persona)

    @classmethod
    def deleter(cls) -> str | None:
        return cls.deleter_persona or (cls.persona if cls.persona_writes else None)

    @classmethod
    def model(cls) -> type[models.Model]:
        return cls.ui.model

    @classmethod
    def writable(cls) -> bool:
        return cls.ui.form is not None

    @classmethod
    def public_read(cls) -> bool:
        return bool(getattr(cls.ui.model, "public_read", False))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "ui" not in cls.__dict__:
            return
        HARNESS_REGISTRY[cls.ui.model] = cls
        for name, applies in _APPLIES.items():
            if not applies(cls):
                setattr(cls, name, None)  # pytest collects only callables: the test is simply not generated

    def url(self, action: str, obj: models.Model | None = None) -> str:
        return reverse(self.ui.url_name(action), args=[obj.pk] if obj is not None else [])

    def api_url(self, obj: models.Model | None = None) -> str:
        assert self.api_path
        return self.api_path if obj is None else f"{self.api_path}{obj.pk}"

    def page_urls(self, obj: models.Model) -> list[str]:
        urls = [self.url("list"), self.url("detail", obj), self.url("history", obj), self.url("list") + "?export=xlsx"]
        return urls

    def write_urls(self, obj: models.Model) -> list[str]:
        return [self.url("add"), self.url("edit", obj), self.url("delete", obj)]

    def edit_data(self, world: Any, obj: models.Model) -> dict[str, Any]:
        assert self.ui.form is not None
        return {**form_data(self.ui.form, obj), **self.edit_changes}

    # -- shared assertions ----------------------------------------------------------------------------------

    def reads_in_scope_object(self, persona: str) -> bool:
        """Declared, not computed: does ``persona`` (no_role or the read-only persona) read the in-scope object?"""
        if persona == "no_role":
            return self.public_read()
        assert persona == self.read_only_persona, persona
        return self.read_only_persona_reads

    def _assert_cannot_write(self, world: Any, client: Client, persona: str) -> None:
        obj = self.in_scope(world)
        before, count = state(obj), self.model()._base_manager.count()
        events = AuditEvent.objects.filter(category="data").count()
        assert client.get(self.url("add")).status_code == 403
        if self.creator:
            assert client.post(self.url("add"), as_post(self.create_data(world))).status_code == 403
        expected = 403 if self.reads_in_scope_object(persona) else 404
        assert client.get(self.url("edit", obj)).status_code == expected
        assert client.post(self.url("edit", obj), as_post(self.edit_data(world, obj))).status_code == expected
        assert client.post(self.url("delete", obj)).status_code == expected
        if self.api_path:
            if self.creator:
                assert api_post(client, self.api_url(), self.create_data(world)).status_code == 403
            assert api_patch(client, self.api_url(obj), self.edit_changes).status_code == expected
            assert client.delete(self.api_url(obj)).status_code == expected
        assert state(obj) == before
        assert self.model()._base_manager.count() == count
        assert AuditEvent.objects.filter(category="data").count() == events

    @staticmethod
    def _errors(response: Any) -> Any:
        context = getattr(response, "context", None)
        if context and "form" in context:
            return context["form"].errors
        return response.status_code
