"""Harness tests for the people the organisations hold: contacts and teachers.

Unlike the organisation registry, these rows are private to their organisation (AC-03): another
school's admin gets a 404, and no request body can move a row to another organisation (AC-05).
"""

from __future__ import annotations

import itertools
from typing import Any

from chanjiao.orgs import ui
from chanjiao.orgs.models import Contact, Teacher
from tests.harness import ModelHarness

_numbers = itertools.count(1)


class TestContactViews(ModelHarness):
    ui = ui.contacts
    api_path = "/api/orgs/contacts/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    owner_field = "organisation"
    edit_changes = {"title": "教务处处长", "note": "负责校企合作"}

    def in_scope(self, world: Any) -> Any:
        return Contact.objects.create(organisation=world.school_a, name="张老师", phone="13812345678")

    def out_of_scope(self, world: Any) -> Any:
        return Contact.objects.create(organisation=world.school_b, name="李老师", phone="13987654321")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"organisation": world.school_a.pk, "name": "王主任", "title": "就业处主任",
                "phone": "13700001111", "email": "wang@example.cn"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"organisation": world.school_a.pk, "name": "", "email": "not-an-email"}

    def marker(self, obj: Any) -> str:
        return obj.name


class TestTeacherViews(ModelHarness):
    ui = ui.teachers
    api_path = "/api/orgs/teachers/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    owner_field = "school"
    edit_changes = {"subject": "数控技术", "is_dual_qualified": True}

    def in_scope(self, world: Any) -> Any:
        return Teacher.objects.create(school=world.school_a, name="赵老师", employee_no=f"A{next(_numbers):04d}")

    def out_of_scope(self, world: Any) -> Any:
        return Teacher.objects.create(school=world.school_b, name="钱老师", employee_no="B0001")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "name": "孙老师", "employee_no": "N0001", "subject": "机电一体化",
                "enterprise_years": "2.5", "category": "subject"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "name": "", "employee_no": "", "enterprise_years": "-1"}

    def marker(self, obj: Any) -> str:
        return obj.name
