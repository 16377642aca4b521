"""Every field a user can filter on has a filter (NetBox's ``test_missing_filters``), generated per ModelUI.

A field counts when the user sees it (in the ModelUI's form, table or detail fields) and it is of a
kind one naturally filters by: a CharField with choices, a BooleanField, a ForeignKey, a DateField
(not the bookkeeping DateTimeFields). Each such field has a filter in the ModelUI's FilterSet (a
filter on the field itself or on a lookup of it, e.g. ``joined__gte``), or is named below with the
reason. An exemption that is no longer needed fails too, so the list only shrinks.
"""

from __future__ import annotations

from typing import Any

import django_filters
import pytest
from django.db import models
from django.test import RequestFactory
from django.urls import get_resolver

from chanjiao.core.registry import ModelUI, registry
from chanjiao.orgs.models import Teacher

# label -> {field: reason}: decisions, not gaps (a gap is closed with a filter).
EXEMPT: dict[str, dict[str, str]] = {
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
}


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def filterable(field: models.Field) -> bool:
    if isinstance(field, models.DateTimeField):
        return False  # created_at / updated_at and other timestamps: bookkeeping
    return bool((isinstance(field, models.CharField) and field.choices)
                or isinstance(field, models.BooleanField | models.ForeignKey | models.DateField))


def shown_fields(ui: ModelUI) -> set[str]:
    from chanjiao.core.display import detail_field_names  # the detail page's fields, declared or derived

    return (set(ui.form._meta.fields if ui.form is not None else ())
            | set(ui.table.base_columns) | set(detail_field_names(ui.model, ui.detail_fields, ui.form)))


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
    # A range filter (``hire_date_after`` = hire_date__gte) counts for its field, and only it does.
    assert "hire_date" not in missing_filters(ui)
    without_range = type("WithoutHireDate", (ui.filterset,), {})
    without_range.base_filters = {k: v for k, v in ui.filterset.base_filters.items()
                                  if (v.field_name or k).split("__")[0] != "hire_date"}
    assert missing_filters(ui, without_range) == {"hire_date"}
    only_after = type("OnlyAfter", (without_range,), {})
    only_after.base_filters = {**without_range.base_filters,
                               "hired_after": django_filters.DateFilter(field_name="hire_date", lookup_expr="gte")}
    assert "hire_date" not in missing_filters(ui, only_after)


DATE_FILTERS = [(ui, name) for ui in UIS for name, f in ui.filterset.base_filters.items()
                if isinstance(f, django_filters.DateFilter)]


@pytest.mark.parametrize(("ui", "name"), DATE_FILTERS, ids=lambda v: v if isinstance(v, str) else _label(v.model))
def test_date_filters_are_date_inputs_in_pairs(ui: ModelUI, name: str) -> None:
    # The look of the audit search's dates: <input type="date">, an inclusive 起/止 pair per field.
    flt = ui.filterset.base_filters[name]
    assert flt.extra["widget"].input_type == "date" and flt.extra["widget"].format == "%Y-%m-%d"
    stem, _sep, end = name.rpartition("_")
    assert end in {"after", "before"}, name
    partner = ui.filterset.base_filters.get(f"{stem}_{'before' if end == 'after' else 'after'}")
    assert partner is not None and partner.field_name == flt.field_name, f"{name} has no partner"
    assert {flt.lookup_expr, partner.lookup_expr} <= {"gte", "lte", "date__gte", "date__lte"}


@pytest.mark.django_db
def test_a_date_range_selects_the_rows_inside_it(world: Any) -> None:
    import datetime as dt

    from chanjiao.orgs.filters import CommitteeMembershipFilterSet, TeacherFilterSet
    from tests import factories

    for day in (dt.date(2018, 8, 31), dt.date(2018, 9, 1), dt.date(2019, 9, 1), dt.date(2019, 9, 2)):
        factories.TeacherFactory(school=world.school_a, hire_date=day)
    factories.TeacherFactory(school=world.school_a, hire_date=None)
    request = RequestFactory().get("/")
    request.user = world.bureau_admin
    teachers = TeacherFilterSet({"hire_date_after": "2018-09-01", "hire_date_before": "2019-09-01"},
                                queryset=Teacher.objects.all(), request=request)
    assert sorted(t.hire_date.isoformat() for t in teachers.qs) == ["2018-09-01", "2019-09-01"]  # both ends in
    assert TeacherFilterSet({"hire_date_after": "2019-09-02"}, queryset=Teacher.objects.all(),
                            request=request).qs.count() == 1
    membership = factories.CommitteeMembershipFactory(joined=dt.date(2021, 3, 1))
    joined = CommitteeMembershipFilterSet({"joined_before": "2021-02-28"}, request=request,
                                          queryset=type(membership).objects.all())
    assert not joined.qs.exists()
    assert TeacherFilterSet({"hire_date_after": "2019-13-45"}, queryset=Teacher.objects.all(),
                            request=request).errors  # a bad date is a form error, not every row


@pytest.mark.django_db
def test_membership_and_user_filters(world: Any) -> None:
    from chanjiao.accounts.filters import MembershipFilterSet, UserFilterSet
    from chanjiao.accounts.models import Membership, User

    request = RequestFactory().get("/")
    request.user = world.security_admin
    grants = MembershipFilterSet({"organisation": str(world.school_a.pk)}, queryset=Membership.objects.all(),
                                 request=request)
    assert [m.user.username for m in grants.qs] == ["school_admin_a"]
    # The choices: organisations that hold a grant, not every organisation.
    choices = {o.pk for o in grants.form.fields["organisation"].queryset}
    assert world.school_a.pk in choices and world.enterprise_b.pk not in choices
    User.objects.filter(username="leader").update(must_change_password=True)
    users = UserFilterSet({"must_change_password": "true"}, queryset=User.objects.all(), request=request)
    assert [u.username for u in users.qs] == ["leader"]
