from django.urls import path

from chanjiao.core.registry import registry
from chanjiao.layout import ui, views  # noqa: F401 (ui registers the pages)

app_name = "layout"

urlpatterns = [pattern for model_ui in registry if model_ui.app_label == "layout" for pattern in model_ui.urls()]
urlpatterns.append(path("timeline/", views.HistoryView.as_view(), name="history"))  # 专业布局历史
urlpatterns.append(path("fit/", views.FitView.as_view(), name="fit"))  # 专业预警 (红黄绿牌)
urlpatterns.append(path("rule-packs/", views.RulePackView.as_view(), name="rule_packs"))  # 预警规则包
urlpatterns.append(path("supply-demand/", views.SupplyDemandView.as_view(), name="supply_demand"))  # 专业与产业匹配
urlpatterns.append(path("lists/", views.ListsView.as_view(), name="lists"))  # 三张清单与匹配报告
urlpatterns.append(path("scenario/<int:pk>/to-round/", views.ScenarioToRoundView.as_view(), name="scenario_to_round"))
