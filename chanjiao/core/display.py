"""How a field value reads on a detail page: choices by label, booleans as 是/否, links to related rows."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

# Bookkeeping closes the card, after what a user entered and what a workflow set.
_TRAILING = ("created_at", "updated_at")


def detail_field_names(model: type[models.Model], names: list[str] | None, form: Any = None) -> list[str]:
    """The fields a detail page lists: ``names`` when declared (``ModelUI.detail_fields``); otherwise the
    form's fields, the workflow status and the fields no one edits (the timestamps, last) — what the
    user entered and what the system keeps about it; a model without a form lists every concrete field."""
    if names:
        return list(names)
    hidden = {*getattr(model, "audit_exclude", ()), "initials"}  # secrets; the search key derived from the name
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in hidden]
    if form is None:
        chosen = [f.name for f in concrete]
    else:
        workflow = getattr(model, "workflow", None)
        chosen = [*form._meta.fields, *([workflow.field] if workflow is not None else []),
                  *(f.name for f in concrete if not f.editable)]
    return sorted(dict.fromkeys(chosen), key=lambda name: name in _TRAILING)  # stable: form order kept


def field_rows(obj: models.Model, names: list[str] | None, form: Any = None) -> list[tuple[str, Any]]:
    """(label, value) pairs for the detail page (fields chosen by :func:`detail_field_names`)."""
    rows = []
    for name in detail_field_names(type(obj), names, form):
        f = obj._meta.get_field(name)
        assert isinstance(f, models.Field), f"{name}: not a field of {type(obj).__name__}"  # a reverse relation
        rows.append((str(f.verbose_name), display(obj, f)))
    return rows


def display(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    if f.many_to_many:
        from chanjiao.core.scoping import unscoped

        # The values of the shown object's own field, read like a foreign key's target (not a list of children).
        with unscoped("a visible object's many-to-many values"):
            return "、".join(str(related) for related in getattr(obj, f.name).all()) or "—"
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


def related_list_url(tab: Any, parent: models.Model) -> str:
    """A tab's "查看全部": its model's list page filtered to ``parent`` (``/orgs/teacher/?school=7``), or "".

    Derived from the tab's ``via``: a single field path that the list's FilterSet offers as a
    filter of the same name. Several paths, a computed condition or no such filter → no link (the
    list could not show exactly the tab's rows)."""
    from django.urls import NoReverseMatch, reverse

    via = getattr(tab, "via", None)
    if not isinstance(via, str):
        return ""
    flt = getattr(tab.ui.filterset, "base_filters", {}).get(via)
    if flt is None or getattr(flt, "field_name", via) != via or getattr(flt, "method", None):
        return ""
    try:
        return f"{reverse(tab.ui.url_name('list'))}?{via}={parent.pk}"
    except NoReverseMatch:  # a table-only ModelUI without pages
        return ""
