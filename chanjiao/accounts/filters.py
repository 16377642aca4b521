from __future__ import annotations

import django_filters

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.filters import SearchFilterSet


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "full_name", "email")

    class Meta:
        model = User
        fields = ["is_active"]


class MembershipFilterSet(SearchFilterSet):
    search_fields = ("user__username", "user__full_name", "organisation__name")

    class Meta:
        model = Membership
        fields = ["role", "active"]


class ApiTokenFilterSet(django_filters.FilterSet):
    class Meta:
        model = ApiToken
        fields = ["name"]
