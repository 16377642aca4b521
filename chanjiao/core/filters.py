"""Filter base: every FilterSet gets a free-text ``q`` that also matches pinyin initials."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.forms import DateInput, NullBooleanSelect
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field

from chanjiao.core.models import AuditEvent, for_labels
from chanjiao.core.scoping import ScopedQuerySet, unscoped_queryset


class SearchFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """``search_fields`` are matched with icontains; ``initials`` (if the model has it) by prefix-free match."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
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
