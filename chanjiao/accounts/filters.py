from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.filters import SearchFilterSet


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "full_name", "email")

    class Meta:
        model = User
        fields = ["is_active", "must_change_password"]


class MembershipFilterSet(SearchFilterSet):
    search_fields = ("user__username", "user__full_name", "organisation__name")
    # "查看全部" on a user's page leads here filtered to that user (choices: the accounts one may see).
    user = django_filters.ModelChoiceFilter(queryset=lambda request: User.objects.visible_to(request.user),
                                            label=_("用户"))
    # The organisations the grants in the list name, and only those: a select of every enterprise
    # in the city would be useless. By name, like the grant form's choices (organisation_choices).
    organisation = django_filters.ModelChoiceFilter(queryset=lambda request: _granted_organisations(request.user),
                                                    label=_("所属单位"))
    # The regions the grants name (a public catalog; not all ~3,000 of them).
    jurisdiction = django_filters.ModelChoiceFilter(queryset=lambda request: _granted_regions(request.user),
                                                    label=_("管辖范围"))
    unscoped_choices = {"organisation": "the names of the organisations the reader's visible grants name"}

    class Meta:
        model = Membership
        fields = ["user", "role", "organisation", "jurisdiction", "active"]


def _granted_organisations(user: Any) -> QuerySet:
    granted = Membership.objects.visible_to(user).filter(organisation__isnull=False).values("organisation_id")
    return Membership.organisation_choices(user).filter(pk__in=granted).order_by("name")


def _granted_regions(user: Any) -> QuerySet:
    from chanjiao.catalog.models import Region

    granted = Membership.objects.visible_to(user).filter(jurisdiction__isnull=False).values("jurisdiction_id")
    return Region.objects.filter(pk__in=granted).order_by("code")


class ApiTokenFilterSet(django_filters.FilterSet):
    class Meta:
        model = ApiToken
        fields = ["name"]
