"""Harness tests for schools, enterprises and departments: the data, nothing else."""

from __future__ import annotations

from typing import Any

from chanjiao.accounts.models import Membership
from chanjiao.orgs import ui
from tests import factories
from tests.harness import ModelHarness


class TestSchoolViews(ModelHarness):
    ui = ui.schools
    api_path = "/api/orgs/schools/"
    persona = "school_admin_a"
    creator = "bureau_admin"
    deleter_persona = "bureau_admin"  # the school's own admin holds a membership that protects it
    out_of_scope_visible = True  # the organisation registry is city-wide; only writes are scoped
    edit_changes = {"short_name": "甲职院", "address": "甲市学府路1号"}
    protected_fields = {"kind": "enterprise", "is_demo": True, "initials": "x", "id": 999}

    def in_scope(self, world: Any) -> Any:
        return world.school_a

    def out_of_scope(self, world: Any) -> Any:
        return world.school_b

    def deletable(self, world: Any) -> Any:
        return factories.SchoolFactory()

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "丙市交通技师学院", "school_code": "4141000099", "school_level": "associate",
                "funding": "public", "competent_authority": "丙市教育局"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"name": "", "school_code": "4141000099", "school_level": "no-such-level"}


class TestEnterpriseViews(ModelHarness):
    ui = ui.enterprises
    api_path = "/api/orgs/enterprises/"
    persona = "enterprise_contact"
    creator = "bureau_admin"
    deleter_persona = "bureau_admin"
    out_of_scope_visible = True
    edit_changes = {"short_name": "甲智造", "headcount": 320}
    protected_fields = {"kind": "school", "school_code": "4141000077", "is_demo": True}

    def in_scope(self, world: Any) -> Any:
        return world.enterprise

    def out_of_scope(self, world: Any) -> Any:
        return world.enterprise_b

    def deletable(self, world: Any) -> Any:
        return factories.EnterpriseFactory()

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "丙市新能源汽车有限公司", "uscc": factories.valid_uscc(8_000_001), "size": "medium",
                "ownership": "private"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"name": "", "uscc": "not-a-uscc", "size": "huge"}


class TestDepartmentViews(ModelHarness):
    ui = ui.departments
    api_path = "/api/orgs/departments/"
    persona = "dept_authority"
    creator = "bureau_admin"
    deleter_persona = "bureau_admin"
    out_of_scope_visible = True
    edit_changes = {"short_name": "商务局", "address": "甲市政务中心"}
    protected_fields = {"kind": "school", "uscc": factories.valid_uscc(8_000_002)}

    def in_scope(self, world: Any) -> Any:
        return world.department

    def out_of_scope(self, world: Any) -> Any:
        return world.department_b

    def deletable(self, world: Any) -> Any:
        return factories.DepartmentFactory()

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "丙市人力资源和社会保障局", "is_industry_authority": True}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"name": "", "website": "not a url"}


def test_it_keeps_membership_of_protected_school(world: Any, login: Any) -> None:
    # Deleting a school that users still belong to is refused with a message, not a 500.
    response = login("bureau_admin").post(f"/orgs/school/{world.school_a.pk}/delete/")
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=world.school_a).exists()
