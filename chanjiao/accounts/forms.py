from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.forms import ScopedModelForm
from chanjiao.core.scoping import unscoped


class LoginForm(AuthenticationForm):
    error_messages = {
        # Same message whether or not the user exists (ID-06).
        "invalid_login": _("用户名或密码不正确。连续失败多次后账户将被暂时锁定。"),
        "inactive": _("该账户已停用，请联系系统管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "placeholder": _("请输入用户名")})
        self.fields["password"].widget.attrs.update({"class": "form-control", "placeholder": _("请输入密码")})


class UserForm(ScopedModelForm):
    new_password = forms.CharField(label=_("设置新密码"), required=False, widget=forms.PasswordInput,
                                   help_text=_("新建用户必填；留空则不修改。用户首次登录后须自行修改。"))

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "is_active"]

    def clean_username(self) -> str:
        username = (self.cleaned_data.get("username") or "").strip()
        # ID-01: a field error here, before the database's case-insensitive constraint would refuse it.
        with unscoped("user names are unique over every account, seen or not"):
            taken = User.objects.with_username(username).exclude(pk=self.instance.pk).exists()
        if taken:
            raise forms.ValidationError(_("用户名“%(name)s”已被使用（用户名不区分大小写）。"),
                                        params={"name": username}, code="unique")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("new_password")
        if not self.instance.pk and not password:
            self.add_error("new_password", _("新建用户必须设置初始密码。"))
        elif password:
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""),
                             phone=data.get("phone", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            user.set_password(self.cleaned_data["new_password"])
            user.must_change_password = True
        if commit:
            user.save()
        return user


class MembershipForm(ScopedModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "organisation", "jurisdiction", "active"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # The security admin reads no organisation's pages but must pick one by name to grant a role.
        self.fields["organisation"].queryset = Membership.organisation_choices(user)


class ApiTokenForm(ScopedModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
