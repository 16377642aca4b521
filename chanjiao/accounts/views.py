"""Login, logout, lockout page, password change, API token issue and revoke."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View

from chanjiao.accounts.forms import ApiTokenForm, LoginForm
from chanjiao.accounts.models import ApiToken
from chanjiao.core import audit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


@login_not_required
def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    from django.conf import settings

    return render(request, "accounts/locked.html", {"minutes": settings.LOCKOUT_MINUTES}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("reports:dashboard")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        user.must_change_password = False
        user.save(update_fields=["must_change_password", "password_changed_at", "password"])
        audit.record_security("password_change", obj=user)
        messages.success(self.request, _("密码已修改。"))
        return response

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form


class ApiTokenIssueView(View):
    """A user issues a token for themselves; the key is shown exactly once."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/token_issue.html", {"form": ApiTokenForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, "accounts/token_issue.html", {"form": form}, status=400)
        token, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
        return render(request, "accounts/token_issue.html", {"token": token, "raw": raw})


class ApiTokenRevokeView(View):
    """A user revokes their own token (GET asks for confirmation)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(ApiToken.objects.editable_by(request.user).active(), pk=pk)
        return render(request, "accounts/token_revoke.html", {"token": token})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        with transaction.atomic():
            token = get_object_or_404(ApiToken.objects.editable_by(request.user), pk=pk)
            token.revoke()
        messages.success(request, _("令牌已吊销。"))
        return HttpResponseRedirect(reverse("accounts:apitoken_list"))
