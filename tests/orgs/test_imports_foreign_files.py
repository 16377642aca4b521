"""Spreadsheets saved by LibreOffice (.xlsx, .ods, .xls) import like our own templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chanjiao.core.audit import audit_context
from chanjiao.orgs.imports import SchoolImporter
from chanjiao.orgs.models import School

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


@pytest.mark.parametrize("name", ["schools-libreoffice.xlsx", "schools-libreoffice.ods", "schools-libreoffice.xls"])
def test_a_libreoffice_file_imports_and_reimports_as_a_no_op(world: Any, name: str) -> None:
    path = FIXTURES / name
    with audit_context(user=world.bureau_admin, source="test"):
        first = SchoolImporter(world.bureau_admin).commit(path, name)
        second = SchoolImporter(world.bureau_admin).commit(path, name)

    assert not first.errors, first.errors
    assert (first.created, first.updated) == (3, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    school = School.objects.get(school_code="4142900002")  # a numeric cell, read back as 10 digits
    assert school.name == "宜昌示范第二职业技术学院"
    assert (school.school_level, school.funding) == ("associate", "private")
