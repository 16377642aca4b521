"""Table base: links to the detail page, Chinese empty text, Tabler styling."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from chanjiao.core import history
from chanjiao.core.models import AuditEvent
from chanjiao.core.pagination import configure_table


class BaseTable(tables.Table):  # type: ignore[misc]  # django-tables2 ships no types
    """``request=`` sorts and pages the table from the address through ``pagination.configure_table`` —
    never django-tables2's own ``RequestConfig``, which took ``per_page=-1`` (500) or ``100000`` as given;
    ``per_page=`` is the default page size when the address names none of the offered sizes."""

    def __init__(self, data: Any = None, *args: Any, request: Any = None, per_page: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        if request is not None:
            configure_table(request, self, default=per_page)

    class Meta:
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-vcenter card-table table-striped"}
        empty_text = _("没有符合条件的记录")


class AuditEventTable(BaseTable):
    """The audit search's rows, in Chinese: actions, sources, object types, local time, field names."""

    changes = tables.Column(verbose_name=_("变更内容"), orderable=False)
    request_id = tables.Column(verbose_name=_("请求ID"))

    def render_created_at(self, value: Any) -> str:
        return history.local_time(value, "Y-m-d H:i:s")

    def render_action(self, value: str) -> str:
        return history.action_label(value)

    def render_outcome(self, value: str) -> str:
        return str(history.OUTCOME_LABELS.get(value, value))

    def render_source(self, value: str) -> str:
        return history.source_label(value)

    def render_object_type(self, value: str) -> str:
        return history.object_type_label(value)

    def render_changes(self, value: dict[str, Any], record: Any) -> str:
        # A create carries the whole row: name the fields here, the values live on the history page.
        names = [c.label if record.category == "data" else f"{c.label}：{c.after}"
                 for c in history.changes_of(record, {})]
        shown = "、".join(names[:6])
        return shown + (_(" 等%(n)d项") % {"n": len(names)} if len(names) > 6 else "")

    def render_request_id(self, value: str) -> str:
        return value[:8]

    class Meta(BaseTable.Meta):
        model = AuditEvent
        fields = ("created_at", "category", "action", "outcome", "actor_username", "ip", "source", "object_type",
                  "object_repr", "request_id", "changes", "message")
