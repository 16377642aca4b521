"""Filter base: every FilterSet gets a free-text ``q`` that also matches pinyin initials."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.forms import NullBooleanSelect
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditEvent


class SearchFilterSet(django_filters.FilterSet):
    """``search_fields`` are matched with icontains; ``initials`` (if the model has it) by prefix-free match."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        if value.isascii() and value.isalpha() and hasattr(queryset.model, "initials"):
            condition |= Q(initials__contains=value.lower())
        return queryset.filter(condition)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("全部")
            if isinstance(field.widget, NullBooleanSelect):
                # "未知" reads as a value; for a filter the empty choice means "all".
                field.widget.choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]
            css = "form-select" if field.widget.__class__.__name__.endswith("Select") else "form-control"
            field.widget.attrs.setdefault("class", css)


class AuditEventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("起始日期"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditEvent
        fields = ["category", "action", "actor_username", "object_type", "request_id", "outcome"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(object_repr__icontains=value) | Q(message__icontains=value)
                               | Q(actor_username__icontains=value))
