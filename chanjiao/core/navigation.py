"""The left navigation: registered model pages grouped by domain, shown only where the user may look."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from chanjiao.core.registry import registry
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope, scoped_rows


def never_matches(queryset: QuerySet[Any]) -> bool:
    """True when the query's WHERE clause is empty by construction (``pk__in=[]``, ``.none()``)."""
    query = queryset.query
    if query.is_empty():
        return True
    try:
        query.get_compiler(using=queryset.db).compile(query.where)
    except EmptyResultSet:
        return True
    except FullResultSet:  # no condition at all: every row
        return False
    return False


@dataclass(frozen=True)
class Page:
    """A menu entry that is not a model's list (the statistics, a calendar, a tracker), declared by the
    app that owns the page; shown when ``shown(scope)`` holds (business users by default)."""

    group: Any
    label: Any
    url_name: str
    icon: str = "chart-bar"
    order: int = 100
    shown: Callable[[Any], bool] = lambda scope: bool(scope.business_user)


pages: list[Page] = []


def register_page(page: Page) -> Page:
    pages.append(page)
    return page


def menu_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    scope = get_scope(user)
    groups: dict[str, list[dict[str, Any]]] = {}
    for ui in sorted(registry, key=lambda u: u.menu_order):
        if not ui.menu_group or (ui.menu_roles is not None and not scope.has(*ui.menu_roles)):
            continue
        # A page whose rule can match no row (.none(), or ``nothing()`` for a role without
        # organisations) is no use to this role: no entry. No SQL is run to decide this.
        if never_matches(scoped_rows(ui.model).visible_to(user)):
            continue
        url = reverse(ui.url_name("list"))
        groups.setdefault(str(ui.menu_group), []).append(
            {"label": ui.label, "url": url, "icon": ui.icon, "active": request.path.startswith(url)}
        )
    for page in sorted(pages, key=lambda p: p.order):
        if page.shown(scope):
            url = reverse(page.url_name)
            groups.setdefault(str(page.group), []).append(
                {"label": str(page.label), "url": url, "icon": page.icon, "active": request.path.startswith(url)})
    if scope.has(Role.AUDIT_ADMIN):
        url = reverse("core:audit_search")
        groups.setdefault(_("安全审计"), []).append(
            {"label": _("审计日志"), "url": url, "icon": "shield-check", "active": request.path.startswith(url)}
        )
    if user.is_authenticated:
        # Everyone's own background work (exports, imports): personal, so no scope question.
        url = reverse("core:job_list")
        groups.setdefault(_("个人"), []).append(
            {"label": _("我的任务"), "url": url, "icon": "list-check", "active": request.path.startswith(url)}
        )
    return [{"label": label, "items": items} for label, items in groups.items()]
