"""导出（可再导入）: export → edit in Excel → import back shows exactly the edits (issue 6, point 13).

The export is generated from the importer (its columns, its cell values), so the round trip is
tested for every registered model that has an importer: an unchanged export re-imports as a no-op.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from chanjiao.catalog.models import Industry
from chanjiao.core.audit import audit_context
from chanjiao.core.models import AuditEvent, Job
from chanjiao.core.registry import ModelUI, registry
from chanjiao.orgs.models import (
    Committee,
    CommitteeMembership,
    Contact,
    Enterprise,
    PillarIndustry,
    School,
    Teacher,
    VocationalGroup,
)
from tests import factories
from tests.core.test_import_preview import table

get_resolver().url_patterns  # loads every app's ui.py, which fills the registry
IMPORTABLE = [ui for ui in registry if ui.importer is not None]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"点我\")"


def fill(world: Any) -> dict[type, list[Any]]:
    """Rows of every importable model with every import column filled (choices, 是/否, dates, codes…)."""
    region = factories.RegionFactory(code="420502", name="西陵区")
    industry = factories.IndustryFactory(code="3411", name="锅炉及辅助设备制造", section="C",
                                         level=Industry.Level.CLASS)
    for school, level in [(world.school_a, "associate"), (world.school_b, "secondary")]:
        School.objects.filter(pk=school.pk).update(
            short_name="简称", school_level=level, funding="public", competent_authority="市教育局",
            region=region, address="-1 号楼", website="https://www.example.edu.cn")
    Enterprise.objects.filter(pk=world.enterprise.pk).update(
        short_name="甲智造", industry=industry, size="medium", ownership="mixed", headcount=320,
        headcount_date=dt.date(2025, 12, 31), is_leading=True, established=dt.date(2015, 6, 30),
        integration_status="cultivating",
        region=region, address=FORMULA, website="https://www.example.com")
    contacts = [
        Contact.objects.create(organisation=world.school_a, name="张老师", title="办公室主任", phone="13912345678",
                               email="zhang@example.com", is_primary=True, note=FORMULA),
        Contact.objects.create(organisation=world.enterprise, name="李经理", phone="0717-6123456"),
    ]
    teachers = [
        Teacher.objects.create(school=world.school_a, employee_no="T2024001", name="李明", subject="机电一体化技术",
                               is_dual_qualified=True, enterprise_years=decimal.Decimal("2.5"),
                               hire_date=dt.date(2018, 9, 1)),
        Teacher.objects.create(school=world.school_b, employee_no="007", name="王芳"),
    ]
    group = VocationalGroup.objects.create(name="甲市职业教育集团", secretariat=world.department_b)
    pillar = PillarIndustry.objects.create(group=group, name="智能制造", order=10)
    committee = Committee.objects.create(group=group, pillar=pillar, name="智能制造产学合作委员会",
                                         director=world.department, vice_director=world.school_a)
    memberships = [
        CommitteeMembership.objects.create(committee=committee, organisation=world.enterprise, role="member",
                                           person_name="赵工", joined=dt.date(2021, 3, 1),
                                           left=dt.date(2024, 6, 30), note="+ 备注"),
        CommitteeMembership.objects.create(committee=committee, organisation=world.school_a, role="vice_director",
                                           joined=dt.date(2021, 3, 1)),
    ]
    objects = {School: [world.school_a, world.school_b], Enterprise: [world.enterprise, world.enterprise_b],
               Contact: contacts, Teacher: teachers, CommitteeMembership: memberships}
    return {**objects, **fill_engagement(world, committee, teachers), **fill_layout(world),
            **fill_layout_more(world, committee)}


def fill_layout(world: Any) -> dict[type, list[Any]]:
    """The layout's importable rows: a catalogue major of school A, an off-catalogue one of school B (中职,
    MJ-02), and yearly figures of the catalogue major (the importer names an offering by its major code)."""
    from chanjiao.layout.models import Offering, OfferingYear

    major = factories.MajorFactory(code="460103", name="数控技术")
    offerings = [Offering.objects.create(school=world.school_a, major=major, direction="数控设备维修",
                                         cluster=FORMULA, start_year=2016, filed_on=dt.date(2015, 11, 30),
                                         filing_ref="2015-460103-01"),
                 Offering.objects.create(school=world.school_b, off_catalogue_name="茶艺与茶营销",
                                         start_year=2019, filed_on=dt.date(2019, 6, 30))]
    years = [OfferingYear.objects.create(offering=offerings[0], year=2019, planned_enrolment=90, enrolled=86,
                                         students=252, graduates=80, employed=76, employed_related=61,
                                         starting_salary=4200, satisfaction=decimal.Decimal("92.5")),
             OfferingYear.objects.create(offering=offerings[0], year=2020, enrolled=80)]
    return {Offering: offerings, OfferingYear: years}


def fill_layout_more(world: Any, committee: Committee) -> dict[type, list[Any]]:
    """Crosswalk entries of a draft (the re-import export holds the rows the user may edit; a published version's
    are frozen) — one refined to a major, one for the whole 专业类 (no major: a blank key part) — and declared
    demand with a 专业类 only, an occupation only (no 专业类 or position), and both."""
    from chanjiao.catalog.models import Occupation
    from chanjiao.layout.models import CrosswalkEntry, CrosswalkVersion, DeclaredDemand, JobPosting

    major = factories.MajorFactory(code="460103", name="数控技术")
    industry = Industry.objects.get(code="3411")
    occupation = factories.OccupationFactory(code="6-18-01-01", name="车工", level=Occupation.Level.DETAIL)
    draft = CrosswalkVersion.objects.create(number=5, title="编辑中的对照表")
    entries = [CrosswalkEntry.objects.create(version=draft, class_code=major.class_code, major=major,
                                             industry=industry, occupation=occupation, reason=FORMULA, source="规划"),
               CrosswalkEntry.objects.create(version=draft, class_code=major.class_code, industry=industry,
                                             reason="专业类整体对照", source="专业目录")]
    demand = [DeclaredDemand.objects.create(enterprise=world.enterprise, year=2019, class_code=major.class_code,
                                            position="数控车工", headcount=12, education="associate",
                                            committee=committee, note=FORMULA),
              DeclaredDemand.objects.create(enterprise=world.enterprise, year=2019, occupation=occupation,
                                            headcount=3),
              DeclaredDemand.objects.create(enterprise=world.enterprise_b, year=2020, class_code=major.class_code,
                                            occupation=occupation, headcount=5)]
    postings = [JobPosting.objects.create(source="BOSS直聘", source_ref="1", title="数控车工", company_name="丙机械",
                                          company_uscc=world.enterprise.uscc, place_text="西陵区", tags="数控, 车床",
                                          education="secondary", salary_text="5-8K·13薪", year=2019,
                                          posted_on=dt.date(2019, 4, 20), description=FORMULA),
                JobPosting.objects.create(source="前程无忧", source_ref="https://jobs.example.cn/2.html",
                                          title="会计", company_name="某公司", salary_text="面议", year=2020)]
    return {CrosswalkEntry: entries, DeclaredDemand: demand, JobPosting: postings}


def fill_engagement(world: Any, committee: Committee, teachers: list[Teacher]) -> dict[type, list[Any]]:
    """The matching cycle's importable rows: lists of co-hosts, parties, majors, visitors; a numberless agreement."""
    from chanjiao.engagement.models import Agreement, Event, EventParticipation, OrderClass, TeacherPractice, Visit

    major = factories.MajorFactory(code="460103", name="数控技术")
    events = [Event.objects.create(kind="symposium", title="2019年智能制造校企合作座谈会", date=dt.date(2019, 5, 20),
                                   place="职教中心", committee=committee, policy_briefing=True, outcome=FORMULA),
              Event.objects.create(kind="tour", title="职业校企行", date=dt.date(2019, 6, 3), committee=committee)]
    events[0].co_hosts.set([world.department, world.department_b])
    participations = [
        EventParticipation.objects.create(event=events[0], organisation=world.enterprise, attended=True, attendees=2,
                                          people="张经理"),
        EventParticipation.objects.create(event=events[0], organisation=world.school_a)]
    deep = Agreement.objects.create(number="YC-2019-001", title="深度合作协议", kind="deep", committee=committee,
                                    forms=["majors", "apprenticeship"], hosts_interns=True,
                                    signed_on=dt.date(2019, 5, 20), start=dt.date(2019, 6, 1), end=dt.date(2022, 5, 31))
    deep.schools.set([world.school_a, world.school_b])
    deep.enterprises.set([world.enterprise])
    deep.majors.set([major])
    intent = Agreement.objects.create(title="合作意向书", kind="intent", start=dt.date(2019, 5, 20))
    intent.schools.set([world.school_a])
    intent.enterprises.set([world.enterprise, world.enterprise_b])
    visit = Visit.objects.create(school=world.school_a, enterprise=world.enterprise, date=dt.date(2019, 4, 10),
                                 purpose="了解用工需求", follow_up_by=dt.date(2019, 6, 30))
    visit.visitors.set([teachers[0]])
    practices = [TeacherPractice.objects.create(teacher=teachers[0], enterprise=world.enterprise, form="post",
                                                start=dt.date(2019, 7, 1), end=dt.date(2019, 7, 31), appraisal="good"),
                 TeacherPractice.objects.create(teacher=teachers[0], enterprise=world.enterprise_b, form="training",
                                                start=dt.date(2019, 7, 15), end=dt.date(2019, 8, 15))]
    classes = [OrderClass.objects.create(school=world.school_a, enterprise=world.enterprise, major=major,
                                         cohort_year=2019, name="智造订单班", planned=40, enrolled=38, agreement=deep,
                                         graduates=36, hired=30, retained=25)]
    return {Event: events, EventParticipation: participations, Agreement: [deep, intent], Visit: [visit],
            TeacherPractice: practices, OrderClass: classes}


def export(client: Any, ui: ModelUI, query: str = "") -> Any:
    response = client.get(f"{reverse(ui.url_name('list'))}?{query}{'&' if query else ''}export=import")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return response


def sheet_rows(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def data_events() -> int:
    return AuditEvent.objects.filter(category="data").count()


def test_every_importer_is_covered() -> None:
    assert {ui.model for ui in IMPORTABLE} >= {School, Enterprise, Contact, Teacher, CommitteeMembership}


@pytest.mark.parametrize("ui", IMPORTABLE, ids=lambda ui: ui.name)
def test_unchanged_export_reimports_as_a_no_op(ui: ModelUI, world: Any, login: Any, tmp_path: Path) -> None:
    objects = fill(world)
    assert ui.model in objects, f"add rows of {ui.model.__name__} to fill()"
    response = export(login("bureau_admin"), ui)
    rows = sheet_rows(response.content)
    importer = ui.importer
    assert rows[0] == [c.header for c in importer.columns]  # the template's columns, in its order
    assert len(rows) - 1 == ui.model.objects.count() >= len(objects[ui.model])
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    before = data_events()
    with audit_context(user=world.bureau_admin, source="test"):
        result = importer(world.bureau_admin).commit(path, path.name)
    assert result.errors == [] and not result.refused
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(rows) - 1)
    assert data_events() == before  # nothing written


def test_export_holds_the_values_the_importer_reads(world: Any, login: Any) -> None:
    from chanjiao.orgs import ui as org_ui

    fill(world)
    content = export(login("bureau_admin"), org_ui.enterprises, f"q={world.enterprise.uscc}").content
    rows = sheet_rows(content)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row == {
        "统一社会信用代码": world.enterprise.uscc, "企业名称": "甲市智能制造有限公司", "简称": "甲智造",
        "行业代码": "3411", "企业规模": "中型", "所有制": "混合所有制", "从业人数": 320,
        "人数统计日期": "2025-12-31", "是否龙头企业": "是", "成立日期": "2015-06-30",
        "所在区县代码": "420502", "地址": FORMULA, "网站": "https://www.example.com",
    }
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    address = sheet.cell(row=2, column=rows[0].index("地址") + 1)
    # Formula injection: a text cell with Excel's quote prefix (shown and kept as text when edited).
    assert address.data_type == "s" and address.quotePrefix
    teachers = sheet_rows(export(login("bureau_admin"), org_ui.teachers, "q=李明").content)
    assert teachers[1] == ["4141000001", "T2024001", "李明", "机电一体化技术", "专业课教师", "是", "2.5", "2018-09-01"]


def test_export_names_and_rights(world: Any, login: Any) -> None:
    from chanjiao.orgs import ui as org_ui

    fill(world)
    stamp = timezone.localdate().strftime("%Y%m%d")
    client = login("bureau_admin")
    for mode in ("import", "xlsx"):
        response = client.get(f"{reverse('orgs:enterprise_list')}?export={mode}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f"attachment; filename=\"enterprise-{stamp}.xlsx\"; filename*=UTF-8''{quote('企业')}-{stamp}.xlsx")
        event = AuditEvent.objects.filter(category="security", action="export").latest("pk")
        assert event.changes["format"] == {"import": "import", "xlsx": "list"}[mode]
        assert event.actor_username == "bureau_admin"
    # A school admin gets their own school's teachers only (the rows they may edit and re-import).
    rows = sheet_rows(export(login("school_admin_a"), org_ui.teachers).content)
    assert [r[:2] for r in rows[1:]] == [["4141000001", "T2024001"]]
    # Whoever may not import gets no re-import export (the list export stays).
    leader = login("leader")
    assert leader.get(f"{reverse('orgs:teacher_list')}?export=import").status_code == 403
    assert leader.get(f"{reverse('orgs:teacher_list')}?export=xlsx").status_code == 200
    assert login("bureau_admin").get(f"{reverse('orgs:department_list')}?export=import").status_code == 403


def test_list_page_offers_the_reimport_export(world: Any, login: Any) -> None:
    page = login("bureau_admin").get(reverse("orgs:enterprise_list") + "?size=medium").content.decode()
    assert 'href="?size=medium&export=import"' in page and "导出（可再导入）" in page
    assert "导出（可再导入）" not in login("leader").get(reverse("orgs:enterprise_list")).content.decode()


def test_export_edit_in_excel_reimport_shows_exactly_the_edits(world: Any, login: Any, tmp_path: Path,
                                                                settings: Any) -> None:
    """The issue's "done when": export a filtered list, change cells in Excel, see exactly those changes."""
    settings.VAR_DIR = tmp_path / "var"
    fill(world)
    for n in range(3):  # more medium-sized enterprises, and one small one the filter leaves out
        factories.EnterpriseFactory(name=f"中型企业{n}", uscc=factories.valid_uscc(6_000_000 + n), size="medium")
    factories.EnterpriseFactory(name="小型企业", uscc=factories.valid_uscc(6_000_009), size="small")
    client = login("bureau_admin")
    content = export(client, _ui(Enterprise), "size=medium").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    by_uscc = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert set(by_uscc) == {world.enterprise.uscc, *(factories.valid_uscc(6_000_000 + n) for n in range(3))}
    edits = {  # (USCC, column) → new value, as a user types them in Excel
        (world.enterprise.uscc, "从业人数"): 350,
        (world.enterprise.uscc, "是否龙头企业"): "否",
        (factories.valid_uscc(6_000_001), "企业名称"): "中型企业1（已更名）",
        (factories.valid_uscc(6_000_002), "所有制"): "国有",
    }
    for (code, column), value in edits.items():
        sheet.cell(row=by_uscc[code], column=header.index(column) + 1).value = value
    path = tmp_path / "企业-编辑后.xlsx"
    book.save(path)

    with path.open("rb") as fh:
        response = client.post(reverse("orgs:enterprise_import"), {"file": fh})
    page = client.get(response["Location"]).content.decode()
    job = Job.objects.get()
    assert (job.status, job.created, job.updated, job.unchanged) == ("validated", 0, 3, 1)
    assert table(page, "preview-new") == []
    changed = table(page, "preview-changed")
    shown = {}
    for cells in changed:
        code = cells[1][0]
        for column, (text, cls) in zip(header, cells[1:], strict=True):
            if "changed" in cls:
                shown[(code, column)] = text
    assert shown == {
        (world.enterprise.uscc, "从业人数"): "350 320",
        (world.enterprise.uscc, "是否龙头企业"): "否 是",
        (factories.valid_uscc(6_000_001), "企业名称"): "中型企业1（已更名） 中型企业1",
        (factories.valid_uscc(6_000_002), "所有制"): "国有 民营",
    }
    assert Enterprise.objects.get(pk=world.enterprise.pk).headcount == 320  # nothing written yet

    client.post(reverse("orgs:enterprise_import"), {"job": job.pk, "action": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.updated) == ("succeeded", 3)
    e = Enterprise.objects.get(pk=world.enterprise.pk)
    assert (e.headcount, e.is_leading, e.address) == (350, False, FORMULA)
    assert Enterprise.objects.get(uscc=factories.valid_uscc(6_000_002)).ownership == "state"


def _ui(model: type) -> ModelUI:
    return next(ui for ui in IMPORTABLE if ui.model is model)


def test_school_admin_round_trip_is_scoped(world: Any, login: Any, tmp_path: Path) -> None:
    """A school admin's export holds only their school, and re-importing it is allowed and a no-op."""
    fill(world)
    content = export(login("school_admin_a"), _ui(School)).content
    rows = sheet_rows(content)
    assert [r[0] for r in rows[1:]] == ["4141000001"]
    path = tmp_path / "s.xlsx"
    path.write_bytes(content)
    result = _ui(School).importer(world.school_admin_a).validate(path, path.name)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 1)
