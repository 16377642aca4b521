"""REST routes of the major layout — the same scoping, filters and forms as the pages."""

from __future__ import annotations

from ninja import Router

from chanjiao.core.api import crud_router
from chanjiao.layout import ui

_TAGS = ["专业布局"]
router = Router()
router.add_router("/offerings", crud_router(ui.offerings, tags=_TAGS))
router.add_router("/offering-years", crud_router(ui.offering_years, tags=_TAGS))
router.add_router("/review-rounds", crud_router(ui.rounds, tags=_TAGS))
router.add_router("/rubric-criteria", crud_router(ui.criteria, tags=_TAGS))
router.add_router("/submissions", crud_router(ui.submissions, tags=_TAGS))
router.add_router("/submission-items", crud_router(ui.items, tags=_TAGS))
router.add_router("/experts", crud_router(ui.experts, tags=_TAGS))
router.add_router("/conflicts", crud_router(ui.conflicts, tags=_TAGS))
router.add_router("/assignments", crud_router(ui.assignments, tags=_TAGS))
router.add_router("/scores", crud_router(ui.scores, tags=_TAGS))
router.add_router("/decisions", crud_router(ui.decisions, tags=_TAGS))
router.add_router("/crosswalks", crud_router(ui.crosswalks, tags=_TAGS))
router.add_router("/crosswalk-entries", crud_router(ui.crosswalk_entries, tags=_TAGS))
router.add_router("/demand", crud_router(ui.demand, tags=_TAGS))
router.add_router("/postings", crud_router(ui.postings, tags=_TAGS))
router.add_router("/scenarios", crud_router(ui.scenarios, tags=_TAGS))
router.add_router("/scenario-changes", crud_router(ui.scenario_changes, tags=_TAGS))
router.add_router("/school-policies", crud_router(ui.policies, tags=_TAGS))
router.add_router("/policy-targets", crud_router(ui.policy_targets, tags=_TAGS))
