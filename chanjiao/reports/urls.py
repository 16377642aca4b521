from django.urls import path

from chanjiao.reports import statistics_views, views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("reports/statistics/", statistics_views.StatisticsView.as_view(), name="statistics"),
]
