from django.urls import path

from chanjiao.core import site_views

app_name = "core"

urlpatterns = [
    path("", site_views.DashboardView.as_view(), name="dashboard"),
    path("health/", site_views.health, name="health"),
    path("audit/", site_views.AuditSearchView.as_view(), name="audit_search"),
]
