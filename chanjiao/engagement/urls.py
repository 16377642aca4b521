from django.urls import path

from chanjiao.core.registry import registry
from chanjiao.engagement import practice, ui, views  # noqa: F401 (ui registers the pages)

app_name = "engagement"

urlpatterns = [pattern for model_ui in registry if model_ui.app_label == "engagement" for pattern in model_ui.urls()]
urlpatterns.append(practice.tracker_url)  # 教师企业实践跟踪 (TP-01/TP-02)
urlpatterns.append(path("calendar/", views.CalendarView.as_view(), name="calendar"))  # 活动日历 (month view)
