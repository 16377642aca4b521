"""ID-14: the first administrators are created by command, with a random password to be changed."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chanjiao.accounts.models import Membership, User
from chanjiao.core.audit import audit_context
from chanjiao.core.roles import ADMIN_ROLES, Role


def random_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        # Retry until all four character classes are present (ID-02).
        if (any(c.islower() for c in candidate) and any(c.isupper() for c in candidate)
                and any(c.isdigit() for c in candidate) and any(not c.isalnum() for c in candidate)):
            return candidate


class Command(BaseCommand):
    help = "创建系统/安全/审计管理员账户（随机初始密码，首次登录须修改）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", default=Role.SYSTEM_ADMIN, choices=sorted(str(r) for r in ADMIN_ROLES))

    def handle(self, *args: Any, username: str, role: str, **options: Any) -> None:
        if User.objects.with_username(username).exists():  # ID-01: regardless of case
            raise CommandError(f"用户名 {username} 已存在。")
        password = random_password()
        with audit_context(source="command:create_admin"), transaction.atomic():
            user = User.objects.create_user(username=username, password=password, must_change_password=True)
            Membership.objects.create(user=user, role=role)
        self.stdout.write(f"已创建 {username}（{Role(role).label}）。初始密码：{password}")
        self.stdout.write("请妥善保管，首次登录后必须修改密码。")
