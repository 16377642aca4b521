"""Filter base: every FilterSet gets a free-text ``q`` that also matches pinyin initials."""

from __future__ import annotations

import html
import time
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.forms import DateInput, NullBooleanSelect
from django.forms.models import ModelChoiceIterator
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field

from chanjiao.core.models import AuditEvent, for_labels
from chanjiao.core.scoping import ScopedQuerySet, unscoped_queryset

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _escape(value: Any) -> str:
    # conditional_escape without keep_lazy's per-call wrapper (measurable at ~1,500 options a form).
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its bare name.
    return "".join(f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
                   for name, value in attrs.items() if value is not False)


class FastSelectMixin:
    """Renders a ``<select>`` in Python, to the character what Django's select.html and select_option.html
    give (tests/core/test_pagination_counts.py compares them): a filter form's industry select has ~1,400
    options, and one template include per option was most of a list page's time (issue #8 point 3)."""

    option_template_name: str

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        if template_name != SELECT_TEMPLATE or self.option_template_name != OPTION_TEMPLATE:
            return super()._render(template_name, context, renderer)  # type: ignore[misc, no-any-return]
        widget = context["widget"]
        parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escape(localize(group_name))}">')
            # {{ value|stringformat:'s' }} and {{ label }} (localized), both autoescaped.
            parts.extend(f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_escape(localize(option["label"]))}</option>\n' for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")  # the form renderer strips the template's last newline
        return mark_safe("".join(parts))  # noqa: S308  # every name, value and label escaped above


# Choices of catalog filters (industries, regions "some enterprise uses"): the query is the same for every
# user and reads a whole organisation table (a semi-join over 200,000 rows, 20–100 ms a list page), so
# its rows are kept per process for FILTER_CHOICES_CACHE_SECONDS (production: 60; elsewhere 0, off).
# Only public code tables (``public_read``, the same rows for every signed-in user): a user's own rows
# (committees, schools) are never cached, so what someone just created is always offered.
_CHOICES: dict[tuple[Any, ...], tuple[float, list[Any]]] = {}
_CHOICES_MAX = 256


def choices_seconds() -> int:
    return int(getattr(settings, "FILTER_CHOICES_CACHE_SECONDS", 60 if settings.PRODUCTION else 0))


def cached_rows(queryset: QuerySet[Any], seconds: int) -> list[Any]:
    """The rows of ``queryset``, read at most once per ``seconds`` for the same SQL and parameters."""
    sql, params = queryset.query.sql_with_params()
    key = (queryset.db, queryset.model._meta.label, sql, tuple(map(str, params)))
    now = time.monotonic()
    hit = _CHOICES.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = list(queryset)
    if len(_CHOICES) >= _CHOICES_MAX:
        _CHOICES.clear()
    _CHOICES[key] = (now + seconds, rows)
    return rows


class _CachedRows:
    """The rows of a choice queryset through :func:`cached_rows`, read when first iterated (a filter set
    built only to filter, as the dashboard's figures do, never reads them), answering what a
    ModelChoiceIterator asks of its queryset."""

    _prefetch_related_lookups = ()

    def __init__(self, queryset: QuerySet[Any], seconds: int) -> None:
        self._queryset, self._seconds = queryset, seconds
        self._rows: list[Any] | None = None

    def _all(self) -> list[Any]:
        if self._rows is None:
            self._rows = cached_rows(self._queryset, self._seconds)
        return self._rows

    def __iter__(self) -> Any:
        return iter(self._all())

    def iterator(self) -> Any:
        return iter(self._all())

    def count(self) -> int:
        return len(self._all())

    def exists(self) -> bool:
        return bool(self._all())


_CACHED_ITERATORS: dict[type, type] = {}


def _cached_iterator(cls: type[ModelChoiceIterator[Any]]) -> type[ModelChoiceIterator[Any]]:
    """``cls`` (Django's or django-filter's iterator, which adds the （空） choice) over the cached rows
    of ``field.queryset``; validation still looks the submitted value up in the field's queryset."""
    if cls not in _CACHED_ITERATORS:
        def __init__(self: Any, field: Any) -> None:
            cls.__init__(self, field)
            self.queryset = _CachedRows(field.queryset, field.choices_seconds)

        _CACHED_ITERATORS[cls] = type(f"Cached{cls.__name__}", (cls,), {"__init__": __init__})
    return _CACHED_ITERATORS[cls]


def cache_catalog_choices(form: forms.Form) -> None:
    """Serve the choices of every model-choice field on a public code table from :func:`cached_rows`."""
    seconds = choices_seconds()
    if seconds <= 0:
        return
    for field in form.fields.values():
        if (not isinstance(field, forms.ModelChoiceField) or field.queryset is None
                or not getattr(field.queryset.model, "public_read", False)
                or field.iterator in _CACHED_ITERATORS.values()):
            continue
        field.choices_seconds = seconds  # type: ignore[attr-defined]  # read by the cached iterator
        field.iterator = _cached_iterator(field.iterator)
        field.widget.choices = field.choices


_FAST_CLASSES: dict[type, type] = {}


def fast_selects(form: forms.Form) -> None:
    """Give every single-choice ``<select>`` of ``form`` the Python renderer (same class otherwise: a
    subclass made once per widget class, so NullBooleanSelect keeps its values)."""
    for field in form.fields.values():
        widget = field.widget
        cls = type(widget)
        if (not isinstance(widget, forms.Select) or widget.allow_multiple_selected
                or isinstance(widget, FastSelectMixin)):
            continue
        if cls not in _FAST_CLASSES:
            _FAST_CLASSES[cls] = type(cls.__name__, (FastSelectMixin, cls), {"__module__": cls.__module__})
        widget.__class__ = _FAST_CLASSES[cls]


class SearchFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """``search_fields`` are matched with icontains; ``initials`` (if the model has it) by prefix-free match."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        # A value with no upper/lower case (Chinese, digits) matches the same with a case-sensitive LIKE:
        # PostgreSQL then compares the column itself, not UPPER() of every row (3× cheaper as a scan),
        # and the trigram indexes on the columns (orgs 0006) answer 3 characters or more.
        lookup = "contains" if value.upper() == value.lower() else "icontains"
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__{lookup}": value})
        if value.isascii() and value.isalpha() and hasattr(queryset.model, "initials"):
            condition |= Q(initials__contains=value.lower())
        return queryset.filter(condition)

    # Filters whose choices deliberately ignore the user's scope: filter name → why (see scope_choices).
    unscoped_choices: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_choices()
        for field in self.form.fields.values():
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("全部")
            if isinstance(field.widget, NullBooleanSelect):
                # "未知" reads as a value; for a filter the empty choice means "all".
                field.widget.choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]
            css = "form-select" if field.widget.__class__.__name__.endswith("Select") else "form-control"
            field.widget.attrs.setdefault("class", css)
        cache_catalog_choices(self.form)
        fast_selects(self.form)

    def scope_choices(self) -> None:
        """Choices of every model-choice filter on a scoped model are what the user may see
        (issue #7 gap 3): the filter's own queryset (e.g. "regions some school uses") narrowed by
        ``visible_to(request.user)``; without a request, nothing. A filter listed in
        ``unscoped_choices`` keeps its queryset, with the reason on record."""
        user = getattr(self.request, "user", None)
        for name, flt in self.filters.items():
            if not isinstance(flt, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                continue
            model = self._choice_model(flt)
            if model is None or not isinstance(model._default_manager.all(), ScopedQuerySet):
                continue
            if self.request is None:
                flt.queryset = model._default_manager.none()
                continue
            queryset = flt.get_queryset(self.request)
            reason = self.unscoped_choices.get(name)
            flt.queryset = for_labels(unscoped_queryset(queryset, reason) if reason else queryset.visible_to(user))

    def _choice_model(self, flt: Any) -> Any:
        queryset = flt.queryset
        if queryset is not None and not callable(queryset):
            return queryset.model
        field = get_model_field(self._meta.model, flt.field_name) if self._meta.model else None
        return getattr(field, "related_model", None)


class AuditEventFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """The audit search: every filter a choice or a date, labelled in Chinese (issue #6 point 11)."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    category = django_filters.ChoiceFilter(choices=AuditEvent.Category.choices, label=_("类别"))
    action = django_filters.ChoiceFilter(choices=(), label=_("动作"))
    outcome = django_filters.ChoiceFilter(choices=(), label=_("结果"))
    source = django_filters.ChoiceFilter(choices=(), method="filter_source", label=_("来源"))
    object_type = django_filters.ChoiceFilter(choices=(), label=_("对象类型"))
    actor = django_filters.ChoiceFilter(field_name="actor_id", choices=(), label=_("操作人"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("起始日期"),
                                              widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("截止日期"),
                                               widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    request_id = django_filters.CharFilter(label=_("请求ID"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from chanjiao.core import history

        super().__init__(*args, **kwargs)
        # Choices are read per request (new users, new models), never at import time.
        fields = self.form.fields
        fields["action"].choices = [("", _("全部")), *((k, str(v)) for k, v in history.ACTION_LABELS.items())]
        fields["outcome"].choices = [("", _("全部")), *((k, str(v)) for k, v in history.OUTCOME_LABELS.items())]
        fields["source"].choices = [("", _("全部")), *((k, str(v)) for k, v in history.SOURCE_LABELS.items())]
        fields["object_type"].choices = [("", _("全部")), *history.object_type_choices()]
        fields["actor"].choices = [("", _("全部")), *history.actor_choices()]
        for field in fields.values():
            css = "form-select" if field.widget.__class__.__name__.endswith("Select") else "form-control"
            field.widget.attrs.setdefault("class", css)
        fast_selects(self.form)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(object_repr__icontains=value) | Q(message__icontains=value)
                               | Q(actor_username__icontains=value))

    def filter_source(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Sources are stored as "web", "api", "command:<name>", "task:<name>" (imports: "task:import").
        if value == "import":
            return queryset.filter(source="task:import")
        if value == "task":
            return queryset.filter(source__startswith="task:").exclude(source="task:import")
        if value == "command":
            return queryset.filter(source__startswith="command:")
        if value == "system":
            return queryset.filter(Q(source="system") | Q(source=""))
        return queryset.filter(source=value)
