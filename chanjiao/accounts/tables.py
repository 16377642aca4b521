from __future__ import annotations

import django_tables2 as tables

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.tables import BaseTable


class UserTable(BaseTable):
    username = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "full_name", "email", "is_active", "last_login", "must_change_password")


class MembershipTable(BaseTable):
    user = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ("user", "role", "organisation", "jurisdiction", "active", "created_at")


class ApiTokenTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ApiToken
        fields = ("name", "prefix", "expires_at", "revoked_at", "last_used_at", "created_at")
