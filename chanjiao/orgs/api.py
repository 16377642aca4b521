from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from chanjiao.core.api import crud_router
from chanjiao.orgs import ui


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
    headcount_date: date | None
    is_leading: bool
    integration_status: str


class DepartmentOut(OrganisationOut):
    is_industry_authority: bool


router = Router()
router.add_router("/schools", crud_router(ui.schools, SchoolOut, tags=["单位"]))
router.add_router("/enterprises", crud_router(ui.enterprises, EnterpriseOut, tags=["单位"]))
router.add_router("/departments", crud_router(ui.departments, DepartmentOut, tags=["单位"]))
