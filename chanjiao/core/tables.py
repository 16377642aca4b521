"""Table base: links to the detail page, Chinese empty text, Tabler styling."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditEvent


class BaseTable(tables.Table):
    class Meta:
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-vcenter card-table table-striped"}
        empty_text = _("没有符合条件的记录")


class AuditEventTable(BaseTable):
    changes = tables.Column(verbose_name=_("变更内容"), orderable=False)
    request_id = tables.Column(verbose_name=_("请求ID"))

    def render_changes(self, value: dict) -> str:
        # A create carries the whole row: list the changed fields, full values live on the history page.
        names = list(value)
        shown = "、".join(names[:6])
        return shown + (_(" 等%(n)d项") % {"n": len(names)} if len(names) > 6 else "")

    def render_request_id(self, value: str) -> str:
        return value[:8]

    class Meta(BaseTable.Meta):
        model = AuditEvent
        fields = ("created_at", "category", "action", "outcome", "actor_username", "ip", "object_type",
                  "object_repr", "request_id", "changes", "message")
