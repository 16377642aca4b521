"""What a review decision does, and how a round's scores add up.

Applying a decision (the Decision workflow's ``apply``) moves the offering through *its* workflow —
suspend, cancel, re-file — or files the new one, in the same transaction, dated by the decision
(``effective_on``), so the layout history counts by the decision's day. A refusal of the offering's
transition refuses the whole application: nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.dispatch import receiver
from django.utils.translation import gettext as _

from chanjiao.core.scoping import unscoped
from chanjiao.core.types import User
from chanjiao.core.workflow import state_label, status_changed
from chanjiao.layout.models import (
    LIVE_OFFERING_STATUSES,
    Decision,
    Offering,
    OfferingStatus,
    ProposedAction,
    RoundStatus,
    RubricCriterion,
    Score,
)

_A = ProposedAction
# The offering transition each decision takes (none: the offering stays as it is).
TRANSITION_OF = {_A.SUSPEND: "suspend", _A.CANCEL: "cancel", _A.MERGE: "cancel"}
# The states each decision may start from.
SOURCES_OF = {
    _A.KEEP: LIVE_OFFERING_STATUSES,
    _A.STRENGTHEN: LIVE_OFFERING_STATUSES,
    _A.SUSPEND: (OfferingStatus.ENROLLING,),
    _A.CANCEL: LIVE_OFFERING_STATUSES,
    _A.MERGE: LIVE_OFFERING_STATUSES,
}


def decision_blockers(decision: Decision) -> list[str]:
    """Why the decision cannot be applied now (the ``apply`` guard; empty: go ahead)."""
    item = decision.item
    reasons = []
    if item.submission.round.status != RoundStatus.DECIDED:
        reasons.append(_("评审尚未公布决定，不能执行。"))
    if decision.action == _A.OPEN:
        existing = _existing_offering(item.submission.school_id, item.new_major_id)
        if existing is not None and existing.status != OfferingStatus.CANCELLED:
            reasons.append(_("该校已开设此专业，无需新设。"))
    elif item.offering_id is not None:
        state = Offering._base_manager.filter(pk=item.offering_id).values_list("status", flat=True).first()
        if state not in SOURCES_OF[ProposedAction(decision.action)]:
            reasons.append(_("该专业点当前状态为“%(state)s”，不能执行“%(action)s”。")
                           % {"state": state_label(Offering, state or ""), "action": decision.get_action_display()})
    return reasons


def _existing_offering(school_id: int, major_id: int | None) -> Offering | None:
    return Offering._base_manager.filter(school_id=school_id, major_id=major_id).first() if major_id else None


@receiver(status_changed, sender=Decision)
def _apply(sender: Any, instance: Decision, transition: Any, by: User | None, **kwargs: Any) -> None:
    if transition.name == "apply":
        apply_decision(instance, by=by)


def apply_decision(decision: Decision, *, by: User | None) -> Offering | None:
    """Carry out an applied decision on the offering (called inside the decision's transition)."""
    item = decision.item
    round_ = item.submission.round
    note = _("%(round)s决定：%(action)s") % {"round": round_.title, "action": decision.get_action_display()}
    if decision.conditions:
        note += _("（条件：%(conditions)s）") % {"conditions": decision.conditions}
    day = decision.decided_on
    if decision.action == _A.OPEN:
        existing = _existing_offering(item.submission.school_id, item.new_major_id)
        if existing is not None:
            existing.set_status("refile", by=by, note=note, effective_on=day)
            return existing
        offering = Offering(school_id=item.submission.school_id, major_id=item.new_major_id, filed_on=day,
                            start_year=day.year if day.month < 9 else day.year + 1, filing_ref=round_.title[:60])
        with unscoped("a decision files the offering it opens; its uniqueness is checked here"):
            offering.full_clean()
        offering.save()
        return offering
    name = TRANSITION_OF.get(ProposedAction(decision.action))
    assert item.offering_id is not None  # DEC-D1: every decision but "open" is for an existing offering
    offering = Offering._base_manager.get(pk=item.offering_id)
    if name is not None:
        if decision.action == _A.MERGE and item.merge_into is not None:
            note += _("，并入%(target)s") % {"target": item.merge_into.major_name}
        offering.set_status(name, by=by, note=note, effective_on=day)
    return offering


# -- scores ------------------------------------------------------------------------------------------------------

# Scores of at least this many experts are averaged without the highest and the lowest (trimmed mean).
TRIM_FROM = 5


@dataclass(frozen=True)
class ItemResult:
    item_id: int
    experts: int  # experts who scored every criterion of the round
    mean: Decimal | None  # plain mean of their totals
    trimmed: Decimal | None  # without the highest and lowest total, from TRIM_FROM experts on
    max_total: Decimal | None
    min_total: Decimal | None

    @property
    def result(self) -> Decimal | None:
        """The round's figure: the trimmed mean when there are enough scores, else the plain mean."""
        return self.trimmed if self.trimmed is not None else self.mean


def item_results(scores: QuerySet[Score]) -> dict[int, ItemResult]:
    """Per submission item: each expert's total over the criteria, then their mean and trimmed mean —
    both levels grouped in the database (one statement). An expert who has not scored every
    criterion of the round is left out until they have."""
    totals = (scores.values("item_id", "assignment_id", round_id=F("criterion__round_id"))
              .annotate(total=Sum("points"), n=Count("pk")).order_by())
    try:
        inner, params = totals.query.sql_with_params()
    except EmptyResultSet:  # a reader who may see no score at all (a school: blind review)
        return {}
    criteria = connection.ops.quote_name(RubricCriterion._meta.db_table)
    sql = (f"SELECT item_id, COUNT(*), SUM(total), MAX(total), MIN(total) FROM ({inner}) AS per_expert "  # noqa: S608
           f"WHERE n = (SELECT COUNT(*) FROM {criteria} c WHERE c.round_id = per_expert.round_id) "
           "GROUP BY item_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    results = {}
    for item_id, n, total, top, bottom in rows:
        total, top, bottom = (Decimal(str(v)) for v in (total, top, bottom))
        mean = (total / n).quantize(Decimal("0.01"))
        trimmed = ((total - top - bottom) / (n - 2)).quantize(Decimal("0.01")) if n >= TRIM_FROM else None
        results[item_id] = ItemResult(item_id, n, mean, trimmed, top, bottom)
    return results


# -- the evidence beside a submission ------------------------------------------------------------------------

EVIDENCE_YEARS = 3


def submission_evidence(user: User, submission_id: int) -> list[dict[str, Any]]:
    """Per major of the submission, as ``user`` may see it: the offering's last years of figures
    (enrolment, graduates, employment and related-field rates, salary), the experts' result and the
    decision and the warnings of the year before the defence — what the experts judge on (a fixed number of
    queries, whatever the number of majors)."""
    from chanjiao.layout.models import OfferingYear, SubmissionItem

    items = list(SubmissionItem.objects.visible_to(user).filter(submission_id=submission_id)
                 .select_related("offering__major", "new_major", "submission__round")
                 .order_by("offering__major__code", "id"))
    decisions = {d.item_id: d for d in Decision.objects.visible_to(user).filter(item__submission_id=submission_id)}
    offering_ids = [i.offering_id for i in items if i.offering_id]
    years: dict[int, list[OfferingYear]] = {}
    # The years up to the defence: what the school and the experts knew then.
    held = items[0].submission.round.held_on.year if items else 9999
    for row in (OfferingYear.objects.visible_to(user).filter(offering_id__in=offering_ids, year__lte=held)
                .order_by("offering_id", "-year")):
        if len(years.setdefault(row.offering_id, [])) < EVIDENCE_YEARS:
            years[row.offering_id].append(row)
    results = item_results(Score.objects.visible_to(user).filter(item__submission_id=submission_id))
    judged = _judged_before_the_defence(user, items)
    return [{"item": i, "years": list(reversed(years.get(i.offering_id or 0, []))), "result": results.get(i.pk),
             "decision": decisions.get(i.pk), "fit": judged.get(i.offering_id or 0)} for i in items]


def _judged_before_the_defence(user: User, items: list[Any]) -> dict[int, Any]:
    """The warnings of each item's offering for the last full year before the defence (fit.py)."""
    from chanjiao.layout import fit

    if not items:
        return {}
    year = items[0].submission.round.held_on.year - 1
    offerings = list(Offering.objects.visible_to(user).filter(pk__in=[i.offering_id for i in items if i.offering_id])
                     .select_related("school__region", "major"))
    fit.prefetch(offerings, year)
    return {j.offering.pk: j for j in fit.judge(offerings, year)}
