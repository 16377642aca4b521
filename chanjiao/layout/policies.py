"""一校一策 progress (issue #10 point 6): each target met or not, computed from the school's offerings
as they stand — never ticked by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chanjiao.core.types import User
from chanjiao.layout.models import LIVE_OFFERING_STATUSES, Offering, PolicyTarget, SchoolPolicy, TargetAction

# A target is met when the school's offering of its major is live (keep, strengthen, open) or is not
# (merge, cancel).
WANTS_LIVE = {TargetAction.KEEP, TargetAction.STRENGTHEN, TargetAction.OPEN}


@dataclass
class TargetState:
    target: PolicyTarget
    live: bool
    met: bool
    overdue: bool


def progress(user: User, policy: SchoolPolicy, today: dt.date) -> dict[str, Any]:
    """The policy's targets with their state, and the share met (two queries)."""
    targets = list(PolicyTarget.objects.visible_to(user).filter(policy=policy).select_related("major")
                   .order_by("due_year", "action", "id"))
    live = set(Offering.objects.visible_to(user).filter(school_id=policy.school_id,
                                                         major_id__in=[t.major_id for t in targets],
                                                         status__in=LIVE_OFFERING_STATUSES)
               .values_list("major_id", flat=True))
    states = []
    for t in targets:
        is_live = t.major_id in live
        met = is_live if t.action in WANTS_LIVE else not is_live
        states.append(TargetState(t, is_live, met, not met and t.due_year < today.year))
    done = sum(1 for s in states if s.met)
    return {"targets": states, "met": done, "total": len(states),
            "percent": round(done * 100 / len(states)) if states else None,
            "overdue": sum(1 for s in states if s.overdue)}
