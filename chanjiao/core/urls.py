from django.urls import include, path

from chanjiao.core import site_views
from chanjiao.core import ui as rules_ui

app_name = "core"

urlpatterns = [
    path("health/", site_views.health, name="health"),
    path("audit/", site_views.AuditSearchView.as_view(), name="audit_search"),
    path("rules/", rules_ui.RulesView.as_view(), name="rules"),
    path("rules/", include([*rules_ui.parameters.urls(), *rules_ui.violations.urls()])),
]
