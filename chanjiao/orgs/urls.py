from django.urls import path

from chanjiao.core.registry import registry
from chanjiao.orgs import ui, views  # noqa: F401 (ui registers the pages)

app_name = "orgs"

urlpatterns = [
    *[pattern for model_ui in registry if model_ui.app_label == "orgs" for pattern in model_ui.urls()],
    path("enterprise/<int:pk>/merge/", views.EnterpriseMergeView.as_view(), name="enterprise_merge"),
]
