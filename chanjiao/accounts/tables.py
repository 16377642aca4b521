from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.roles import GLOBAL_READERS
from chanjiao.core.tables import BaseTable


class UserTable(BaseTable):
    username = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "full_name", "email", "is_active", "last_login", "must_change_password")


class MembershipTable(BaseTable):
    user = tables.Column(linkify=lambda record: record.get_absolute_url())
    # Rendered for empty values too: a bureau-level grant without one reaches the whole platform.
    jurisdiction = tables.Column(empty_values=())

    def render_jurisdiction(self, value: Any, record: Membership) -> str:
        if value is not None:
            return str(value)
        return str(_("全平台")) if record.role in GLOBAL_READERS else "—"

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ("user", "role", "organisation", "jurisdiction", "active", "created_at")


class ApiTokenTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ApiToken
        fields = ("name", "prefix", "expires_at", "revoked_at", "last_used_at", "created_at")
