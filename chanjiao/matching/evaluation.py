"""How well ``rank_enterprises`` finds the partners schools actually chose: a hold-out check on recorded agreements.

A random share of the agreements that link a school, an enterprise and a major is hidden. For each hidden
(school, major, enterprise) triple the enterprises are ranked for (school, major) with the hidden agreements
left out of the past-cooperation signal (``exclude_agreements``); a hit is the hidden enterprise among the
top ``k``. With ``as_of`` (the default) the ranking also sees only what was on record before the hidden
agreement was signed: otherwise its own renewal, the order class and visits that followed it would give the
answer away. The baseline ranks the same candidates (every enterprise the reader sees) by size alone, largest
first, ties by pk — what a list sorted by 企业规模 would suggest.

The demo city names a major on its agreements (``chanjiao/demo/engagement.py``: the first order-class major of
the agreement's pillar at the school's level), so the triples are the agreements' own; agreements without a
school, an enterprise or a major are not part of the check.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from chanjiao.catalog.models import Major
from chanjiao.engagement.models import Agreement, AgreementStatus
from chanjiao.matching.services import rank_by_size, rank_enterprises
from chanjiao.orgs.models import School

DEMO_READER = "demo_bureau"  # the demo city's 教育局 account: reads every enterprise of the city


class HitRates(NamedTuple):
    model: float
    baseline: float
    n: int


@dataclass(frozen=True)
class Triple:
    school: int
    major: int
    enterprise: int
    agreement: int
    on: dt.date  # the day the agreement was signed (or started)


def agreement_triples() -> list[Triple]:
    """Every (school, major, enterprise) of every signed agreement, once per agreement (three queries over the
    through tables; the evaluation reads the whole record, as a system check does)."""
    agreements = {pk: signed or start for pk, signed, start in Agreement._base_manager
                  .exclude(status=AgreementStatus.DRAFT).values_list("pk", "signed_on", "start")}
    links: dict[str, dict[int, list[int]]] = {}
    for name, column in (("schools", "school_id"), ("enterprises", "organisation_id"), ("majors", "major_id")):
        through = getattr(Agreement, name).through
        by_agreement: dict[int, list[int]] = {}
        for agreement_id, other in (through._base_manager.filter(agreement_id__in=list(agreements))
                                    .order_by("agreement_id", column).values_list("agreement_id", column)):
            by_agreement.setdefault(agreement_id, []).append(other)
        links[name] = by_agreement
    return [Triple(school, major, firm, pk, on)
            for pk, on in sorted(agreements.items())
            for school in links["schools"].get(pk, [])
            for major in links["majors"].get(pk, [])
            for firm in links["enterprises"].get(pk, [])]


def hide(triples: list[Triple], *, seed: int, share: float) -> tuple[frozenset[int], list[Triple]]:
    """A random ``share`` of the agreements (by agreement: all its triples go together) and their triples,
    each (school, major, enterprise) once — at its earliest agreement."""
    agreements = sorted({t.agreement for t in triples})
    hidden = frozenset(random.Random(seed).sample(agreements, round(len(agreements) * share)))
    first: dict[tuple[int, int, int], Triple] = {}
    for t in sorted((t for t in triples if t.agreement in hidden), key=lambda t: (t.on, t.agreement)):
        first.setdefault((t.school, t.major, t.enterprise), t)
    return hidden, list(first.values())


def evaluate_hit_rate(*, seed: int = 0, share: float = 0.2, k: int = 10, user: Any = None, as_of: bool = True,
                      only: Collection[str] | None = None) -> HitRates:
    """(model hit rate, size-baseline hit rate, number of hidden triples) on the current database (the demo
    city). ``only`` restricts the model to the named signals (an ablation)."""
    if user is None:
        from chanjiao.accounts.models import User

        user = User._base_manager.get(username=DEMO_READER)
    hidden, cases = hide(agreement_triples(), seed=seed, share=share)
    if not cases:
        return HitRates(0.0, 0.0, 0)
    schools = School._base_manager.select_related("region").in_bulk({t.school for t in cases})
    majors = Major._base_manager.in_bulk({t.major for t in cases})
    baseline = {e.pk for e in rank_by_size(user=user, limit=k)}  # the same list for every case
    hits = base_hits = 0
    for t in cases:
        ranked = rank_enterprises((schools[t.school], majors[t.major]), user=user, limit=k,
                                  exclude_agreements=hidden, as_of=t.on if as_of else None, only=only)
        hits += any(r.pk == t.enterprise for r in ranked)
        base_hits += t.enterprise in baseline
    return HitRates(hits / len(cases), base_hits / len(cases), len(cases))
