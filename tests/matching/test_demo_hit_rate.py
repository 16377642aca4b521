"""The hold-out check on the demo city (``chanjiao/matching/evaluation.py``): hide a fifth of the agreements that
link a school, an enterprise and a major, rank enterprises for each hidden (school, major) without them and
without anything recorded after the agreement was signed, and count how often the hidden partner is in the top
ten — against a ranking by size alone. Built once per module (the demo city takes a minute or two); run with
``-s`` to see the figures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chanjiao.accounts.models import User
from chanjiao.layout.models import Offering, OfferingStatus
from chanjiao.matching import evaluation
from chanjiao.matching.services import rank_enterprises, rank_offerings
from chanjiao.orgs.models import Enterprise

pytestmark = pytest.mark.django_db

SEED = 2024


# demo_city: tests/conftest.py (built once per module, rolled back after it)


def test_the_model_finds_hidden_partners_more_often_than_size_alone(demo_city: None) -> None:
    rates = evaluation.evaluate_hit_rate(seed=SEED, share=0.2)
    # The same check without the past-cooperation signals: the demo draws most partners at random within the
    # pillar, so a school's past partners say little about its next one there (reported, not asserted).
    no_history = evaluation.evaluate_hit_rate(seed=SEED, share=0.2, only={"industry", "demand", "postings",
                                                                          "same_county", "same_city", "size"})
    figures = (f"hit@10 over n={rates.n} hidden (school, major, enterprise) triples: model {rates.model:.1%}, "
               f"size baseline {rates.baseline:.1%}; without past cooperation {no_history.model:.1%}")
    print("\n" + figures)
    assert rates.n >= 20, figures
    assert rates.model > rates.baseline, figures


def test_calls_on_the_demo_city_cost_a_handful_of_queries(demo_city: None) -> None:
    user = User._base_manager.get(username=evaluation.DEMO_READER)
    offering = Offering.objects.visible_to(user).filter(status=OfferingStatus.ENROLLING).order_by("pk").first()
    assert offering is not None
    rank_enterprises(offering, user=user)  # reads the reader's scope once
    offering = Offering._base_manager.get(pk=offering.pk)
    with CaptureQueriesContext(connection) as enterprises:
        ranked = rank_enterprises(offering, user=user)
    firm = Enterprise.objects.visible_to(user).get(pk=ranked[0].pk)
    with CaptureQueriesContext(connection) as offerings:
        supplied = rank_offerings(firm, user=user)
    print(f"\nrank_enterprises: {len(enterprises)} queries; rank_offerings: {len(offerings)} queries "
          f"({Enterprise.objects.visible_to(user).count()} enterprises)")
    print("\n".join(f"  {r.name}: {r.score} = " + " + ".join(f"{x.label} {x.weight}" for x in r.reasons)
                    for r in ranked[:3]))
    assert len(ranked) == 10 and supplied
    assert all(r.score == sum(x.weight for x in r.reasons) for r in [*ranked, *supplied])
    assert len(enterprises) <= 5 and len(offerings) <= 8
