"""Cells and columns of the import (issue #6 points 3–7): invisible characters, codes typed as
numbers, code levels, the 门类 letter, the header row, USCC forms, Excel date serials."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from chanjiao.catalog.models import Industry, Region
from chanjiao.core.audit import audit_context
from chanjiao.core.imports import parse_date
from chanjiao.core.imports.cells import cell_text, code_text
from chanjiao.core.registry import registry
from chanjiao.orgs.imports import EnterpriseImporter, SchoolImporter, parse_uscc
from chanjiao.orgs.models import Committee, Enterprise, School
from tests import factories

NUMBER_LOST = "该单元格已被 Excel 转为数字"


def write_xlsx(path: Path, rows: list[list[Any]], start_row: int = 0) -> Path:
    """Numbers are written as numbers (as Excel stores a code typed into a General cell)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def commit(importer: Any, user: Any, path: Path) -> Any:
    with audit_context(user=user, source="test"):
        return importer(user).commit(path, path.name)


def reasons(result: Any) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.reason for e in result.errors}


@pytest.fixture
def catalogs(db: None) -> None:
    hubei = Region.objects.create(code="42", name="湖北省", level=Region.Level.PROVINCE, edition="2023")
    yichang = Region.objects.create(code="4205", name="宜昌市", level=Region.Level.CITY, parent=hubei, edition="2023")
    xiling = Region.objects.create(code="420502", name="西陵区", level=Region.Level.COUNTY, parent=yichang,
                                   edition="2023")
    Region.objects.create(code="420502001", name="西陵街道", level=Region.Level.TOWNSHIP, parent=xiling,
                          edition="2023")
    section_a = Industry.objects.create(code="A", name="农、林、牧、渔业", level=Industry.Level.SECTION, section="A",
                                        edition="2017")
    section_c = Industry.objects.create(code="C", name="制造业", level=Industry.Level.SECTION, section="C",
                                        edition="2017")
    for code, name, level, section, parent in [
        ("01", "农业", Industry.Level.DIVISION, "A", section_a),
        ("013", "蔬菜、食用菌及园艺作物种植", Industry.Level.GROUP, "A", None),
        ("0131", "棉花种植", Industry.Level.CLASS, "A", None),
        ("0111", "稻谷种植", Industry.Level.CLASS, "A", None),
        ("13", "农副食品加工业", Industry.Level.DIVISION, "C", section_c),
        ("131", "谷物磨制", Industry.Level.GROUP, "C", None),
        ("3411", "锅炉及辅助设备制造", Industry.Level.CLASS, "C", None),
    ]:
        Industry.objects.create(code=code, name=name, level=level, section=section, parent=parent, edition="2017")


ENTERPRISE_HEADER = ["统一社会信用代码", "企业名称", "行业代码", "所在区县代码", "人数统计日期"]


def enterprise_row(n: int, industry: Any = None, region: Any = None, date: Any = None) -> list[Any]:
    return [factories.valid_uscc(5_000 + n), f"单元格测试企业{n}", industry, region, date]


# --- 3(a) invisible characters -------------------------------------------------------------------

def test_a_required_cell_of_invisible_characters_is_empty(world: Any, tmp_path: Path) -> None:
    assert cell_text("\u200b\ufeff\u2060 ") == ""
    assert cell_text("\u200b甲\u200d校\ufeff") == "甲校"
    path = write_xlsx(tmp_path / "s.xlsx", [["学校标识码", "学校名称"], ["4142010009", "\u200b\ufeff"],
                                           ["4142010010", "\ufeff正常学校\u200b"]])
    result = commit(SchoolImporter, world.bureau_admin, path)
    assert reasons(result) == {(2, "学校名称"): "必填项不能为空"}
    assert not School.objects.filter(school_code__in=["4142010009", "4142010010"]).exists()


def test_a_row_of_invisible_characters_is_a_blank_line(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["学校标识码", "学校名称"], ["\u200b", "\ufeff"],
                                           ["4142010010", "正常学校"]])
    result = commit(SchoolImporter, world.bureau_admin, path)
    assert result.committed and result.created == 1, result.errors


# --- 3(b) codes that arrived as numbers ----------------------------------------------------------

def test_a_number_matching_two_codes_is_refused_never_mapped(world: Any, catalogs: None, tmp_path: Path) -> None:
    # 0131 棉花种植 typed into a General cell arrives as 131, which is also 谷物磨制.
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, enterprise_row(1, industry=131)])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    reason = reasons(result)[(2, "行业代码")]
    assert NUMBER_LOST in reason and "请将该列设为文本格式" in reason and "0131" in reason and "131" in reason
    assert not result.committed and not Enterprise.objects.filter(name="单元格测试企业1").exists()


def test_a_number_with_one_possible_code_gets_its_zeros_back(world: Any, catalogs: None, tmp_path: Path) -> None:
    # 0111 arrives as 111; no code 111 exists, so 0111 is the only code it can have been.
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, enterprise_row(2, industry=111, region=420502),
                                           enterprise_row(3, industry="0131"), enterprise_row(4, industry="131")])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert result.committed, result.errors
    got = dict(Enterprise.objects.filter(name__startswith="单元格测试企业").values_list("name", "industry__code"))
    assert got == {"单元格测试企业2": "0111", "单元格测试企业3": "0131", "单元格测试企业4": "131"}
    assert Enterprise.objects.get(name="单元格测试企业2").region.code == "420502"


def test_a_school_code_that_lost_digits_says_it_became_a_number(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["学校标识码", "学校名称"], [414201001, "短了一位的学校"]])
    result = commit(SchoolImporter, world.bureau_admin, path)
    assert NUMBER_LOST in reasons(result)[(2, "学校标识码")]


# --- 3(c) the level a code column names -----------------------------------------------------------

@pytest.mark.parametrize(("cell", "reason"), [
    ("42", "“42”是省级代码，此列应填县级代码"),
    ("4205", "“4205”是地级代码，此列应填县级代码"),
    ("420502001", "“420502001”是乡级代码，此列应填县级代码"),
    (42, "“42”是省级代码，此列应填县级代码"),
])
def test_a_district_column_takes_county_codes_only(world: Any, catalogs: None, tmp_path: Path,
                                                   cell: Any, reason: str) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, enterprise_row(5, region=cell)])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert reasons(result) == {(2, "所在区县代码"): reason}


def test_a_county_code_is_taken(world: Any, catalogs: None, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", [["学校标识码", "学校名称", "所在区县代码"],
                                           ["4142010011", "西陵学校", "420502"]])
    result = commit(SchoolImporter, world.bureau_admin, path)
    assert result.committed, result.errors
    assert School.objects.get(school_code="4142010011").region.name == "西陵区"


# --- 5 the 门类 letter -------------------------------------------------------------------------------

def test_industry_codes_with_their_section_letter(world: Any, catalogs: None, tmp_path: Path) -> None:
    cells = ["C3411", "Ｃ３４１１", "c3411", "3411", "A131"]  # full width, lower case, no letter, wrong letter
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, *(enterprise_row(6 + n, industry=cell)
                                                                for n, cell in enumerate(cells))])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert reasons(result) == {(6, "行业代码"): "代码 131 的门类代码是 C，不是 A"}
    path = write_xlsx(tmp_path / "e2.xlsx", [ENTERPRISE_HEADER, *(enterprise_row(n, industry="C3411")
                                                                 for n in range(6, 10))])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert result.committed and result.created == 4, result.errors
    assert set(Enterprise.objects.filter(name__startswith="单元格测试企业").values_list("industry__code",
                                                                                    flat=True)) == {"3411"}


def test_a_section_letter_alone_is_not_an_industry_code(world: Any, catalogs: None, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, enterprise_row(11, industry="C")])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert reasons(result) == {(2, "行业代码"): "“C”是门类代码，此列应填大类、中类、小类代码"}


@pytest.fixture
def example_world(world: Any, catalogs: None, request: pytest.FixtureRequest) -> Any:
    """What the templates' example rows refer to (a school 4141000001 is in ``world``)."""
    from chanjiao.orgs.models import PillarIndustry, VocationalGroup

    group = VocationalGroup.objects.create(name="示例职教集团", secretariat=world.department)
    pillar = PillarIndustry.objects.create(group=group, name="智能制造")
    committee = Committee.objects.create(group=group, pillar=pillar, name="智能制造产学合作委员会",
                                         director=world.department)
    # The matching cycle's examples name an event, teachers, a major and an order-class agreement.
    import datetime as dt

    from chanjiao.engagement.models import Agreement, Event
    from tests import factories

    for department, short in ((world.department, "市商务局"), (world.department_b, "市农业农村局")):
        department.short_name = short
        department.save()
    Event.objects.create(kind="symposium", title="2019年智能制造校企合作座谈会", date=dt.date(2019, 5, 20),
                         committee=committee)
    for number in ("T2019001", "T2019002"):
        factories.TeacherFactory(school=world.school_a, employee_no=number)
    factories.MajorFactory(code="460103", name="数控技术")
    agreement = Agreement.objects.create(number="YC-DD-2019-001", title="订单培养协议", kind="order",
                                         start=dt.date(2019, 9, 1))
    agreement.schools.set([world.school_a])
    agreement.enterprises.set([world.enterprise])
    # The yearly figures' example names the offering of the offerings' example (school_a, 460103).
    param = getattr(request.node, "callspec", None)
    name = param.params["importer"].__name__ if param and "importer" in param.params else ""
    if name == "OfferingYearImporter":
        from chanjiao.catalog.models import Major

        factories.OfferingFactory(school=world.school_a, major=Major.objects.get(code="460103"))
    # The crosswalk's and the demand's examples: 460103 in its 2021 class 4601, industry 38 (制造业), an occupation
    # (车工), a draft version 2, the committee that collected the demand.
    if name in ("CrosswalkEntryImporter", "DeclaredDemandImporter"):
        from chanjiao.catalog.models import Industry, Major

        Major._base_manager.filter(code="460103").update(class_code="4601", category_code="46")
        Industry.objects.create(code="38", name="电气机械和器材制造业", level=Industry.Level.DIVISION, section="C",
                                edition="2017")
        factories.OccupationFactory(code="6-18-01-01", name="车工")
    if name == "CrosswalkEntryImporter":
        factories.CrosswalkVersionFactory(number=2, title="示例对照表（编辑中）")
    if name == "DeclaredDemandImporter":
        Committee.objects.create(group=group, pillar=pillar, name="装备制造产学合作委员会", director=world.department)
    return world


def importers() -> list[Any]:
    from django.urls import get_resolver

    get_resolver().url_patterns  # the registry fills as the apps' ui modules are imported by the URLconf
    return [ui.importer for ui in registry if ui.importer]


def test_the_registry_has_the_importers() -> None:
    assert {i.__name__ for i in importers()} >= {"SchoolImporter", "EnterpriseImporter", "ContactImporter",
                                                  "TeacherImporter", "CommitteeMembershipImporter"}


@pytest.mark.parametrize("importer", importers(), ids=lambda i: i.__name__)
def test_each_template_imports_its_own_example_row(example_world: Any, tmp_path: Path, importer: Any) -> None:
    from chanjiao.core.imports import template_bytes

    importer(None)  # bind
    required = [c.header for c in importer.columns if (c.required or c.fk) and not c.example]
    assert not required, f"{importer.__name__}: columns without an example value: {required}"
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_bytes(importer))
    result = commit(importer, example_world.bureau_admin, path)
    assert result.committed, (result.refused, result.errors)
    assert (result.created, result.rows) == (1, 1)


# --- 4 the header row ----------------------------------------------------------------------------------

def test_header_below_blank_rows_and_a_title(world: Any, tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    sheet = book.add_worksheet()
    sheet.merge_range(2, 0, 2, 1, "2025 年学校名单")  # a merged title on row 3, rows 1–2 blank
    sheet.write_row(3, 0, ["学校标识码", "学校名称"])
    sheet.write_row(4, 0, ["4142010012", "标题下的学校"])
    sheet.write_row(5, 0, ["4142010013", ""])
    book.close()
    result = commit(SchoolImporter, world.bureau_admin, tmp_path / "t.xlsx")
    assert result.header_row == 4
    assert reasons(result) == {(6, "学校名称"): "必填项不能为空"}  # the row Excel shows
    write_xlsx(tmp_path / "ok.xlsx", [["学校标识码", "学校名称"], ["4142010012", "标题下的学校"]], start_row=2)
    result = commit(SchoolImporter, world.bureau_admin, tmp_path / "ok.xlsx")
    assert result.committed and result.header_row == 3, result.errors
    assert School.objects.filter(name="标题下的学校").exists()


def test_a_missing_column_names_the_row_taken_as_header(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["学校名单"], ["学校标识码", "学校"], ["4142010014", "甲"]])
    result = commit(SchoolImporter, world.bureau_admin, path)
    assert reasons(result) == {(2, "学校名称"): "缺少必填列“学校名称”（第 2 行被视为列名行）"}


# --- 6 统一社会信用代码 ------------------------------------------------------------------------------------

def test_uscc_full_width_letters_and_digits_are_folded() -> None:
    code = factories.valid_uscc(77)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert parse_uscc(full_width) == code
    assert parse_uscc(" " + code.lower() + "\u200b") == code
    assert code_text("９１ＡＢ") == "91AB"


@pytest.mark.parametrize("cell", [914201000000000000, 9.14201e17, "9.14201E+17"])
def test_a_uscc_that_became_a_number_says_so(cell: Any) -> None:
    with pytest.raises(ValueError, match=NUMBER_LOST):
        parse_uscc(cell)


def test_a_uscc_number_in_a_sheet_says_so(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", [["统一社会信用代码", "企业名称"], [914201000000000000, "数字代码企业"]])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert NUMBER_LOST in reasons(result)[(2, "统一社会信用代码")]


# --- 7 dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [43529, 43529.0, 43529.75, "2019-03-05 00:00:00", "2019/3/5 0:00",
                                  "2019-03-05T00:00:00", "2019-03-05", 20190305, dt.datetime(2019, 3, 5)])
def test_date_forms(cell: Any) -> None:
    assert parse_date(cell) == dt.date(2019, 3, 5)


def test_date_serial_and_datetime_text_in_a_sheet(world: Any, catalogs: None, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, enterprise_row(12, date=43529),
                                           enterprise_row(13, date="2019-03-05 00:00:00")])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert result.committed, result.errors
    dates = set(Enterprise.objects.filter(name__startswith="单元格测试企业").values_list("headcount_date", flat=True))
    assert dates == {dt.date(2019, 3, 5)}
