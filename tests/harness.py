"""The generic per-model test harness (NetBox's ``ViewTestCases`` are the model).

A model's test module declares data only::

    class TestSchoolViews(ModelHarness):
        ui = orgs_ui.schools
        api_path = "/api/orgs/schools/"
        persona = "school_admin_a"          # reads and edits the in-scope object
        creator = "bureau_admin"            # may create (None: nobody may)
        out_of_scope_visible = True         # the city-wide registry: readable, not writable

        def in_scope(self, world): ...      # a fresh object ``persona`` may read (and edit)
        def out_of_scope(self, world): ...  # an object ``persona`` may not edit (None: no such object)
        def create_data(self, world): ...   # valid form data for ``creator``
        edit_changes = {"short_name": "新简称"}
        def invalid_data(self, world): ...  # form data that must be refused

and gets anonymous, no-role, in-scope, out-of-scope, read-only (leader), invalid-form, export,
history and API tests. Tests that cannot apply (a model without API, a read-only model) are not
generated at all rather than skipped. ``HARNESS_REGISTRY`` records which models have harness tests;
``tests/test_meta.py`` fails for a registered model that has none.
"""

from __future__ import annotations

import io
import json
from typing import Any, ClassVar

from django.db import connection, models
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from chanjiao.core.audit import object_label, snapshot
from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import ModelUI

HARNESS_REGISTRY: dict[type[models.Model], type[ModelHarness]] = {}

LOGIN_URL = "/accounts/login/"
INVALID_FORM_MESSAGE = "提交的内容有误"


# --- helpers ---------------------------------------------------------------------------------------------------


def reload(obj: models.Model) -> models.Model | None:
    return type(obj)._base_manager.filter(pk=obj.pk).first()


def state(obj: models.Model) -> dict[str, Any] | None:
    """The stored field values of ``obj`` (None when the row is gone), to prove a refused write changed nothing."""
    fresh = reload(obj)
    return snapshot(fresh) if fresh is not None else None


def form_data(form_class: type, obj: models.Model) -> dict[str, Any]:
    """What the edit form of ``obj`` would post back unchanged."""
    data: dict[str, Any] = {}
    for name, value in model_to_dict(obj, fields=list(form_class._meta.fields)).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, models.Model):
            data[name] = value.pk
        elif isinstance(value, list):
            data[name] = [v.pk if isinstance(v, models.Model) else v for v in value]
        elif value is not None:
            data[name] = value
    return data


def as_post(data: dict[str, Any]) -> dict[str, Any]:
    """Form-encode: False is an absent checkbox, True a ticked one."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is False or value is None:
            continue
        out[key] = "on" if value is True else value
    return out


def listed_pks(response: Any) -> set[int]:
    table = response.context["table"]
    return {row.record.pk for row in table.paginated_rows}


def assert_login_redirect(response: Any) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(LOGIN_URL), response["Location"]


def xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def api_patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(path, data=json.dumps(data), content_type="application/json")


def api_post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json")


def audit_events(obj: models.Model, action: str, actor: Any = None, pk: Any = None) -> Any:
    events = AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(pk or obj.pk), action=action)
    if actor is not None:
        events = events.filter(actor_id=actor.pk)
    return events


# --- the harness -------------------------------------------------------------------------------------------------

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


class ModelHarness:
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

    # -- anonymous ----------------------------------------------------------------------------------------------

    def test_it_redirects_anonymous_pages_to_login(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(None)
        for url in self.page_urls(obj):
            assert_login_redirect(client.get(url))

    def test_it_redirects_anonymous_writes_to_login(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        before = state(obj)
        client = login(None)
        for url in self.write_urls(obj):
            assert_login_redirect(client.get(url))
            assert_login_redirect(client.post(url, as_post(self.create_data(world)) if self.creator else {}))
        assert state(obj) == before

    def test_it_answers_401_to_anonymous_api(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        before = state(obj)
        client = login(None)
        assert client.get(self.api_url()).status_code == 401
        assert client.get(self.api_url(obj)).status_code == 401
        if self.writable():
            assert api_post(client, self.api_url(), self.create_data(world) if self.creator else {}).status_code == 401
            assert api_patch(client, self.api_url(obj), self.edit_changes).status_code == 401
            assert client.delete(self.api_url(obj)).status_code == 401
        assert state(obj) == before

    # -- signed in, no role -------------------------------------------------------------------------------------

    def test_it_hides_rows_from_user_without_role(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login("no_role")
        response = client.get(self.url("list") + "?per_page=100")
        assert response.status_code == self.no_role_list_status
        if self.no_role_list_status == 200:  # the declaration decides, not the answer
            assert obj.pk not in listed_pks(response)
        assert client.get(self.url("detail", obj)).status_code == 404
        assert client.get(self.url("history", obj)).status_code == 404

    def test_it_shows_public_rows_to_user_without_role(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login("no_role")
        assert obj.pk in listed_pks(client.get(self.url("list") + "?per_page=100"))
        assert client.get(self.url("detail", obj)).status_code == 200

    def test_it_hides_api_rows_from_user_without_role(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login("no_role")
        response = client.get(self.api_url() + "?page_size=200")
        assert response.status_code == self.no_role_api_list_status
        if self.no_role_api_list_status == 200:
            assert obj.pk not in {row["id"] for row in response.json()["results"]}
        assert client.get(self.api_url(obj)).status_code == 404

    def test_it_refuses_writes_by_user_without_role(self, world: Any, login: Any) -> None:
        self._assert_cannot_write(world, login("no_role"), "no_role")

    # -- in scope -----------------------------------------------------------------------------------------------

    def test_it_lists_in_scope_object(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        response = login(self.persona).get(self.url("list") + "?per_page=100")
        assert response.status_code == 200
        assert obj.pk in listed_pks(response)

    def test_it_shows_detail_and_history(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(self.persona)
        response = client.get(self.url("detail", obj))
        assert response.status_code == 200
        assert response.context["object"].pk == obj.pk
        # The history follows its own rule (core.models.history_rule, tests/core/test_history_scope.py):
        # a persona who may not read it gets 404 (declared: persona_reads_history); the audit admin reads it.
        response = client.get(self.url("history", obj))
        if not self.persona_reads_history:
            assert response.status_code == 404
            response = login("audit_admin").get(self.url("history", obj))
        assert response.status_code == 200
        assert list(response.context["events"]), "the creation of the object must show in its history"

    def test_it_lists_without_a_query_per_row(self, world: Any, login: Any) -> None:
        # REL-16: a list page (and the API list) costs the same number of queries for 1 row or 5.
        client = login(self.persona)
        self.in_scope(world)
        urls = [self.url("list") + "?per_page=100"] + ([self.api_url() + "?page_size=100"] if self.api_path else [])

        def count() -> list[int]:
            counts = []
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                counts.append(len(queries))
            return counts

        few = count()
        for _ in range(4):
            self.deletable(world)
        assert count() == few

    def test_it_shows_in_scope_object_in_api(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(self.persona)
        response = client.get(self.api_url() + "?page_size=200")
        assert response.status_code == 200
        assert obj.pk in {row["id"] for row in response.json()["results"]}
        response = client.get(self.api_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    def test_it_exports_only_visible_rows_with_security_event(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        hidden = self.out_of_scope(world) if self.has_out_of_scope and not self.out_of_scope_visible else None
        user = world.users[self.persona]
        client = login(self.persona)
        response = client.get(self.url("list") + "?export=xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert ".xlsx" in response["Content-Disposition"]
        rows = xlsx_rows(response.content)
        assert len(rows) - 1 == self.model().objects.visible_to(user).count()
        cells = {str(c) for row in rows[1:] for c in row if c is not None}
        assert any(self.marker(obj) in c for c in cells)
        if hidden is not None:
            assert not any(self.marker(hidden) in c for c in cells)
        events = AuditEvent.objects.filter(category="security", action="export", actor_id=user.pk)
        assert events.count() == 1
        assert events.get().changes["rows"] == len(rows) - 1

    def test_it_creates_with_audit_event(self, world: Any, login: Any) -> None:
        data = self.create_data(world)
        client = login(self.creator)
        assert client.get(self.url("add")).status_code == 200
        response = client.post(self.url("add"), as_post(data))
        assert response.status_code == 302, self._errors(response)
        created = self.find(data).get()
        assert audit_events(created, "create", world.users[self.creator]).count() == 1

    def test_it_edits_with_audit_event(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(self.persona)
        assert client.get(self.url("edit", obj)).status_code == 200
        response = client.post(self.url("edit", obj), as_post(self.edit_data(world, obj)))
        assert response.status_code == 302, self._errors(response)
        fresh = reload(obj)
        for name, value in self.edit_changes.items():
            assert getattr(fresh, name) == value
        event = audit_events(obj, "update", world.users[self.persona]).get()
        assert set(self.edit_changes) <= set(event.changes)

    def test_it_deletes_with_audit_event(self, world: Any, login: Any) -> None:
        obj = self.deletable(world)
        deleter = self.deleter()
        client = login(deleter)
        assert client.get(self.url("delete", obj)).status_code == 200
        response = client.post(self.url("delete", obj))
        assert response.status_code == 302
        assert reload(obj) is None
        assert audit_events(obj, "delete", world.users[deleter]).count() == 1

    def test_it_refuses_invalid_form_and_writes_nothing(self, world: Any, login: Any) -> None:
        obj = None if self.creator else self.in_scope(world)
        client = login(self.creator or self.persona)
        before = state(obj) if obj is not None else None
        count, events = self.model()._base_manager.count(), AuditEvent.objects.filter(category="data").count()
        if obj is None:
            response = client.post(self.url("add"), as_post(self.invalid_data(world)))
        else:
            response = client.post(self.url("edit", obj),
                                   as_post({**self.edit_data(world, obj), **self.invalid_data(world)}))
            assert state(obj) == before
        assert response.status_code == 400
        assert INVALID_FORM_MESSAGE in response.content.decode()
        assert response.context["form"].errors
        assert self.model()._base_manager.count() == count
        assert AuditEvent.objects.filter(category="data").count() == events

    def test_it_creates_updates_deletes_through_api_with_audit_events(self, world: Any, login: Any) -> None:
        creator = world.users[self.creator]
        data = self.create_data(world)
        response = api_post(login(self.creator), self.api_url(), data)
        assert response.status_code == 201, response.content
        created = self.find(data).get()
        assert response.json()["id"] == created.pk
        assert audit_events(created, "create", creator).filter(source="api").count() == 1

        obj = self.in_scope(world)
        client = login(self.persona)
        response = api_patch(client, self.api_url(obj), self.edit_changes)
        assert response.status_code == 200, response.content
        fresh = reload(obj)
        for name, value in self.edit_changes.items():
            assert getattr(fresh, name) == value
        assert audit_events(obj, "update", world.users[self.persona]).filter(source="api").count() == 1

        victim = self.deletable(world)
        deleter = self.deleter()
        response = login(deleter).delete(self.api_url(victim))
        assert response.status_code == 204, response.content
        assert reload(victim) is None
        assert audit_events(victim, "delete", world.users[deleter]).filter(source="api").count() == 1

    def test_it_refuses_invalid_api_payload(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(self.persona)
        before, events = state(obj), AuditEvent.objects.filter(category="data").count()
        invalid = {k: v for k, v in self.invalid_data(world).items() if k in self.ui.form._meta.fields}
        response = api_patch(client, self.api_url(obj), invalid)
        assert response.status_code == 400, response.content
        assert INVALID_FORM_MESSAGE in response.json()["detail"]
        assert state(obj) == before
        assert AuditEvent.objects.filter(category="data").count() == events

    # -- out of scope -------------------------------------------------------------------------------------------

    def test_it_hides_out_of_scope_object(self, world: Any, login: Any) -> None:
        other = self.out_of_scope(world)
        client = login(self.persona)
        assert client.get(self.url("detail", other)).status_code == 404
        assert client.get(self.url("history", other)).status_code == 404
        assert other.pk not in listed_pks(client.get(self.url("list") + "?per_page=100"))
        if self.api_path:
            rows = client.get(self.api_url() + "?page_size=200").json()["results"]
            assert other.pk not in {row["id"] for row in rows}
            assert client.get(self.api_url(other)).status_code == 404

    def test_it_shows_out_of_scope_object_read_only(self, world: Any, login: Any) -> None:
        other = self.out_of_scope(world)
        client = login(self.persona)
        response = client.get(self.url("detail", other))
        assert response.status_code == 200
        assert response.context["can_edit"] is False

    def test_it_refuses_out_of_scope_writes(self, world: Any, login: Any) -> None:
        other = self.out_of_scope(world)
        before = state(other)
        expected = 403 if self.out_of_scope_visible else 404
        client = login(self.persona)
        for url in (self.url("edit", other), self.url("delete", other)):
            assert client.get(url).status_code == expected
        assert client.post(self.url("edit", other), as_post(self.edit_data(world, other))).status_code == expected
        assert client.post(self.url("delete", other)).status_code == expected
        assert state(other) == before

    def test_it_refuses_out_of_scope_api_writes(self, world: Any, login: Any) -> None:
        other = self.out_of_scope(world)
        before = state(other)
        expected = 403 if self.out_of_scope_visible else 404
        client = login(self.persona)
        assert api_patch(client, self.api_url(other), self.edit_changes).status_code == expected
        assert client.delete(self.api_url(other)).status_code == expected
        assert state(other) == before

    # -- read-only persona, field rules -------------------------------------------------------------------------

    def test_it_refuses_writes_by_read_only_persona(self, world: Any, login: Any) -> None:
        self._assert_cannot_write(world, login(self.read_only_persona), self.read_only_persona)

    def test_it_refuses_owner_change_through_api(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        before = state(obj)
        response = api_patch(login(self.persona), self.api_url(obj), {self.owner_field: self.owner_value(world)})
        assert response.status_code == self.owner_change_api_status, response.content
        assert state(obj) == before

    def test_it_refuses_protected_fields_through_api(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        before = state(obj)
        client = login(self.persona)
        for name, value in self.protected_fields.items():
            response = api_patch(client, self.api_url(obj), {name: value})
            assert response.status_code == self.protected_field_api_status, (name, response.content)
        assert state(obj) == before

    def test_it_refuses_delete_by_owner(self, world: Any, login: Any) -> None:
        # ``owner_may_delete = False``: the organisation's own people edit the row, only global writers delete it.
        obj = self.in_scope(world)
        before = state(obj)
        client = login(self.persona)
        assert client.get(self.url("delete", obj)).status_code == 403
        assert client.post(self.url("delete", obj)).status_code == 403
        if self.api_path:
            assert client.delete(self.api_url(obj)).status_code == 403
        assert state(obj) == before

    # -- read-only models ---------------------------------------------------------------------------------------

    def test_it_has_no_write_routes(self, world: Any, login: Any) -> None:
        for action in ("add", "edit", "delete", "import"):
            try:
                reverse(self.ui.url_name(action), args=[] if action in ("add", "import") else [1])
            except NoReverseMatch:
                continue
            raise AssertionError(f"read-only model has a {action} page")

    def test_it_refuses_api_writes_to_read_only_model(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        before, count = state(obj), self.model()._base_manager.count()
        client = login("bureau_admin")
        expected = self.read_only_api_write_status
        assert api_post(client, self.api_url(), {"code": "X1", "name": "x"}).status_code == expected
        assert api_patch(client, self.api_url(obj), {"name": "改名"}).status_code == expected
        assert client.delete(self.api_url(obj)).status_code == expected
        assert state(obj) == before
        assert self.model()._base_manager.count() == count

    # -- shared assertions --------------------------------------------------------------------------------------

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
