"""Partner matching on generated data: a score is the sum of its reasons, the firm of the crosswalk's industry
with declared demand outranks one without, excluded agreements count for nothing, only what the reader sees
is offered, and a call costs the same few queries however many enterprises there are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chanjiao.layout.models import JobPosting, Offering
from chanjiao.matching import services
from chanjiao.matching.services import rank_enterprises, rank_offerings
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_score_is_the_sum_of_its_reasons_and_fit_with_demand_ranks_first(city: dict[str, Any],
                                                                            bureau_admin: Any) -> None:
    ranked = rank_enterprises(city["offering"], user=bureau_admin)
    assert ranked, "the bureau sees the city's enterprises"
    for rec in ranked:
        assert rec.score == sum(r.weight for r in rec.reasons)
        assert all(r.weight > 0 and r.label and r.detail for r in rec.reasons)
    pks = [r.pk for r in ranked]
    assert pks.index(city["fit"].pk) < pks.index(city["near"].pk)
    fit = ranked[0]
    assert fit.pk == city["fit"].pk
    assert {"industry", "demand", "postings", "same_city", "size"} <= set(fit.codes)
    reasons = {r.code: r for r in fit.reasons}
    assert reasons["industry"].weight == services.INDUSTRY_POINTS
    assert "12 人" in reasons["demand"].detail
    assert reasons["postings"].detail.startswith("发布该专业类招聘岗位 2 个")
    near = next(r for r in ranked if r.pk == city["near"].pk)
    assert set(near.codes) == {"same_county", "size"}
    assert near.score == services.SAME_COUNTY_POINTS + services.SIZE_POINTS["large"]


def test_a_new_major_under_review_is_matched_by_school_and_major(city: dict[str, Any], bureau_admin: Any) -> None:
    ranked = rank_enterprises((city["school"], city["major"]), user=bureau_admin, limit=1)
    assert [r.pk for r in ranked] == [city["fit"].pk]


def test_a_relisted_posting_counts_once(city: dict[str, Any], bureau_admin: Any) -> None:
    first, second = JobPosting._base_manager.filter(enterprise=city["fit"]).order_by("pk")
    JobPosting._base_manager.filter(pk=second.pk).update(duplicate_of=first)
    fit = rank_enterprises(city["offering"], user=bureau_admin, limit=1)[0]
    assert next(r for r in fit.reasons if r.code == "postings").detail.startswith("发布该专业类招聘岗位 1 个")


def test_past_cooperation_counts_unless_the_agreement_is_excluded(city: dict[str, Any], bureau_admin: Any) -> None:
    agreement = factories.AgreementFactory(schools=[city["school"]], enterprises=[city["near"]], status="in_force",
                                           signed_on=dt.date(2024, 8, 1))
    agreement.majors.set([city["major"]])
    factories.OrderClassFactory(school=city["school"], enterprise=city["near"], major=city["major"],
                                agreement=agreement)
    factories.VisitFactory(school=city["school"], enterprise=city["near"])

    def near(**kwargs: Any) -> services.Recommendation:
        return next(r for r in rank_enterprises(city["offering"], user=bureau_admin, **kwargs)
                    if r.pk == city["near"].pk)

    with_it = near()
    assert {"agreements", "agreement_major", "order_classes", "visits"} <= set(with_it.codes)
    assert with_it.score == sum(r.weight for r in with_it.reasons)
    # The agreement and the order class resting on it are ignored; the visit is a record of its own.
    without = near(exclude_agreements=frozenset({agreement.pk}))
    assert not {"agreements", "agreement_major", "order_classes"} & set(without.codes)
    assert "visits" in without.codes
    # Before the agreement was signed (and the visit made) none of it had happened.
    before = near(as_of=dt.date(2024, 1, 1))
    assert not {"agreements", "order_classes", "visits"} & set(before.codes)


def test_only_enterprises_the_reader_sees_are_offered(city: dict[str, Any], no_role: Any) -> None:
    assert rank_enterprises(city["offering"], user=no_role) == []


def test_the_query_count_does_not_grow_with_the_enterprises(city: dict[str, Any], bureau_admin: Any) -> None:
    def fresh() -> Any:  # a plain offering row: its school, region and major are read by the call
        return Offering._base_manager.get(pk=city["offering"].pk)

    rank_enterprises(fresh(), user=bureau_admin)  # the reader's scope is read once per user object
    offering = fresh()
    with CaptureQueriesContext(connection) as few:
        rank_enterprises(offering, user=bureau_admin)
    for _ in range(25):
        factories.EnterpriseFactory(industry=city["industry"], region=city["county"])
    offering = fresh()
    with CaptureQueriesContext(connection) as many:
        ranked = rank_enterprises(offering, user=bureau_admin)
    assert len(ranked) == 10
    assert len(many) == len(few) <= 5, ([q["sql"][:100] for q in few.captured_queries],
                                        [q["sql"][:100] for q in many.captured_queries])
    print(f"\nrank_enterprises: {len(many)} queries")


def test_offerings_are_ranked_for_an_enterprise_by_its_demand(city: dict[str, Any], bureau_admin: Any) -> None:
    factories.OfferingYearFactory(offering=city["offering"], year=2020, graduates=120)
    elsewhere = factories.OfferingFactory(major=factories.MajorFactory(class_code="5101"))
    unrelated = factories.OfferingFactory(school=city["school"],
                                          major=factories.MajorFactory(class_code="5102"))
    cancelled = factories.OfferingFactory(major=factories.MajorFactory(class_code="5101"), status="cancelled")
    with CaptureQueriesContext(connection) as queries:
        ranked = rank_offerings(city["fit"], user=bureau_admin)
    pks = [r.pk for r in ranked]
    assert pks[0] == city["offering"].pk and elsewhere.pk in pks
    assert unrelated.pk not in pks and cancelled.pk not in pks
    top = ranked[0]
    assert top.score == sum(r.weight for r in top.reasons)
    assert {"class", "demand", "postings", "industry", "same_city", "graduates"} <= set(top.codes)
    assert "120 人" in next(r for r in top.reasons if r.code == "graduates").detail
    assert len(queries) <= 8, [q["sql"][:120] for q in queries.captured_queries]
    print(f"\nrank_offerings: {len(queries)} queries")
    # A class asked for explicitly: only its offerings (and those the crosswalk maps onto the firm's industry).
    assert [r.pk for r in rank_offerings(city["near"], user=bureau_admin, class_code="5102")] == [unrelated.pk]
