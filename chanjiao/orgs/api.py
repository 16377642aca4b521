"""REST routes for organisations, people and the group — the same scoping, filters and forms as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from chanjiao.core.api import ERRORS_READ, ERRORS_WRITE, crud_router, get_or_404, output_schema
from chanjiao.core.scoping import get_scope
from chanjiao.orgs import services, ui
from chanjiao.orgs.models import Contact, Enterprise

# The answers are derived from each ModelUI (core.api.output_schema: id + the form's fields + the workflow
# status); declared here only what differs from the model's own value.
_ORG = ("kind",)  # the proxies share one table: say which kind a row is (read-only, set by the proxy)


class _ContactBase(Schema):
    phone: str

    @staticmethod
    def resolve_phone(obj: Contact, context: dict[str, Any] | None) -> str:
        # Masked per caller; without a request (list pages serialise without context) masked: safe default.
        request = (context or {}).get("request")
        return obj.phone_for(get_scope(getattr(request, "user", None)))


class _PillarIndustryBase(Schema):
    industry_codes: list[str]  # the codes beside the ids (``industries``): what a reader matches on

    @staticmethod
    def resolve_industry_codes(obj: Any) -> list[str]:
        return [i.code for i in obj.industries.all()]


class TimelineEntryOut(Schema):
    date: dt.date | None
    kind: str
    title: str
    detail: str
    url: str


class MergeOut(Schema):
    kept_id: int
    moved: dict[str, int]


router = Router()
_ORGS = ["单位"]
_GROUP = ["职教集团"]


def _org_router(org_ui: Any) -> Router:
    return crud_router(org_ui, output_schema(org_ui, extra=_ORG), tags=_ORGS)


router.add_router("/schools", _org_router(ui.schools))
router.add_router("/enterprises", _org_router(ui.enterprises))
router.add_router("/departments", _org_router(ui.departments))
router.add_router("/associations", _org_router(ui.associations))
router.add_router("/institutes", _org_router(ui.institutes))
router.add_router("/teachers", crud_router(ui.teachers, tags=_ORGS))
router.add_router("/groups", crud_router(ui.groups, tags=_GROUP))
router.add_router("/board-terms", crud_router(ui.terms, tags=_GROUP))
router.add_router("/board-seats", crud_router(ui.seats, tags=_GROUP))
router.add_router("/committees", crud_router(ui.committees, tags=_GROUP))
router.add_router("/committee-memberships", crud_router(ui.committee_memberships, tags=_GROUP))
router.add_router("/guidance-committees", crud_router(ui.guidance_committees, tags=_GROUP))
router.add_router("/guidance-members", crud_router(ui.guidance_members, tags=_GROUP))
router.add_router("/contacts", crud_router(ui.contacts, output_schema(ui.contacts, base=_ContactBase), tags=_ORGS))
router.add_router("/pillar-industries", crud_router(ui.pillars, output_schema(ui.pillars, base=_PillarIndustryBase),
                                                    tags=_GROUP))


@router.get("/enterprise-timeline/{pk}", response={200: list[TimelineEntryOut], **ERRORS_READ}, tags=_ORGS,
            summary="企业合作时间线", operation_id="enterprise_timeline")
def enterprise_timeline(request: HttpRequest, pk: int) -> list[services.TimelineEntry]:
    enterprise = get_or_404(Enterprise.objects.visible_to(request.user), pk)
    return services.enterprise_timeline(enterprise, request.user)


@router.post("/enterprise-merge/{keep_id}/{duplicate_id}", response={200: MergeOut, **ERRORS_WRITE}, tags=_ORGS,
             summary="合并重复企业", operation_id="enterprise_merge")
def enterprise_merge(request: HttpRequest, keep_id: int, duplicate_id: int) -> dict[str, Any]:
    keep = get_or_404(Enterprise.objects.editable_by(request.user), keep_id)
    duplicate = get_or_404(Enterprise.objects.editable_by(request.user), duplicate_id)
    return {"kept_id": keep.pk, "moved": services.merge_enterprises(keep, duplicate, request.user)}
