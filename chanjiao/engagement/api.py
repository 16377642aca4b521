"""REST routes of the matching cycle — the same scoping, filters and forms as the pages."""

from __future__ import annotations

from ninja import Router

from chanjiao.core.api import crud_router
from chanjiao.engagement import ui

_TAGS = ["校企对接"]
router = Router()
router.add_router("/events", crud_router(ui.events, tags=_TAGS))
router.add_router("/event-participations", crud_router(ui.participations, tags=_TAGS))
router.add_router("/agreements", crud_router(ui.agreements, tags=_TAGS))
router.add_router("/alliances", crud_router(ui.alliances, tags=_TAGS))
router.add_router("/visits", crud_router(ui.visits, tags=_TAGS))
router.add_router("/annual-plans", crud_router(ui.plans, tags=_TAGS))
router.add_router("/planned-activities", crud_router(ui.activities, tags=_TAGS))
router.add_router("/teacher-practices", crud_router(ui.practices, tags=_TAGS))
router.add_router("/order-classes", crud_router(ui.order_classes, tags=_TAGS))
