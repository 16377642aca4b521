"""Harness tests for associations and institutes: city-wide registry rows that the global writers keep."""

from __future__ import annotations

from typing import Any

from chanjiao.orgs import ui
from chanjiao.orgs.models import Association, Institute
from tests import factories
from tests.harness import ModelHarness


class TestAssociationViews(ModelHarness):
    ui = ui.associations
    api_path = "/api/orgs/associations/"
    persona = "bureau_admin"  # no organisation role owns an association: the global writers keep them
    creator = "bureau_admin"
    has_out_of_scope = False
    edit_changes = {"short_name": "智造协会", "address": "甲市会展中心"}
    protected_fields = {"kind": "school", "school_code": "4141000066"}

    def in_scope(self, world: Any) -> Any:
        return Association.objects.create(name=f"甲市智能制造行业协会{Association.objects.count()}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "甲市物流行业协会", "uscc": factories.valid_uscc(7_000_001)}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"name": "", "uscc": "not-a-uscc"}


class TestInstituteViews(ModelHarness):
    ui = ui.institutes
    api_path = "/api/orgs/institutes/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    has_out_of_scope = False
    edit_changes = {"short_name": "材料所", "address": "甲市科技园"}
    protected_fields = {"kind": "enterprise", "is_demo": True}

    def in_scope(self, world: Any) -> Any:
        return Institute.objects.create(name=f"甲市新材料研究院{Institute.objects.count()}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "甲市农业科学研究院", "uscc": factories.valid_uscc(7_000_002)}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"name": "", "uscc": "not-a-uscc"}
