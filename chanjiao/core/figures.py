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
query, however many rows or figures it has. Without a dimension, the query holds one scalar subquery
per figure, its filtered queryset counted (``_evaluate_together``); by a dimension, one figure groups
its filtered queryset, several share the scoped base queryset with one conditional ``COUNT(...) FILTER
(WHERE pk IN <the figure's filtered queryset>)`` each. Group names cost at most one more query per family
(foreign-key dimensions read the names of the groups found; choice dimensions read their choices).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ImproperlyConfigured
from django.db import connections
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from chanjiao.core.aggregates import Median, median_sql
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
    # A number field summed over the rows instead of counting them (订单班学生数: SUM(enrolled)); the
    # drill-down list shows the same sum (ModelUI.totals), so it still equals its list.
    total: str | None = None
    # A number field whose median over the rows is the figure (招聘月薪中位数: the median of salary_min),
    # rounded to a whole number; 0 when no row has a value. The list shows the same median (ModelUI.medians).
    # A median is not the sum of its groups: broken down, the whole is the median over every row.
    median: str | None = None

    def __post_init__(self) -> None:
        for name in self.dims:
            group_field(self.ui, name)  # fail at import time, not on the dashboard
        filterset: Any = self.ui.filterset  # a django-filter FilterSet class (untyped library)
        unknown = set(self.params) - set(filterset.base_filters)
        if self.total is not None and self.total not in getattr(self.ui, "totals", ()):
            raise ImproperlyConfigured(f"Figure {self.key}: {self.ui.name} shows no total of {self.total!r} "
                                       "(ModelUI.totals)")
        if self.median is not None and (self.total is not None or self.median not in getattr(self.ui, "medians", ())):
            raise ImproperlyConfigured(f"Figure {self.key}: {self.ui.name} shows no median of {self.median!r} "
                                       "(ModelUI.medians), or the figure also sums a total")
        if unknown:
            raise ImproperlyConfigured(f"Figure {self.key}: {sorted(unknown)} are not filters of "
                                       f"{self.ui.filterset.__name__}")


def figure_url(figure: Figure, extra: Mapping[str, Any] | None = None) -> str:
    """The list ``figure`` counts (its drill-down), narrowed by ``extra`` parameters — for a value
    computed elsewhere from the same definition (a grouped statement over many figures)."""
    params = [*((k, param_value(v)) for k, v in figure.params.items()),
              *((k, param_value(v)) for k, v in (extra or {}).items())]
    return list_url(figure.ui, params)


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


_NARROWED: dict[tuple[Any, frozenset[str]], Any] = {}


def _narrowed(filterset: Any, names: set[str]) -> Any:
    """``filterset`` with only the filters ``names`` gives values to. It selects the same rows for these
    parameters — a filter given no value leaves the rows as they are — without building, and scoping
    the choices of, every other filter of the list (most of a figure's cost in Python otherwise)."""
    wanted = frozenset(names) & frozenset(filterset.base_filters)
    key = (filterset, wanted)
    if key not in _NARROWED:
        narrowed: Any = type(filterset.__name__, (filterset,), {"__module__": filterset.__module__})
        # After the class is made: its metaclass would rebuild every filter from Meta.
        narrowed.base_filters = {n: f for n, f in filterset.base_filters.items() if n in wanted}
        _NARROWED[key] = narrowed
    return _NARROWED[key]


def _filtered(ui: ModelUI, base: Any, params: list[tuple[str, str]], user: User) -> Any:
    """``base`` through ``ui``'s FilterSet with ``params``; refused parameters raise (the list page
    would silently show every row for them, so the counts would no longer match)."""
    data = QueryDict(mutable=True)
    for name, value in params:
        data.appendlist(name, value)
    filterset = _narrowed(ui.filterset, {name for name, _v in params})(data, queryset=base,
                                                                        request=_request_for(user, data))
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
    named = getattr(ui.filterset, "group_names", None)  # a code filter names its codes itself
    if named is not None and (names := named(name, keys)) is not None:
        return dict(names)
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
        if by is None:
            return _evaluate_together([f for family in families.values() for f in family], common, user)
        for family in families.values():
            results.update(_evaluate_family(family, common, user, by))
    return results


def _evaluate_together(figures: list[Figure], common: list[tuple[str, str]], user: User) -> dict[str, FigureValue]:
    """One statement per family (ModelUI): one scalar subquery per figure, each the figure's own filtered
    rows (what its list page shows) counted or summed. Each subquery is planned on its own, so a selective
    filter (a year) drives it, rather than a pass over the whole scoped list with a condition per figure.
    Not one statement for every family: PostgreSQL's parallel workers set up every subplan of the
    statement they serve, so a statement holding all the scoped subqueries starts each worker slowly."""
    own: dict[str, list[tuple[str, str]]] = {}
    # (database alias, ModelUI) → (key, SQL, params)
    parts: dict[tuple[str, int], list[tuple[str, str, tuple[Any, ...]]]] = {}
    values: dict[str, int] = {}
    bases: dict[int, Any] = {}  # per ModelUI: building the scoped rows is the costly part in Python
    for f in figures:
        own[f.key] = [*common, *((k, param_value(v)) for k, v in f.params.items())]
        if id(f.ui) not in bases:
            # The list page's rows (ui.rows_for), without its joins: they change no count.
            bases[id(f.ui)] = f.ui.rows_for(user).select_related(None).prefetch_related(None).order_by()
        rows = _filtered(f.ui, bases[id(f.ui)], own[f.key], user)
        if f.median is not None:
            selected = rows.values("pk", figure_total=F(f.median))
            measure = median_sql(connections[selected.db].vendor, "figure_total")
        elif f.total is None:
            selected, measure = rows.values("pk"), "COUNT(*)"
        else:
            selected, measure = rows.values("pk", figure_total=F(f.total)), "COALESCE(SUM(figure_total), 0)"
        try:
            sql, params = selected.query.get_compiler(using=selected.db).as_sql()
        except EmptyResultSet:  # a scope or filter that selects nothing (``pk IN ()``)
            values[f.key] = 0
            continue
        # Django's own compiled SQL; every value stays a parameter.
        subquery = f"(SELECT {measure} FROM ({sql}) figure_rows)"  # noqa: S608
        parts.setdefault((selected.db, id(f.ui)), []).append((f.key, subquery, params))
    for (alias, _ui), items in parts.items():
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(sql for _k, sql, _p in items), [p for *_x, ps in items for p in ps])
            row = cursor.fetchone()
        values.update({key: whole(value) for (key, _s, _p), value in zip(items, row, strict=True)})
    return {f.key: FigureValue(f, values[f.key], list_url(f.ui, own[f.key])) for f in figures}


def whole(value: Any) -> int:
    """A figure's value as shown: a count or sum as it is, a median rounded (no value: 0)."""
    return round(value) if value is not None else 0


def _measure(figure: Figure, condition: Q | None = None) -> Any:
    """What a figure adds up per row: one (a count), its ``total`` field (a sum, 0 over no rows), or the
    median of its ``median`` field."""
    if figure.median is not None:
        return Median(figure.median, filter=condition)
    if figure.total is None:
        return Count("pk", filter=condition)
    return Coalesce(Sum(figure.total, filter=condition), 0)


def _evaluate_family(family: list[Figure], common: list[tuple[str, str]], user: User,
                     by: str) -> dict[str, FigureValue]:
    """The family's figures grouped ``by`` one dimension: one grouped query (without a dimension,
    ``_evaluate_together`` counts)."""
    ui = family[0].ui
    # The list page's rows (ui.rows_for), without its joins: they change no count.
    base = ui.rows_for(user).select_related(None).prefetch_related(None).order_by()
    own = {f.key: [*common, *((k, param_value(v)) for k, v in f.params.items())] for f in family}
    column = group_field(ui, by)
    if len(family) == 1:  # the filtered queryset itself, grouped in one query
        (figure,) = family
        rows = _filtered(ui, base, own[figure.key], user)
        grouped = {figure.key: {key: whole(n) for key, n in rows.values_list(column).annotate(n=_measure(figure))}}
    else:  # one query for the family: a conditional count (or sum) per figure over the shared base
        aggregates = {f"f{i}": _measure(f, Q(pk__in=_filtered(ui, base, own[f.key], user).values("pk")))
                      if own[f.key] else _measure(f) for i, f in enumerate(family)}
        grouped = {f.key: {} for f in family}
        for row in base.values(column).annotate(**aggregates):
            for i, f in enumerate(family):
                if row[f"f{i}"]:
                    grouped[f.key][row[column]] = whole(row[f"f{i}"])
    # Rows without a value (NULL, or "" in a blank choice field) count in the total but form no
    # group: no filter value selects them (an empty parameter means "all").
    keys = sorted({k for g in grouped.values() for k in g if k not in (None, "")}, key=str)
    names = _group_names(ui, by, keys, user) if keys else {}
    order = [*names, *(k for k in keys if k not in names)]
    param = dimension_param(ui, by)
    # A median's whole is not the sum of its groups' medians: one more statement computes it over every row.
    medians = [f for f in family if f.median is not None]
    overall = _evaluate_together(medians, common, user) if medians else {}
    results = {}
    for f in family:
        found = grouped[f.key]
        groups = [Group(k, names.get(k, str(k)), found[k],
                        list_url(ui, [*own[f.key], (param, param_value(k))]) if k in names else None)
                  for k in order if found.get(k)]  # order holds no NULL / "" key
        value = overall[f.key].value if f.key in overall else sum(found.values())
        results[f.key] = FigureValue(f, value, list_url(ui, own[f.key]), groups)
    return results
