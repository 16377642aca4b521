"""Harness tests for users, role memberships and API tokens (三权分立 decides who writes them)."""

from __future__ import annotations

from typing import Any

from chanjiao.accounts import ui
from chanjiao.accounts.models import Membership
from chanjiao.core.roles import Role
from tests import factories
from tests.harness import ModelHarness


class TestUserViews(ModelHarness):
    ui = ui.users
    persona = "system_admin"  # only the system admin manages accounts
    creator = "system_admin"
    has_out_of_scope = False  # the system admin sees every account
    read_only_persona_reads = False  # the leader reads business data, never accounts
    persona_reads_history = False  # an account's history (logins …) is the audit admin's alone
    natural_key = "username"
    edit_changes = {"full_name": "王小明", "email": "wxm@example.cn"}

    def in_scope(self, world: Any) -> Any:
        return factories.UserFactory(full_name="待管理用户")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"username": "zhangsan", "full_name": "张三", "email": "zs@example.cn", "is_active": True,
                "new_password": "Kp4#vW9!qz2R"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # ID-02: a weak password is refused with a Chinese message.
        return {"username": "lisi", "full_name": "李四", "new_password": "abc12345"}


class TestMembershipViews(ModelHarness):
    ui = ui.memberships
    persona = "security_admin"  # only the security admin grants roles …
    creator = "security_admin"
    out_of_scope_visible = True  # … and never their own (AC-07): visible, not editable
    read_only_persona_reads = False  # the leader reads business data, never role grants
    persona_reads_history = False  # role grants' history is the audit admin's alone
    edit_changes = {"active": False}

    def in_scope(self, world: Any) -> Any:
        return Membership.objects.create(user=factories.UserFactory(), role=Role.LEADER)

    def out_of_scope(self, world: Any) -> Any:
        return Membership.objects.get(user=world.security_admin)

    def find(self, data: dict[str, Any]) -> Any:
        return Membership.objects.filter(user_id=data["user"], role=data["role"])

    def marker(self, obj: Any) -> str:
        return str(obj.user)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"user": world.no_role.pk, "role": Role.SCHOOL_ADMIN, "organisation": world.school_b.pk,
                "active": True}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # A school admin must name their school.
        return {"user": world.no_role.pk, "role": Role.SCHOOL_ADMIN, "organisation": "", "active": True}


class TestApiTokenViews(ModelHarness):
    ui = ui.tokens
    persona = "school_admin_a"  # a token is seen by its owner only
    persona_reads_history = False  # a token's history is the audit admin's alone

    def in_scope(self, world: Any) -> Any:
        return factories.issue_token(world.school_admin_a, "甲校数据同步")[0]

    def out_of_scope(self, world: Any) -> Any:
        return factories.issue_token(world.school_admin_b, "乙校数据同步")[0]

    def marker(self, obj: Any) -> str:
        return obj.name
