"""REST routes for organisations, people and the group — the same scoping, filters and forms as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from chanjiao.core.api import ERRORS_READ, ERRORS_WRITE, crud_router, get_or_404
from chanjiao.core.scoping import get_scope
from chanjiao.orgs import services, ui
from chanjiao.orgs.models import Contact, Enterprise


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    short_name: str
    region_id: int | None


class SchoolOut(OrganisationOut):
    school_code: str | None
    school_level: str
    funding: str
    competent_authority: str


class EnterpriseOut(OrganisationOut):
    uscc: str | None
    industry_id: int | None
    size: str
    ownership: str
    headcount: int | None
    headcount_date: dt.date | None
    is_leading: bool
    established: dt.date | None
    integration_status: str


class DepartmentOut(OrganisationOut):
    is_industry_authority: bool


class AssociationOut(OrganisationOut):
    uscc: str | None
    industry_id: int | None


class ContactOut(Schema):
    id: int
    organisation_id: int
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool

    @staticmethod
    def resolve_phone(obj: Contact, context: dict[str, Any] | None) -> str:
        # Without a request (list pages serialise without context) the number is masked: safe default.
        request = (context or {}).get("request")
        return obj.phone_for(get_scope(getattr(request, "user", None)))


class TeacherOut(Schema):
    id: int
    school_id: int
    name: str
    employee_no: str
    subject: str
    is_dual_qualified: bool
    enterprise_years: Decimal
    hire_date: dt.date | None


class VocationalGroupOut(Schema):
    id: int
    name: str
    short_name: str
    founded: dt.date | None
    secretariat_id: int
    lead_school_id: int | None


class BoardTermOut(Schema):
    id: int
    group_id: int
    number: int
    elected_at: dt.date | None
    start_date: dt.date
    end_date: dt.date | None


class BoardSeatOut(Schema):
    id: int
    term_id: int
    role: str
    organisation_id: int
    contact_id: int | None
    person_name: str
    person_title: str


class PillarIndustryOut(Schema):
    id: int
    group_id: int
    name: str
    order: int
    industry_codes: list[str]

    @staticmethod
    def resolve_industry_codes(obj: Any) -> list[str]:
        return [i.code for i in obj.industries.all()]


class CommitteeOut(Schema):
    id: int
    group_id: int
    pillar_id: int
    name: str
    director_id: int
    vice_director_id: int | None
    secretary_id: int | None
    founded: dt.date | None
    active: bool


class CommitteeMembershipOut(Schema):
    id: int
    committee_id: int
    organisation_id: int
    role: str
    person_name: str
    joined: dt.date
    left: dt.date | None


class GuidanceCommitteeOut(Schema):
    id: int
    school_id: int
    name: str
    major_id: int | None
    committee_id: int | None
    founded: dt.date | None
    active: bool


class GuidanceMemberOut(Schema):
    id: int
    committee_id: int
    organisation_id: int
    person_name: str
    person_title: str
    role: str
    joined: dt.date
    left: dt.date | None


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
router.add_router("/schools", crud_router(ui.schools, SchoolOut, tags=_ORGS))
router.add_router("/enterprises", crud_router(ui.enterprises, EnterpriseOut, tags=_ORGS))
router.add_router("/departments", crud_router(ui.departments, DepartmentOut, tags=_ORGS))
router.add_router("/associations", crud_router(ui.associations, AssociationOut, tags=_ORGS))
router.add_router("/institutes", crud_router(ui.institutes, AssociationOut, tags=_ORGS))
router.add_router("/contacts", crud_router(ui.contacts, ContactOut, tags=_ORGS))
router.add_router("/teachers", crud_router(ui.teachers, TeacherOut, tags=_ORGS))
router.add_router("/groups", crud_router(ui.groups, VocationalGroupOut, tags=_GROUP))
router.add_router("/board-terms", crud_router(ui.terms, BoardTermOut, tags=_GROUP))
router.add_router("/board-seats", crud_router(ui.seats, BoardSeatOut, tags=_GROUP))
router.add_router("/pillar-industries", crud_router(ui.pillars, PillarIndustryOut, tags=_GROUP))
router.add_router("/committees", crud_router(ui.committees, CommitteeOut, tags=_GROUP))
router.add_router("/committee-memberships", crud_router(ui.committee_memberships, CommitteeMembershipOut,
                                                        tags=_GROUP))
router.add_router("/guidance-committees", crud_router(ui.guidance_committees, GuidanceCommitteeOut, tags=_GROUP))
router.add_router("/guidance-members", crud_router(ui.guidance_members, GuidanceMemberOut, tags=_GROUP))


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
