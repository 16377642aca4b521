"""The generated checks of a model's pages: anonymous and no-role access, list, detail, history, export,
the create/edit/delete forms, out-of-scope objects and read-only models."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from chanjiao.core.models import AuditEvent
from tests.harness.helpers import (
    INVALID_FORM_MESSAGE,
    as_post,
    assert_login_redirect,
    audit_events,
    listed_pks,
    reload,
    state,
    xlsx_rows,
)


class PageChecks:
    """Mixed into ``ModelHarness``; every check reads the subclass's declarations."""

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

    def test_it_refuses_writes_by_user_without_role(self, world: Any, login: Any) -> None:
        self._assert_cannot_write(world, login("no_role"), "no_role")

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

    def test_it_refuses_writes_by_read_only_persona(self, world: Any, login: Any) -> None:
        self._assert_cannot_write(world, login(self.read_only_persona), self.read_only_persona)

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

    def test_it_has_no_write_routes(self, world: Any, login: Any) -> None:
        for action in ("add", "edit", "delete", "import"):
            try:
                reverse(self.ui.url_name(action), args=[] if action in ("add", "import") else [1])
            except NoReverseMatch:
                continue
            raise AssertionError(f"read-only model has a {action} page")
