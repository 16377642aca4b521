from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.filters import SearchFilterSet


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "full_name", "email")

    class Meta:
        model = User
        fields = ["is_active"]


class MembershipFilterSet(SearchFilterSet):
    search_fields = ("user__username", "user__full_name", "organisation__name")
    # "查看全部" on a user's page leads here filtered to that user (choices: the accounts one may see).
    user = django_filters.ModelChoiceFilter(queryset=lambda request: User.objects.visible_to(request.user),
                                            label=_("用户"))

    class Meta:
        model = Membership
        fields = ["user", "role", "active"]


class ApiTokenFilterSet(django_filters.FilterSet):
    class Meta:
        model = ApiToken
        fields = ["name"]
