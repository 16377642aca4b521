"""How a field value reads on a detail page: choices by label, booleans as 是/否, links to related rows."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _


def field_rows(obj: models.Model, names: list[str] | None) -> list[tuple[str, Any]]:
    """(label, value) pairs for the detail page."""
    fields = [obj._meta.get_field(n) for n in names] if names else [
        f for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in getattr(obj, "audit_exclude", ()) and f.name != "initials"
    ]
    return [(str(f.verbose_name), display(obj, f)) for f in fields]


def display(obj: models.Model, f: models.Field) -> Any:
    if f.choices:
        value = getattr(obj, f.attname)
        return getattr(obj, f"get_{f.name}_display")() if value not in (None, "") else "—"
    value = getattr(obj, f.name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, models.Model):
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else ""
        return format_html('<a href="{}">{}</a>', url, value) if url else str(value)
    if f.name in getattr(obj, "audit_masked", ()):
        from chanjiao.core.audit import mask

        return mask(str(value))
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "Y-m-d")
    return value


# Rows a related table shows inside a detail-page card before "查看全部" leads to the list page.
RELATED_ROWS = 50


def related_list_url(related_ui: Any, parent: models.Model) -> str:
    """The related model's list page filtered to ``parent`` (``/orgs/teacher/?school=7``), or "".

    The filter is the related model's one foreign key to the parent's model that its FilterSet
    offers; without such a filter there is no list to link to (e.g. a computed timeline)."""
    from django.urls import NoReverseMatch, reverse

    concrete = parent._meta.concrete_model
    filters = getattr(related_ui.filterset, "base_filters", {})
    names = [f.name for f in related_ui.model._meta.concrete_fields
             if f.many_to_one and f.related_model is not None
             and f.related_model._meta.concrete_model is concrete and f.name in filters]
    if len(names) != 1 or related_ui.model._meta.concrete_model is concrete:
        return ""
    try:
        return f"{reverse(related_ui.url_name('list'))}?{names[0]}={parent.pk}"
    except NoReverseMatch:  # a table-only ModelUI without pages
        return ""
