"""Which organisations cooperate with a jurisdiction's schools and structures (issue #8 point 0).

A bureau reads the organisations of its own region and those that cooperate with them wherever they
are registered: an enterprise of another city sitting on one of its schools' guidance committees, a
member of its group's committees, a seat on its group's board. Each way of cooperating is one
``Link``: the model that records it, the field naming the cooperating organisation and the path to
the region code that places the record. Later apps (agreements, visits, placements) register theirs
with ``register``, and the bureau sees their partners without any change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q

from chanjiao.core.scoping import nothing, region_q


@dataclass(frozen=True)
class Link:
    model: str  # "app_label.ModelName"
    organisation: str  # the field holding the cooperating organisation's id
    region_code: str  # path to the region code of the jurisdiction the record belongs to


LINKS: list[Link] = [
    Link("orgs.GuidanceMember", "organisation_id", "committee__school__region__code"),
    Link("orgs.CommitteeMembership", "organisation_id", "committee__group__region__code"),
    Link("orgs.Committee", "director_id", "group__region__code"),
    Link("orgs.Committee", "vice_director_id", "group__region__code"),
    Link("orgs.Committee", "secretary_id", "group__region__code"),
    Link("orgs.BoardSeat", "organisation_id", "term__group__region__code"),
    Link("orgs.VocationalGroup", "secretariat_id", "region__code"),
    Link("orgs.VocationalGroup", "lead_school_id", "region__code"),
]


def register(link: Link) -> None:
    """Add a way of cooperating (called at import time by the app that records it)."""
    if link not in LINKS:
        LINKS.append(link)


def cooperating_q(codes: frozenset[str]) -> Q:
    """Organisations linked by any recorded cooperation to the jurisdictions ``codes`` — one
    ``id IN (subquery)`` per link, evaluated by the database with the rest of the query."""
    q = nothing()
    for link in LINKS:
        # The base manager: a subquery of ids under a rule already decided (the bureau's jurisdiction).
        records = apps.get_model(link.model)._base_manager.filter(region_q(link.region_code, codes))
        q |= Q(pk__in=records.exclude(**{f"{link.organisation}__isnull": True}).values(link.organisation))
    return q
