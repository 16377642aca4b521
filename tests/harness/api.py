"""The generated checks of a model's API: authentication, scope, writes with audit events, refused payloads."""

from __future__ import annotations

from typing import Any

from chanjiao.core.models import AuditEvent
from tests.harness.helpers import (
    INVALID_FORM_MESSAGE,
    api_patch,
    api_post,
    audit_events,
    reload,
    state,
)


class ApiChecks:
    """Mixed into ``ModelHarness``; generated only for a model with ``api_path`` (see ``_APPLIES``)."""

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

    def test_it_hides_api_rows_from_user_without_role(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login("no_role")
        response = client.get(self.api_url() + "?page_size=200")
        assert response.status_code == self.no_role_api_list_status
        if self.no_role_api_list_status == 200:
            assert obj.pk not in {row["id"] for row in response.json()["results"]}
        assert client.get(self.api_url(obj)).status_code == 404

    def test_it_shows_in_scope_object_in_api(self, world: Any, login: Any) -> None:
        obj = self.in_scope(world)
        client = login(self.persona)
        response = client.get(self.api_url() + "?page_size=200")
        assert response.status_code == 200
        assert obj.pk in {row["id"] for row in response.json()["results"]}
        response = client.get(self.api_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

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

    def test_it_refuses_out_of_scope_api_writes(self, world: Any, login: Any) -> None:
        other = self.out_of_scope(world)
        before = state(other)
        expected = 403 if self.out_of_scope_visible else 404
        client = login(self.persona)
        assert api_patch(client, self.api_url(other), self.edit_changes).status_code == expected
        assert client.delete(self.api_url(other)).status_code == expected
        assert state(other) == before

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
