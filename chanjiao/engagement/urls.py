from chanjiao.core.registry import registry
from chanjiao.engagement import ui  # noqa: F401 (ui registers the pages)

app_name = "engagement"

urlpatterns = [pattern for model_ui in registry if model_ui.app_label == "engagement" for pattern in model_ui.urls()]
