from django.urls import include, path

from chanjiao.core import job_views, site_views
from chanjiao.core import ui as rules_ui

app_name = "core"

urlpatterns = [
    path("health/", site_views.health, name="health"),
    path("audit/", site_views.AuditSearchView.as_view(), name="audit_search"),
    path("rules/", rules_ui.RulesView.as_view(), name="rules"),
    path("jobs/", job_views.JobListView.as_view(), name="job_list"),
    path("jobs/<int:pk>/", job_views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/download/", job_views.JobDownloadView.as_view(), name="job_download"),
    path("jobs/<int:pk>/transitions/<slug:name>/", job_views.JobTransitionView.as_view(), name="job_transition"),
    path("rules/", include([*rules_ui.parameters.urls(), *rules_ui.violations.urls()])),
]
