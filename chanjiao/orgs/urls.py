from chanjiao.core.registry import registry
from chanjiao.orgs import ui  # noqa: F401 (registers the pages)

app_name = "orgs"

urlpatterns = [pattern for model_ui in registry if model_ui.app_label == "orgs" for pattern in model_ui.urls()]
