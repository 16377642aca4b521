"""The landing dashboard: a few figures computed from records, within the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from chanjiao.core.scoping import get_scope


def dashboard_for(user: Any) -> dict[str, Any]:
    from chanjiao.orgs.models import Organisation, OrgKind

    scope = get_scope(user)
    visible = Organisation.objects.visible_to(user)
    # One GROUP BY for the organisation tiles.
    by_kind = dict(visible.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    tiles = [{"label": str(label), "value": by_kind.get(kind, 0), "kind": kind} for kind, label in OrgKind.choices]
    own = list(Organisation.objects.visible_to(user).filter(pk__in=scope.orgs()).values("id", "name", "kind"))
    return {"tiles": tiles, "own_organisations": own, "roles": sorted(scope.roles)}
