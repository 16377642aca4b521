from django.urls import include, path
from django.views.i18n import set_language

from chanjiao.api.api import api

urlpatterns = [
    path("", include("chanjiao.core.urls")),
    path("", include("chanjiao.reports.urls")),  # the dashboard (start page)
    path("accounts/", include("chanjiao.accounts.urls")),
    path("catalog/", include("chanjiao.catalog.urls")),
    path("orgs/", include("chanjiao.orgs.urls")),
    path("engagement/", include("chanjiao.engagement.urls")),
    path("layout/", include("chanjiao.layout.urls")),
    path("matching/", include("chanjiao.matching.urls")),  # partner recommendations (reads every app)
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]
