"""Figures: a statistic declared once, counted in SQL, each value linked to the rows it counts.

A ``Figure`` names a ModelUI and the *filter parameters* of that model's own FilterSet that select
its rows (``{"is_dual_qualified": "true"}``) — never a free ``Q``. The same FilterSet, fed the same
parameters, builds both the counted queryset and the list page behind ``drill_url``, so a figure
equals the row count of its drill-down list by construction (``tests/core/test_figures.py`` checks
it for every declared figure).

Dimensions. A FilterSet names the breakdowns it supports in ``dimensions`` (dimension name →
filter parameter, e.g. ``{"county": "region"}``); dimension names are the same in every FilterSet
(``year``, ``county``, ``committee``, ``pillar``, ``school``, ``enterprise``, ``major_category``, plus
model-specific ones). The rows are grouped by that filter's own field, and a group's drill URL adds
the filter parameter with the group's value, so a group also equals its drill-down list. A
dimension's filter must be a plain ``exact`` filter on a to-one path (no ``method``): that is what
makes "group by the field" and "filter by the value" the same set of rows.

Cost. Figures are evaluated in families — same ModelUI, same dimension — and each family costs one
query, however many rows or figures it has: one figure counts its filtered queryset directly;
several figures share the scoped base queryset with one conditional ``COUNT(...) FILTER (WHERE pk IN
<the figure's filtered queryset>)`` each. Group names cost at most one more query per family
(foreign-key dimensions read the names of the groups found; choice dimensions read their choices).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Count, Q
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from chanjiao.core.db_router import reading_from_replica
from chanjiao.core.registry import ModelUI
from chanjiao.core.types import User

# Every Figure declared anywhere (the generated tests iterate it).
registry: list[Figure] = []


class FigureError(ValueError):
    """A figure cannot be evaluated with these parameters (a filter refused them)."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a declaration, not a value
class Figure:
    """One statistic: the rows of ``ui`` that its FilterSet selects with ``params``, counted."""

    key: str
    label: Any  # a (lazy) Chinese label
    ui: ModelUI
    params: Mapping[str, str] = field(default_factory=dict)
    dims: tuple[str, ...] = ()  # the dimensions it may be broken down by

    def __post_init__(self) -> None:
        for name in self.dims:
            group_field(self.ui, name)  # fail at import time, not on the dashboard
        filterset: Any = self.ui.filterset  # a django-filter FilterSet class (untyped library)
        unknown = set(self.params) - set(filterset.base_filters)
        if unknown:
            raise ImproperlyConfigured(f"Figure {self.key}: {sorted(unknown)} are not filters of "
                                       f"{self.ui.filterset.__name__}")


def declare(*figures: Figure) -> tuple[Figure, ...]:
    """Register figures (keys are unique across the project) and return them."""
    known = {f.key for f in registry}
    for figure in figures:
        if figure.key in known:
            raise ImproperlyConfigured(f"Figure key {figure.key!r} is declared twice")
        known.add(figure.key)
        registry.append(figure)
    return figures


@dataclass
class Group:
    """One bar or slice: the rows whose dimension value is ``key``."""

    key: Any
    label: str
    value: int
    drill_url: str | None  # None only when the filter would refuse the value (a misconfigured choice)


@dataclass
class FigureValue:
    figure: Figure
    value: int
    drill_url: str
    groups: list[Group] = field(default_factory=list)  # empty unless evaluated ``by`` a dimension

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def label(self) -> str:
        return str(self.figure.label)


def dimension_param(ui: ModelUI, name: str) -> str:
    """The filter parameter that selects one value of dimension ``name`` in ``ui``'s FilterSet."""
    dimensions = getattr(ui.filterset, "dimensions", {})
    if name not in dimensions:
        raise ImproperlyConfigured(f"{ui.filterset.__name__} declares no dimension {name!r}")
    param: str = dimensions[name]
    return param


def group_field(ui: ModelUI, name: str) -> str:
    """The model field path the rows are grouped by: the dimension filter's own field."""
    param = dimension_param(ui, name)
    filterset: Any = ui.filterset  # a django-filter FilterSet class (untyped library)
    flt = filterset.base_filters.get(param)
    if flt is None or flt.method is not None or flt.lookup_expr != "exact":
        raise ImproperlyConfigured(f"{ui.filterset.__name__}.{param}: a dimension needs a plain exact filter")
    model = ui.model
    for part in flt.field_name.split("__"):  # to-one only: each row falls in exactly one group
        try:
            f = model._meta.get_field(part)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(f"{ui.filterset.__name__}.{param}: no field {flt.field_name}") from exc
        if f.is_relation:
            if not (f.many_to_one or f.one_to_one):
                raise ImproperlyConfigured(f"{ui.filterset.__name__}.{param}: {part} is a to-many relation")
            related = f.related_model
            assert isinstance(related, type)  # a resolved relation, never the string "self"
            model = related
    field_name: str = flt.field_name
    return field_name


def list_url(ui: ModelUI, params: Iterable[tuple[str, str]]) -> str:
    """The list page of ``ui`` showing exactly the rows selected by ``params``."""
    query = urlencode(list(params))
    url = reverse(ui.url_name("list"))
    return f"{url}?{query}" if query else url


def _request_for(user: User, data: QueryDict) -> HttpRequest:
    # The FilterSet sees what a list request would give it: the user (scoped choices, "仅本单位") and the query.
    request = HttpRequest()
    request.user = cast(Any, user)  # AUTH_USER_MODEL or anonymous (see core/types.py)
    request.GET = data  # type: ignore[assignment]  # a QueryDict, as Django's own requests hold
    return request


def _filtered(ui: ModelUI, base: Any, params: list[tuple[str, str]], user: User) -> Any:
    """``base`` through ``ui``'s FilterSet with ``params``; refused parameters raise (the list page
    would silently show every row for them, so the counts would no longer match)."""
    data = QueryDict(mutable=True)
    for name, value in params:
        data.appendlist(name, value)
    filterset = ui.filterset(data, queryset=base, request=_request_for(user, data))
    if not filterset.is_valid():
        raise FigureError(filterset.errors.as_text())
    return filterset.qs.order_by()


def param_value(value: Any) -> str:
    """A group key as the filter parameter that selects it (booleans as the forms spell them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _group_names(ui: ModelUI, name: str, keys: list[Any], user: User) -> dict[Any, str]:
    """Display names of the groups found, from the dimension filter's own form field: a value the
    filter does not offer gets no name (and so no drill link)."""
    param = dimension_param(ui, name)
    filterset = ui.filterset(QueryDict(), queryset=ui.model._default_manager.none(),
                             request=_request_for(user, QueryDict()))
    form_field = filterset.form.fields[param]
    if isinstance(form_field, forms.ModelChoiceField):
        choices = form_field.queryset
        assert choices is not None  # django-filter's ModelChoiceFilter always sets one
        return {obj.pk: str(obj) for obj in choices.filter(pk__in=keys)}
    if isinstance(form_field, forms.NullBooleanField | forms.BooleanField):
        return {True: _("是"), False: _("否")}
    # In the filter's choice order (a pie's slices in the order of the form's options).
    by_text = {str(key): key for key in keys}
    return {by_text[str(value)]: str(label) for value, label in form_field.choices
            if value not in ("", None) and str(value) in by_text}


def evaluate(figures: Iterable[Figure], params: Mapping[str, str] | None, user: User, *,
             by: str | None = None) -> dict[str, FigureValue]:
    """Count every figure for ``user`` with the extra filter ``params`` (a page's filters), broken
    down ``by`` one dimension when given. One query per (ModelUI, dimension) family, plus the group
    names. Raises ``FigureError`` when a FilterSet refuses the parameters."""
    common = [(k, param_value(v)) for k, v in (params or {}).items()]
    families: dict[int, list[Figure]] = {}
    for figure in figures:
        if by is not None and by not in figure.dims:
            raise ImproperlyConfigured(f"Figure {figure.key} has no dimension {by!r}")
        families.setdefault(id(figure.ui), []).append(figure)
    results: dict[str, FigureValue] = {}
    with reading_from_replica():  # the counting scans may read a replica, when one is configured (core/db_router.py)
        for family in families.values():
            results.update(_evaluate_family(family, common, user, by))
    return results


def _evaluate_family(family: list[Figure], common: list[tuple[str, str]], user: User,
                     by: str | None) -> dict[str, FigureValue]:
    ui = family[0].ui
    # The list page's rows (ui.rows_for), without its joins: they change no count.
    base = ui.rows_for(user).select_related(None).prefetch_related(None).order_by()
    own = {f.key: [*common, *((k, param_value(v)) for k, v in f.params.items())] for f in family}
    column = group_field(ui, by) if by else None
    if len(family) == 1:  # the filtered queryset itself, counted (or grouped) in one query
        (figure,) = family
        rows = _filtered(ui, base, own[figure.key], user)
        if column is None:
            counts = {figure.key: rows.count()}
        else:
            grouped = {figure.key: dict(rows.values_list(column).annotate(n=Count("pk")))}
    else:  # one query for the family: a conditional count per figure over the shared base
        aggregates = {f"f{i}": Count("pk", filter=Q(pk__in=_filtered(ui, base, own[f.key], user).values("pk")))
                      if own[f.key] else Count("pk") for i, f in enumerate(family)}
        if column is None:
            totals = base.aggregate(**aggregates)
            counts = {f.key: totals[f"f{i}"] for i, f in enumerate(family)}
        else:
            grouped = {f.key: {} for f in family}
            for row in base.values(column).annotate(**aggregates):
                for i, f in enumerate(family):
                    if row[f"f{i}"]:
                        grouped[f.key][row[column]] = row[f"f{i}"]
    if by is None:
        return {f.key: FigureValue(f, counts[f.key], list_url(ui, own[f.key])) for f in family}
    # Rows without a value (NULL, or "" in a blank choice field) count in the total but form no
    # group: no filter value selects them (an empty parameter means "all").
    keys = sorted({k for g in grouped.values() for k in g if k not in (None, "")}, key=str)
    names = _group_names(ui, by, keys, user) if keys else {}
    order = [*names, *(k for k in keys if k not in names)]
    param = dimension_param(ui, by)
    results = {}
    for f in family:
        found = grouped[f.key]
        groups = [Group(k, names.get(k, str(k)), found[k],
                        list_url(ui, [*own[f.key], (param, param_value(k))]) if k in names else None)
                  for k in order if found.get(k)]  # order holds no NULL / "" key
        results[f.key] = FigureValue(f, sum(found.values()), list_url(ui, own[f.key]), groups)
    return results
