"""Scoping a new view cannot forget (issue #7 gap 3).

* The guard (core/scoping.py, switched on for every test request by tests/conftest.py): a view
  that evaluates a scoped model's queryset without visible_to/editable_by/deletable_by or
  ``unscoped(reason)`` fails; the same view scoped, or with a named reason, passes.
* Filter choices come from scoped querysets (core/filters.py ``SearchFilterSet.scope_choices``).
* ``AuditEvent.objects.visible_to`` is ``history_rule`` over the whole log.

The throwaway views are served by this module as the URL conf (``pytest.mark.urls``), the
project's own URLs included so the pages' templates resolve their links.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from chanjiao.core.filters import SearchFilterSet
from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import ModelUI
from chanjiao.core.scoping import ScopeGuardError, unscoped, unscoped_queryset
from chanjiao.core.views import ObjectListView
from chanjiao.orgs import tables
from chanjiao.orgs.models import BoardSeat, School, Teacher
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.test_scoping_guard")]


def leaky(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(Teacher.objects.count()))  # the mistake the guard exists for


def leaky_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(t.name for t in Teacher.objects.filter(name__startswith="教师")))


def scoped(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(Teacher.objects.visible_to(request.user).count()))


def named_reason(request: HttpRequest) -> HttpResponse:
    with unscoped("a test view counting every teacher on purpose"):
        return HttpResponse(str(Teacher.objects.count()))


def through_foreign_key(request: HttpRequest) -> HttpResponse:
    # The teacher is scoped; its school is reached through the base manager (exempt by design).
    names = [t.school.name for t in Teacher.objects.visible_to(request.user)]
    return HttpResponse(", ".join(names))


def through_reverse_manager(request: HttpRequest) -> HttpResponse:
    # A visible school's teachers are not all visible: listing children is a Tab's job.
    school = School.objects.visible_to(request.user).get(pk=request.GET["school"])
    return HttpResponse(str(len(school.teachers.all())))


class ContactPickFilterSet(SearchFilterSet):
    """A FilterSet on seats whose ``contact`` filter is generated unscoped (``Contact._default_manager``)."""

    class Meta:
        model = BoardSeat
        fields = ["contact"]


class ContactPickUnscopedFilterSet(ContactPickFilterSet):
    unscoped_choices = {"contact": "a test of the declared exemption"}


seat_ui = ModelUI(BoardSeat, ContactPickFilterSet, tables.BoardSeatTable)
seat_ui_unscoped = ModelUI(BoardSeat, ContactPickUnscopedFilterSet, tables.BoardSeatTable)

urlpatterns = [
    path("", include("chanjiao.urls")),
    path("guard/leaky/", leaky),
    path("guard/leaky-list/", leaky_list),
    path("guard/scoped/", scoped),
    path("guard/named/", named_reason),
    path("guard/fk/", through_foreign_key),
    path("guard/reverse/", through_reverse_manager),
    path("guard/seats/", ObjectListView.as_view(ui=seat_ui)),
    path("guard/seats-unscoped/", ObjectListView.as_view(ui=seat_ui_unscoped)),
]


@pytest.fixture
def teachers(world: Any) -> dict[str, Any]:
    return {"a": factories.TeacherFactory(school=world.school_a, name="教师甲"),
            "b": factories.TeacherFactory(school=world.school_b, name="教师乙")}


@pytest.mark.parametrize("url", ["/guard/leaky/", "/guard/leaky-list/"])
def test_an_unscoped_queryset_in_a_view_fails_the_test(login: Any, teachers: Any, url: str) -> None:
    with pytest.raises(ScopeGuardError, match=r"orgs\.Teacher rows were read"):
        login("school_admin_a").get(url)


def test_the_guard_names_model_sql_and_place(login: Any, teachers: Any) -> None:
    with pytest.raises(ScopeGuardError) as caught:
        login("bureau_admin").get("/guard/leaky/")
    message = str(caught.value)
    assert "orgs.Teacher" in message and "SELECT" in message and "orgs_teacher" in message
    assert "test_scoping_guard.py" in message and "in leaky" in message


def test_an_unscoped_queryset_answers_500_when_exceptions_are_not_raised(login: Any, teachers: Any) -> None:
    client = login("school_admin_a")
    client.raise_request_exception = False
    assert client.get("/guard/leaky/").status_code == 500


def test_the_same_view_scoped_passes(login: Any, teachers: Any) -> None:
    assert login("school_admin_a").get("/guard/scoped/").content == b"1"
    assert login("bureau_admin").get("/guard/scoped/").content == b"2"


def test_the_same_view_with_a_named_reason_passes(login: Any, teachers: Any) -> None:
    assert login("school_admin_a").get("/guard/named/").content == b"2"


def test_following_a_foreign_key_from_a_scoped_row_is_exempt(login: Any, teachers: Any, world: Any) -> None:
    assert login("school_admin_a").get("/guard/fk/").content.decode() == world.school_a.name


def test_a_reverse_manager_is_not_exempt(login: Any, teachers: Any, world: Any) -> None:
    with pytest.raises(ScopeGuardError):
        login("school_admin_a").get(f"/guard/reverse/?school={world.school_b.pk}")


def test_outside_a_request_nothing_is_checked(teachers: Any) -> None:
    assert Teacher.objects.count() == 2  # commands, tasks, tests: no request, no guard


def test_unscoped_needs_a_reason() -> None:
    for reason in ("", "   "):
        with pytest.raises(ValueError), unscoped(reason):
            pass
        with pytest.raises(ValueError):
            unscoped_queryset(Teacher.objects.all(), reason)


# ------------------------------------------------------------------------------- filter choices


def _options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    return {label.strip() for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>',
                                                           select.group(1)) if value not in ("", "null")}


@pytest.fixture
def contacts(world: Any) -> dict[str, Any]:
    return {"a": factories.ContactFactory(organisation=world.school_a, name="甲校联系人"),
            "b": factories.ContactFactory(organisation=world.school_b, name="乙校联系人")}


def test_filter_choices_list_only_what_the_user_may_see(login: Any, contacts: Any, world: Any) -> None:
    mine = _options(login("school_admin_a").get("/guard/seats/").content.decode(), "contact")
    assert mine == {str(contacts["a"])}  # not the other school's contact
    everyone = _options(login("bureau_admin").get("/guard/seats/").content.decode(), "contact")
    assert everyone == {str(contacts["a"]), str(contacts["b"])}


def test_a_choice_the_user_may_not_see_is_refused(login: Any, contacts: Any, world: Any) -> None:
    seat = factories.BoardSeatFactory(organisation=world.school_b, contact=contacts["b"])
    response = login("school_admin_a").get(f"/guard/seats/?contact={contacts['b'].pk}")
    assert not response.context["filter"].is_valid()
    bureau = login("bureau_admin").get(f"/guard/seats/?contact={contacts['b'].pk}")
    assert [row.record for row in bureau.context["table"].rows] == [seat]


def test_a_declared_exemption_keeps_every_choice(login: Any, contacts: Any) -> None:
    options = _options(login("school_admin_a").get("/guard/seats-unscoped/").content.decode(), "contact")
    assert options == {str(contacts["a"]), str(contacts["b"])}


def test_without_a_request_a_filter_offers_nothing(contacts: Any) -> None:
    assert list(ContactPickFilterSet().form.fields["contact"].queryset) == []


# ------------------------------------------------------------------------------ audit events


@pytest.mark.parametrize("persona", ["audit_admin", "bureau_admin", "school_admin_a", "school_admin_b", "leader",
                                     "system_admin", "enterprise_contact"])
def test_audit_events_visible_to_agrees_with_each_history_page(persona: str, world: Any, teachers: Any) -> None:
    user = world.users[persona]
    visible = AuditEvent.objects.visible_to(user)
    for obj in (teachers["a"], teachers["b"], world.school_a, world.enterprise):
        assert set(visible.history_of(obj)) == set(AuditEvent.objects.history_for(user, obj)), (persona, obj)


def test_audit_events_of_another_school_are_not_visible(world: Any, teachers: Any) -> None:
    own = AuditEvent.objects.visible_to(world.school_admin_a)
    assert own.history_of(teachers["a"]).exists()
    assert not own.history_of(teachers["b"]).exists()
    assert not own.filter(category=AuditEvent.Category.SECURITY).exists()
    assert AuditEvent.objects.visible_to(world.audit_admin).count() == AuditEvent.objects.count()
