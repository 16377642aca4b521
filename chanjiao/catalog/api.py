from __future__ import annotations

from ninja import Router, Schema

from chanjiao.catalog import ui
from chanjiao.core.api import crud_router


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None


class IndustryOut(Schema):
    id: int
    code: str
    name: str
    level: int
    section: str
    parent_id: int | None
    derived: bool


class OccupationOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None


class MajorOut(Schema):
    id: int
    code: str
    name: str
    level: str
    category_code: str
    category_name: str
    class_code: str
    class_name: str
    state_controlled: bool


router = Router()
router.add_router("/majors", crud_router(ui.majors, MajorOut, tags=["标准代码"]))
router.add_router("/industries", crud_router(ui.industries, IndustryOut, tags=["标准代码"]))
router.add_router("/occupations", crud_router(ui.occupations, OccupationOut, tags=["标准代码"]))
router.add_router("/regions", crud_router(ui.regions, RegionOut, tags=["标准代码"]))
