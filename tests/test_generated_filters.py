"""Every field a user can filter on has a filter (NetBox's ``test_missing_filters``), generated per ModelUI.

A field counts when the user sees it (in the ModelUI's form, table or detail fields) and it is of a
kind one naturally filters by: a CharField with choices, a BooleanField, a ForeignKey, a DateField
(not the bookkeeping DateTimeFields). Each such field has a filter in the ModelUI's FilterSet (a
filter on the field itself or on a lookup of it, e.g. ``joined__gte``), or is named below with the
reason. An exemption that is no longer needed fails too, so the list only shrinks.
"""

from __future__ import annotations

import django_filters
import pytest
from django.db import models
from django.urls import get_resolver

from chanjiao.core.registry import ModelUI, registry

# label -> {field: reason}. "follow-up" entries are gaps to close with a filter, not decisions.
EXEMPT: dict[str, dict[str, str]] = {
    "orgs.enterprise": {
        "headcount_date": "follow-up: the date of the head count, no range filter yet",
        "established": "follow-up: founding date, no range filter yet",
    },
    "orgs.association": {"industry": "follow-up: an association's industry, no filter yet"},
    "orgs.institute": {"industry": "follow-up: an institute's industry, no filter yet"},
    "orgs.teacher": {"hire_date": "follow-up: hire date, no range filter yet"},
    "orgs.vocationalgroup": {
        "founded": "a handful of groups per city: the list is read whole",
        "secretariat": "a handful of groups per city: the list is read whole",
        "lead_school": "a handful of groups per city: the list is read whole",
    },
    "orgs.boardterm": {
        "elected_at": "a few terms per group, filtered by group and number",
        "start_date": "a few terms per group, filtered by group and number",
        "end_date": "a few terms per group, filtered by group and number",
    },
    "orgs.boardseat": {"contact": "the seat's contact person is shown, never searched by"},
    "orgs.committee": {
        "vice_director": "follow-up: filter by director exists; vice director and secretary not yet",
        "secretary": "follow-up: filter by director exists; vice director and secretary not yet",
        "founded": "follow-up: founding date, no range filter yet",
    },
    "orgs.committeemembership": {"joined": "follow-up: join date, no range filter yet (left has one)"},
    "orgs.guidancecommittee": {
        "major": "follow-up: the committee's major, no filter yet",
        "founded": "follow-up: founding date, no range filter yet",
    },
    "orgs.guidancemember": {"joined": "follow-up: join date, no range filter yet (left has one)"},
    "accounts.user": {"must_change_password": "follow-up: accounts still on their initial password"},
    "accounts.membership": {"organisation": "follow-up: grants of one organisation, no filter yet"},
}


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def filterable(field: models.Field) -> bool:
    if isinstance(field, models.DateTimeField):
        return False  # created_at / updated_at and other timestamps: bookkeeping
    return bool((isinstance(field, models.CharField) and field.choices)
                or isinstance(field, models.BooleanField | models.ForeignKey | models.DateField))


def shown_fields(ui: ModelUI) -> set[str]:
    return (set(ui.form._meta.fields if ui.form is not None else ())
            | set(ui.table.base_columns) | set(ui.detail_fields or ()))


def filtered_fields(filterset: type) -> set[str]:
    return {(f.field_name or name).split("__")[0] for name, f in filterset.base_filters.items()}


def missing_filters(ui: ModelUI, filterset: type | None = None) -> set[str]:
    shown, filtered = shown_fields(ui), filtered_fields(filterset or ui.filterset)
    return {f.name for f in ui.model._meta.concrete_fields
            if not f.primary_key and f.name in shown and filterable(f) and f.name not in filtered}


def _uis() -> list[ModelUI]:
    get_resolver().url_patterns  # every app's ui.py registers on URL loading
    return list(registry)


UIS = _uis()


@pytest.mark.parametrize("ui", UIS, ids=lambda ui: _label(ui.model))
def test_every_filterable_field_has_a_filter(ui: ModelUI) -> None:
    exempt = EXEMPT.get(_label(ui.model), {})
    missing = missing_filters(ui) - set(exempt)
    assert not missing, f"{_label(ui.model)}: fields without a filter in {ui.filterset.__name__} " \
                        f"(add one, or exempt with a reason): {sorted(missing)}"
    stale = set(exempt) - missing_filters(ui)
    assert not stale, f"{_label(ui.model)}: exemptions no longer needed, drop them: {sorted(stale)}"


def test_exemptions_name_only_registered_models() -> None:
    assert set(EXEMPT) <= {_label(ui.model) for ui in UIS}


def test_the_check_finds_a_filter_taken_away() -> None:
    # The generated test above is only as good as this detector: remove one filter, it must notice.
    ui = next(u for u in UIS if _label(u.model) == "orgs.teacher")
    assert "school" not in missing_filters(ui)
    without_school = type("WithoutSchool", (ui.filterset,), {})
    without_school.base_filters = {k: v for k, v in ui.filterset.base_filters.items()
                                   if (v.field_name or k).split("__")[0] != "school"}
    assert "school" in missing_filters(ui, without_school)
    with_hire_date = type("WithHireDate", (ui.filterset,), {})
    with_hire_date.base_filters = {**ui.filterset.base_filters,
                                   "hired_after": django_filters.DateFilter(field_name="hire_date",
                                                                            lookup_expr="gte")}
    assert "hire_date" not in missing_filters(ui, with_hire_date)
