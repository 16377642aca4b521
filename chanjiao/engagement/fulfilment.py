"""Planned vs held, per committee (年度计划完成情况): the plan page and the year statistics show the same
table. Both counts are Figures over the planned-activity list (held: ``held=true``, an event records
the activity), so each cell opens exactly its activities; one grouped query for the two."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, evaluate
from chanjiao.engagement import ui


def by_committee(user: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    """Per committee: the activities selected by ``params`` (``{"plan": "7"}``, ``{"year": "2019"}``) the
    user may see, those held, and the share held."""
    planned = Figure("fulfilment_planned", gettext_lazy("计划活动"), ui=ui.activities, params=params,
                     dims=("committee",))
    held = dataclasses.replace(planned, key="fulfilment_held", params={**params, "held": "true"})
    values = evaluate([planned, held], {}, user, by="committee")
    done = {g.key: g for g in values[held.key].groups}
    rows = []
    for group in values[planned.key].groups:
        hit = done.get(group.key)
        count = hit.value if hit else 0
        rows.append({"committee": group.label, "planned": group.value, "planned_url": group.drill_url,
                     "held": count, "held_url": hit.drill_url if hit else None,
                     "percent": round(100 * count / group.value, 1) if group.value else None})
    return rows
