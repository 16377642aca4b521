from django.contrib.auth import views as auth_views
from django.urls import path

from chanjiao.accounts import ui, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("api-token/issue/", views.ApiTokenIssueView.as_view(), name="apitoken_issue"),
    path("api-token/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="apitoken_revoke"),
    *ui.users.urls(),
    *ui.memberships.urls(),
    *ui.tokens.urls(),
]
