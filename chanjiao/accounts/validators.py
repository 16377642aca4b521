"""Password rules of ID-02 that Django does not ship: character classes, maximum length, username."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^A-Za-z0-9]"))


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if sum(bool(p.search(password)) for p in _CLASSES) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊符号中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("至少包含大写字母、小写字母、数字、特殊符号中的%(n)d类。") % {"n": self.min_classes}


class MaximumLengthValidator:
    def __init__(self, max_length: int = 64) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(_("密码不能超过%(n)d个字符。") % {"n": self.max_length}, code="password_too_long")

    def get_help_text(self) -> str:
        return _("不超过%(n)d个字符。") % {"n": self.max_length}


class UsernameInPasswordValidator:
    """Rejects passwords that contain the username (``zhang123`` for user ``zhang``)."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("不能包含用户名。")
