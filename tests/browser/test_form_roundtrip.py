"""Issue 6 point 1: opening an edit form and saving it untouched changes nothing — in every form, both languages.

Generated over the registry: every ``ModelUI`` with a form gets a fully populated object (every optional form
field filled, dates set, booleans ticked — ``tests/populated.py``), its edit page is opened in Chromium and
saved without touching anything. The object — all concrete fields and many-to-many links — must be exactly as
before, and no audit event may have been written for it. A date rendered in a form the browser's date input
rejects (``value="2019/12/31"`` under the Chinese locale) arrives empty and fails this test.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse

from chanjiao.core.audit import object_label
from chanjiao.core.models import AuditEvent
from tests.populated import BUILDERS, built, registered_uis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM_UIS = {ui.name: ui for ui in registered_uis() if ui.form is not None}


def stored(obj: models.Model) -> dict[str, Any]:
    """Every concrete column and many-to-many link as stored; ``updated_at`` moves on any save by design."""
    fresh = type(obj)._base_manager.get(pk=obj.pk)
    data = {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields if f.name != "updated_at"}
    for f in fresh._meta.many_to_many:
        data[f.name] = sorted(getattr(fresh, f.name).values_list("pk", flat=True))
    return data


# Fields that exclude another field of the same form (one of the two is always empty, by rule): an
# offering names a catalogue major or (MJ-02) an off-catalogue one; a review item an existing offering or
# (SUB-D2) a major to open; a scenario change closes an offering or (SCN-D1) opens a major at a school.
EXCLUSIVE: dict[str, set[str]] = {"offering": {"off_catalogue_name"}, "submissionitem": {"new_major"},
                                  "scenariochange": {"school", "major"}}


def test_every_form_is_covered() -> None:
    assert set(BUILDERS) == set(FORM_UIS), "add a builder for each new ModelUI with a form"


@pytest.mark.parametrize("name", sorted(FORM_UIS))
def test_builder_fills_every_form_field(name: str) -> None:
    """A field left empty could not show a loss: every field on the form holds a valid value, booleans ticked."""
    _, _, obj = built(name)
    form = FORM_UIS[name].form
    empty = []
    for field_name in form._meta.fields:
        field = obj._meta.get_field(field_name)
        value = getattr(obj, field.name)
        if field.many_to_many:
            value = list(value.all())
        if value in (None, "", [], False) and field_name not in EXCLUSIVE.get(name, set()):
            empty.append(field_name)
    assert not empty, f"{name}: fill {empty} in its builder"
    obj.full_clean()  # valid values only: a value the form cannot show would be "lost" by the builder's fault


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name", sorted(FORM_UIS))
def test_saving_an_untouched_edit_form_changes_nothing(name: str, language: str, live_server: Any,
                                                       browser: Any) -> None:
    ui = FORM_UIS[name]
    _, user, obj = built(name)
    before = stored(obj)
    events = AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(obj.pk))
    events_before = events.count()

    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    try:
        context.add_cookies([
            {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
             "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ])
        page = context.new_page()
        edit_url = live_server.url + reverse(ui.url_name("edit"), args=[obj.pk])
        response = page.goto(edit_url)
        assert response is not None and response.status == 200, (name, response and response.status)
        assert page.locator("html").get_attribute("lang") == language
        with page.expect_navigation():
            page.locator(".card-body form[method=post] button[type=submit]").click()
        errors = page.locator(".invalid-feedback, .alert-danger").all_inner_texts()
        assert page.url != edit_url, f"{name} ({language}): the untouched form was refused: {errors}"
    finally:
        context.close()

    after = stored(obj)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"{name} ({language}): the untouched save changed {changed}"
    assert events.count() == events_before, list(events.values_list("action", "changes")[events_before:])
