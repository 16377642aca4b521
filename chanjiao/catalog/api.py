from __future__ import annotations

from ninja import Router

from chanjiao.catalog import ui
from chanjiao.core.api import crud_router, output_schema

# The code tables have no form: the fields each answers with are named here (core.api.output_schema types
# them from the model); the edition and descriptions stay on the detail pages.
_TAGS = ["标准代码"]
router = Router()
router.add_router("/majors", crud_router(ui.majors, output_schema(ui.majors, extra=(
    "code", "name", "level", "category_code", "category_name", "class_code", "class_name", "state_controlled")),
    tags=_TAGS))
router.add_router("/industries", crud_router(ui.industries, output_schema(ui.industries, extra=(
    "code", "name", "level", "section", "parent", "derived")), tags=_TAGS))
router.add_router("/occupations", crud_router(ui.occupations, output_schema(ui.occupations, extra=(
    "code", "name", "level", "parent")), tags=_TAGS))
router.add_router("/regions", crud_router(ui.regions, output_schema(ui.regions, extra=(
    "code", "name", "level", "parent")), tags=_TAGS))
