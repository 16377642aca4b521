"""Site pages that are not per-model: dashboard, health check, audit search."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from chanjiao.core.filters import AuditEventFilterSet
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope
from chanjiao.core.tables import AuditEventTable


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class DashboardView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from chanjiao.reports.dashboard import dashboard_for

        return render(request, "core/dashboard.html", {"dashboard": dashboard_for(request.user)})


class AuditSearchView(View):
    """AC-07: the audit admin reads the audit log; nobody else (not even the system admin) may."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not get_scope(request.user).has(Role.AUDIT_ADMIN):
            raise PermissionDenied(_("只有审计管理员可以查看审计日志。"))
        from chanjiao.core.models import AuditEvent

        filterset = AuditEventFilterSet(request.GET or None, queryset=AuditEvent.objects.all())
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else AuditEvent.objects.all()
        table = AuditEventTable(rows, request=request)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        context: dict[str, Any] = {"table": table, "filter": filterset}
        return render(request, "core/audit_search.html", context)
