"""The dashboard page (the start page after sign-in). It lives here, not in core, because core sits
below reports and never imports it (tests/test_layering.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from chanjiao.reports.dashboard import dashboard_for


class DashboardView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "core/dashboard.html", {"dashboard": dashboard_for(request.user)})
