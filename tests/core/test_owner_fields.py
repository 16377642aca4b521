"""Owner fields are declared once, on the model (issue #7 gap 4), and both consumers read that one
declaration: the form base (``ScopedModelForm``) narrows an owner field's choices to what the user
may write, and the importer base accepts only those targets in an owner column. Everything here is
built from ``Model.owner_fields`` and the registry, so a new model with a form and an importer is
checked without a line added here."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.urls import get_resolver

from chanjiao.accounts.models import Membership
from chanjiao.core.forms import ScopedModelForm
from chanjiao.core.imports import Column, Importer
from chanjiao.core.models import owner_fields_of
from chanjiao.core.registry import ModelUI, registry
from chanjiao.orgs.models import Organisation, Teacher
from tests import factories
from tests.conftest import PERSONAS

get_resolver().url_patterns  # every app's ui.py registers on URL loading

WITH_OWNERS = [ui for ui in registry if ui.form is not None and owner_fields_of(ui.model)]
FORM_AND_IMPORTER = [ui for ui in WITH_OWNERS if ui.importer is not None]


def _pks(queryset: Any) -> set[Any]:
    return set(queryset.values_list("pk", flat=True))


def _column(importer: Importer, field: str) -> Column:
    return next(column for column in type(importer).columns if column.field == field)


def _form(ui: ModelUI, user: Any) -> ScopedModelForm:
    form: ScopedModelForm = ui.form(user=user)  # type: ignore[misc]
    return form


@pytest.fixture
def users(world: Any) -> dict[str, Any]:
    """The personas plus a committee leader (its department directs one of two committees), so the
    committee owner field has a target for someone and not for everyone."""
    led = factories.CommitteeFactory(director=world.department)
    other = factories.CommitteeFactory(group=led.group, director=world.enterprise)
    # Rows owned through an event (participations) and a teacher (practice): one each side of the narrowing.
    for committee in (led, other):
        factories.EventFactory(committee=committee)
    for school in (world.school_a, world.school_b):
        factories.TeacherFactory(school=school)
    factories.GuidanceCommitteeFactory(school=world.school_a)
    factories.GuidanceCommitteeFactory(school=world.school_b)
    # Rows owned through an offering (its yearly figures): one of each school.
    for school in (world.school_a, world.school_b):
        factories.OfferingFactory(school=school)
    # 一校一策 (its targets are owned through it): one of each school.
    for school in (world.school_a, world.school_b):
        factories.SchoolPolicyFactory(school=school)
    leader = factories.UserFactory(username="committee_leader_owner")
    Membership.objects.create(user=leader, role="committee_leader", organisation=world.department)
    return {**{name: world.users[name] for name in PERSONAS}, "committee_leader": leader}


def test_the_declarations_are_foreign_keys_on_their_model() -> None:
    assert FORM_AND_IMPORTER, "no registered model declares owner fields for a form and an importer"
    for ui in WITH_OWNERS:
        for name in owner_fields_of(ui.model):
            field = ui.model._meta.get_field(name)
            assert isinstance(field, models.ForeignKey), f"{ui.model.__name__}.owner_fields: {name} is no foreign key"
            assert name in ui.form._meta.fields, f"{ui.form.__name__} lacks the owner field {name}"
            if ui.importer is not None:
                assert name in {c.field for c in ui.importer.columns}, f"{ui.importer.__name__} lacks {name}"


@pytest.mark.parametrize("ui", FORM_AND_IMPORTER, ids=lambda ui: ui.model.__name__)
def test_form_and_importer_narrow_the_same_owner_targets(ui: ModelUI, users: dict[str, Any]) -> None:
    """For every persona and owner field: the form offers exactly the rows the importer accepts
    (its owner targets), and a non-owner foreign key of the form offers what the user sees."""
    owners = owner_fields_of(ui.model)
    narrowed = False
    for persona, user in users.items():
        form, importer = _form(ui, user), ui.importer(user)
        assert importer.owner_fields == owners
        for name in owners:
            offered = _pks(form.fields[name].queryset)
            # The importer narrows the targets by the field's own restriction too (an enterprise column: firms).
            limit = ui.model._meta.get_field(name).get_limit_choices_to()
            accepted = _pks(importer.owner_targets(_column(importer, name)).complex_filter(limit or {}))
            assert offered == accepted, f"{ui.model.__name__}.{name} for {persona}: form {offered} ≠ import {accepted}"
            related = ui.model._meta.get_field(name).related_model
            narrowed |= offered != _pks(related._default_manager.visible_to(user))
    # Someone sees more targets than they may write to — else the test could not tell narrowed from not.
    assert narrowed, f"{ui.model.__name__}: no persona's owner choices differ from what they see"


@pytest.mark.parametrize("ui", WITH_OWNERS, ids=lambda ui: ui.model.__name__)
def test_a_school_admin_is_offered_only_their_school(ui: ModelUI, users: dict[str, Any], world: Any) -> None:
    """AC-05 on every form whose owner field names an organisation: school admin A sees school B
    (the registry is city-wide) but may file only under school A."""
    form = _form(ui, users["school_admin_a"])
    names = [n for n in owner_fields_of(ui.model)
             if issubclass(ui.model._meta.get_field(n).related_model, Organisation)]
    if not names:
        pytest.skip("no organisation owner field")
    for name in names:
        # Among the rows the field may name at all (an enterprise field names no school: then none).
        field = ui.model._meta.get_field(name)
        allowed = _pks(field.related_model._base_manager.complex_filter(field.get_limit_choices_to() or {}))
        assert _pks(form.fields[name].queryset) == {world.school_a.pk} & allowed


def test_teacher_form_offers_school_a_only(users: dict[str, Any], world: Any) -> None:
    """The same, spelt out for the teacher form (the model's declaration is its only source)."""
    assert Teacher.owner_fields == ("school",)
    ui = next(ui for ui in registry if ui.model is Teacher)
    form = _form(ui, users["school_admin_a"])
    assert list(form.fields["school"].queryset) == [world.school_a]
    assert world.school_b.pk in _pks(Teacher._meta.get_field("school").related_model.objects.visible_to(
        users["school_admin_a"]))


def test_a_copy_on_the_form_or_the_importer_is_refused() -> None:
    with pytest.raises(TypeError, match="owner_fields"):
        class CopyForm(ScopedModelForm):
            class Meta:
                model = Teacher
                fields = ["school", "name"]
                owner_fields = ["school"]

    teacher_importer = next(ui.importer for ui in registry if ui.model is Teacher)

    class CopyImporter(teacher_importer):  # type: ignore[misc, valid-type]
        owner_fields = ("school",)

    with pytest.raises(TypeError, match="owner_fields"):
        CopyImporter(None)
