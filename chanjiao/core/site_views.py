"""Site pages that are not per-model: health check, audit search (the dashboard is reports.views)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from chanjiao.core.filters import AuditEventFilterSet
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope
from chanjiao.core.tables import AuditEventTable


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class AuditSearchView(View):
    """AC-07: the audit admin reads the audit log; nobody else (not even the system admin) may."""

    EXPORT_MAX = 100_000

    def get(self, request: HttpRequest) -> HttpResponse:
        if not get_scope(request.user).has(Role.AUDIT_ADMIN):
            raise PermissionDenied(_("只有审计管理员可以查看审计日志。"))
        from chanjiao.core.models import AuditEvent

        params = request.GET.copy()
        params.pop("export", None)
        events = AuditEvent.objects.visible_to(request.user)  # all of them: the audit admin's rule
        filterset = AuditEventFilterSet(params or None, queryset=events)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else events
        if request.GET.get("export") == "xlsx":
            return self.export(rows, params.urlencode())
        table = AuditEventTable(rows, request=request, per_page=50)  # page/per_page/sort clamped (BaseTable)
        context: dict[str, Any] = {"table": table, "filter": filterset, "query": params.urlencode()}
        return render(request, "core/audit_search.html", context)

    def export(self, rows: Any, query: str) -> HttpResponse:
        """What the audit admin filtered, as .xlsx, readable; the export is itself a security event."""
        from django.utils import timezone

        from chanjiao.core import audit, history
        from chanjiao.core.exports import xlsx_bytes

        events = history.readable(rows[: self.EXPORT_MAX], "Y-m-d H:i:s")
        header = [_("时间"), _("类别"), _("动作"), _("结果"), _("操作人"), _("操作人ID"), _("角色"), _("来源IP"),
                  _("来源"), _("对象类型"), _("对象ID"), _("对象"), _("变更内容"), _("说明"), _("请求ID")]
        data: list[list[Any]] = [[str(h) for h in header]]
        for row in events:
            e = row.event
            data_change = e.category == "data"
            changes = "；".join(f"{c.label}：{c.before} → {c.after}" if data_change else f"{c.label}：{c.after}"
                               for c in row.changes)
            data.append([row.time, row.category, row.action, row.outcome, e.actor_username, e.actor_id,
                         e.actor_roles, e.ip, row.source, row.object_type, e.object_id, e.object_repr, changes,
                         e.message, e.request_id])
        audit.record_security("export", message=str(_("审计日志")),
                              details={"model": "core.auditevent", "rows": len(events), "query": query[:500]})
        response = HttpResponse(xlsx_bytes(data, str(_("审计日志"))),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''audit-{stamp}.xlsx"
        return response
