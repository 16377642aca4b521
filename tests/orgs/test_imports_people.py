"""Importing contacts, teachers and committee memberships: organisations by 单位代码, owners by scope."""

from __future__ import annotations

import datetime as dt
import decimal
import io
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from chanjiao.accounts.models import Membership
from chanjiao.core.audit import audit_context
from chanjiao.core.models import AuditEvent, Job
from chanjiao.core.roles import Role
from chanjiao.orgs.imports import CommitteeMembershipImporter, ContactImporter, TeacherImporter
from chanjiao.orgs.models import Committee, CommitteeMembership, Contact, PillarIndustry, Teacher, VocationalGroup
from tests import factories

CONTACT_HEADERS = ["单位代码", "姓名", "职务", "联系电话", "电子邮箱", "主要联系人"]
TEACHER_HEADERS = ["学校标识码", "工号", "姓名", "任教专业/学科", "双师型", "企业工作经历（年）", "入职日期"]
MEMBER_HEADERS = ["产学合作委员会", "单位代码", "角色", "委员姓名", "加入日期", "退出日期"]
COMMITTEE = "智能制造产学合作委员会"
OTHER_COMMITTEE = "现代农业产学合作委员会"


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()),
                                     book.add_format({"num_format": "yyyy-mm-dd"}))
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def data_events() -> int:
    return AuditEvent.objects.filter(category="data", object_type__startswith="orgs.").count()


def commit(importer: Any, user: Any, path: Path) -> Any:
    with audit_context(user=user, source="test"):
        return importer(user).commit(path, path.name)


def errors(result: Any) -> set[tuple[int, str, str, str]]:
    return {(e.row, e.column, e.value, e.reason) for e in result.errors}


def counts(result: Any) -> tuple[int, int, int]:
    return result.created, result.updated, result.unchanged


@pytest.fixture
def import_dir(tmp_path: Path, settings: Any) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path


@pytest.fixture
def committees(world: Any) -> Any:
    """``world.committee`` is led by ``committee_leader`` (its department directs it); the other is not."""
    group = VocationalGroup.objects.create(name="甲市职业教育集团", secretariat=world.department_b)
    pillar = PillarIndustry.objects.create(group=group, name="智能制造", order=10)
    pillar_b = PillarIndustry.objects.create(group=group, name="现代农业", order=20)
    world.committee = Committee.objects.create(group=group, pillar=pillar, name=COMMITTEE,
                                               director=world.department, vice_director=world.school_a)
    world.other_committee = Committee.objects.create(group=group, pillar=pillar_b, name=OTHER_COMMITTEE,
                                                     director=world.department_b, vice_director=world.school_b)
    leader = factories.UserFactory(username="committee_leader", full_name="committee_leader姓名")
    Membership.objects.create(user=leader, role=Role.COMMITTEE_LEADER, organisation=world.department)
    world.users["committee_leader"] = leader
    return world


# --- contacts --------------------------------------------------------------------------------------

def contact_rows(world: Any) -> list[list[Any]]:
    return [
        ["4141000001", "张老师", "校企合作处处长", "13912345678", "zhang@example.cn", "是"],
        [4141000001, "李老师", "", "0717-6123456", "", "否"],  # the code typed as a number
        [world.enterprise.uscc, "王经理", "人事经理", 13812344321, "", ""],
        [world.enterprise.uscc.lower(), "赵工", "", "", "", ""],  # a lower-case USCC is the same code
    ]


def test_contacts_import_then_reimport_changes_nothing(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CONTACT_HEADERS, contact_rows(world))
    result = commit(ContactImporter, world.bureau_admin, path)
    assert result.committed, errors(result)
    assert counts(result) == (4, 0, 0)
    zhang = Contact.objects.get(name="张老师")
    assert zhang.organisation_id == world.school_a.pk and zhang.is_primary and zhang.phone == "13912345678"
    assert Contact.objects.get(name="李老师").phone == "0717-6123456"
    assert Contact.objects.get(name="王经理").organisation_id == world.enterprise.pk
    assert Contact.objects.get(name="王经理").phone == "13812344321"
    assert Contact.objects.get(name="赵工").organisation_id == world.enterprise.pk
    event = AuditEvent.objects.get(category="data", action="create", object_type="orgs.contact",
                                   object_id=str(zhang.pk))
    assert event.object_repr == "张老师（甲市第一职业技术学院）"
    assert "13912345678" not in str(event.changes)  # PIPL: the log keeps a masked number
    events = data_events()

    again = commit(ContactImporter, world.bureau_admin, path)
    assert again.committed and counts(again) == (0, 0, 4)
    assert data_events() == events and Contact.objects.count() == 4

    # (单位, 姓名) is the key: a new phone number updates the contact, it does not add one.
    rows = contact_rows(world)
    rows[0][3] = "13900001111"
    third = commit(ContactImporter, world.bureau_admin, write_xlsx(tmp_path / "c2.xlsx", CONTACT_HEADERS, rows))
    assert counts(third) == (0, 1, 3)
    assert Contact.objects.get(pk=zhang.pk).phone == "13900001111" and Contact.objects.count() == 4


def test_contact_errors_all_reported_and_nothing_written(world: Any, tmp_path: Path) -> None:
    rows = [
        ["4141000001", "张老师", "", "13912345678", "", "是"],  # fine
        ["4141000001", "钱老师", "", "12345", "", ""],  # bad phone
        ["4141009999", "孙老师", "", "", "", ""],  # unknown school code
        ["4141000001", "张老师", "", "", "", ""],  # duplicates row 2
        ["4141000002", "周老师", "", "", "", ""],  # another school's contact
        ["12345", "吴老师", "", "", "", ""],  # neither a school code nor a USCC
        [world.enterprise.uscc, "郑经理", "", "", "bad-mail", ""],  # an enterprise and a bad e-mail
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", CONTACT_HEADERS, rows)
    before = (Contact.objects.count(), data_events())

    result = commit(ContactImporter, world.school_admin_a, path)

    got = errors(result)
    assert (4, "单位代码", "4141009999", "代码不存在（单位）") in got
    assert any(e[0] == 5 and e[1] == "单位代码" and e[3] == "与第 2 行重复" for e in got)
    assert (6, "单位代码", "4141000002", "您无权为该单位导入数据") in got
    assert (7, "单位代码", "12345", "应为 10 位学校标识码或 18 位统一社会信用代码") in got
    assert (8, "单位代码", world.enterprise.uscc, "您无权为该单位导入数据") in got
    phone = [e for e in result.errors if e.column == "联系电话"]
    assert [e.row for e in phone] == [3] and "格式不正确" in phone[0].reason
    assert any(e.row == 8 and e.column == "电子邮箱" for e in result.errors)
    assert result.error_count == len(got) == 7
    assert not result.committed
    assert (Contact.objects.count(), data_events()) == before
    assert AuditEvent.objects.filter(action="import", outcome="failure").exists()

    # The own school's rows alone import.
    result = commit(ContactImporter, world.school_admin_a,
                    write_xlsx(tmp_path / "own.xlsx", CONTACT_HEADERS, rows[:1]))
    assert result.committed and counts(result) == (1, 0, 0)


def test_school_code_and_uscc_of_one_school_are_one_key(world: Any, tmp_path: Path) -> None:
    school_uscc = factories.valid_uscc(7_000_001)
    world.school_a.uscc = school_uscc
    world.school_a.save()
    rows = [["4141000001", "张老师", "", "", "", ""], [school_uscc, "张老师", "", "", "", ""]]
    result = commit(ContactImporter, world.bureau_admin, write_xlsx(tmp_path / "c.xlsx", CONTACT_HEADERS, rows))
    assert errors(result) == {(3, "单位代码", school_uscc, "与第 2 行重复")}
    assert not Contact.objects.exists()


# --- teachers --------------------------------------------------------------------------------------

def teacher_rows() -> list[list[Any]]:
    return [
        ["4141000001", "T001", "李明", "数控技术", "是", 2.5, dt.date(2018, 9, 1)],
        ["4141000001", 1002, "王芳", "机电一体化", "否", "", "2020/03/01"],  # 工号 typed as a number
        [4141000001, "T003", "陈刚", "", "", 3, ""],
    ]


def test_teachers_import_then_reimport_changes_nothing(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", TEACHER_HEADERS, teacher_rows())
    result = commit(TeacherImporter, world.school_admin_a, path)
    assert result.committed, errors(result)
    assert counts(result) == (3, 0, 0)
    li = Teacher.objects.get(school=world.school_a, employee_no="T001")
    assert li.is_dual_qualified and li.enterprise_years == decimal.Decimal("2.5")
    assert li.hire_date == dt.date(2018, 9, 1) and li.subject == "数控技术"
    wang = Teacher.objects.get(employee_no="1002")
    assert not wang.is_dual_qualified and wang.enterprise_years == 0 and wang.hire_date == dt.date(2020, 3, 1)
    assert AuditEvent.objects.get(category="data", action="create", object_type="orgs.teacher",
                                  object_id=str(li.pk)).object_repr == "李明（甲市第一职业技术学院）"
    events = data_events()

    again = commit(TeacherImporter, world.school_admin_a, path)
    assert again.committed and counts(again) == (0, 0, 3)
    assert data_events() == events

    rows = teacher_rows()
    rows[2][4] = "是"
    third = commit(TeacherImporter, world.school_admin_a, write_xlsx(tmp_path / "t2.xlsx", TEACHER_HEADERS, rows))
    assert counts(third) == (0, 1, 2)
    assert Teacher.objects.get(employee_no="T003").is_dual_qualified
    assert data_events() == events + 1


def test_teacher_errors_all_reported_and_nothing_written(world: Any, tmp_path: Path) -> None:
    future = dt.date.today() + dt.timedelta(days=30)
    rows = [
        ["4141000001", "T001", "李明", "", "是", 2.5, ""],  # fine
        ["4141000001", "T002", "王芳", "", "也许", -1, ""],  # bad 是/否, negative years
        ["4141009999", "T003", "陈刚", "", "", "", ""],  # unknown school code
        ["4141000001", "T001", "李明", "", "", "", ""],  # duplicates row 2
        ["4141000002", "B001", "乙校老师", "", "", "", ""],  # another school
        ["4141000001", "T006", "", "", "", 1.25, future],  # no name, two decimals, hired in the future
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", TEACHER_HEADERS, rows)
    before = (Teacher.objects.count(), data_events())

    result = commit(TeacherImporter, world.school_admin_a, path)

    got = {(row, column, reason) for row, column, _value, reason in errors(result)}
    assert got == {
        (3, "双师型", "应填“是”或“否”"),
        (3, "企业工作经历（年）", "不能小于 0"),
        (4, "学校标识码", "代码不存在（学校）"),
        (5, "学校标识码", "与第 2 行重复"),
        (6, "学校标识码", "您无权为该单位导入数据"),
        (7, "姓名", "必填项不能为空"),
        (7, "企业工作经历（年）", "最多保留 1 位小数"),
    }, got
    values = {(e.row, e.column): e.value for e in result.errors}
    assert values[(3, "企业工作经历（年）")] == "-1" and values[(6, "学校标识码")] == "4141000002"
    assert result.error_count == 7 and not result.committed
    assert (Teacher.objects.count(), data_events()) == before

    rows = [["4141000001", "T006", "新人", "", "", "", future]]
    result = commit(TeacherImporter, world.school_admin_a, write_xlsx(tmp_path / "f.xlsx", TEACHER_HEADERS, rows))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(2, "入职日期", "入职日期不能晚于今天。")]
    assert not Teacher.objects.exists()


def upload(client: Any, url: str, path: Path) -> Any:
    with path.open("rb") as fh:
        return client.post(url, {"file": fh})


def test_school_admin_cannot_import_teachers_of_another_school_via_view(world: Any, import_dir: Path,
                                                                       login: Any) -> None:
    client = login("school_admin_a")
    url = reverse("orgs:teacher_import")
    assert client.get(url).status_code == 200
    rows = [["4141000002", "B001", "乙校老师", "", "", "", ""], ["4141000002", "B002", "乙校老师二", "", "", "", ""]]
    before = (Teacher.objects.count(), data_events())

    response = upload(client, url, write_xlsx(import_dir / "b.xlsx", TEACHER_HEADERS, rows))

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "您无权为该单位导入数据" in page and "4141000002" in page
    job = Job.objects.get()
    assert job.status == "rejected" and job.error_count == 2
    assert (Teacher.objects.count(), data_events()) == before

    # School B's admin imports them, confirmed through the same page.
    client_b = login("school_admin_b")
    response = upload(client_b, url, write_xlsx(import_dir / "b2.xlsx", TEACHER_HEADERS, rows))
    job = Job.objects.latest("pk")
    assert job.status == "validated" and job.created == 2
    client_b.post(url, {"job": job.pk, "action": "confirm"})
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert set(Teacher.objects.values_list("school_id", flat=True)) == {world.school_b.pk}


# --- committee memberships -------------------------------------------------------------------------

def member_rows(world: Any) -> list[list[Any]]:
    return [
        [COMMITTEE, world.department.uscc or "", "主任单位", "", "2021-03-01", ""],
        [COMMITTEE, "4141000001", "副主任单位", "张校长", dt.date(2021, 3, 1), ""],
        [COMMITTEE, world.enterprise.uscc, "成员单位", "王经理", "2021-03-01", "2023-12-31"],
        [COMMITTEE, world.enterprise.uscc, "成员单位", "王经理", "2024-06-01", ""],  # re-joined: a second period
    ]


def test_memberships_import_then_reimport_changes_nothing(committees: Any, tmp_path: Path) -> None:
    world = committees
    world.department.uscc = factories.valid_uscc(8_000_001)
    world.department.save()
    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, member_rows(world))
    result = commit(CommitteeMembershipImporter, world.committee_leader, path)
    assert result.committed, errors(result)
    assert counts(result) == (4, 0, 0)
    periods = CommitteeMembership.objects.filter(committee=world.committee, organisation=world.enterprise)
    assert sorted((m.joined, m.left) for m in periods) == [(dt.date(2021, 3, 1), dt.date(2023, 12, 31)),
                                                          (dt.date(2024, 6, 1), None)]
    vice = CommitteeMembership.objects.get(organisation=world.school_a)
    assert vice.role == "vice_director" and vice.person_name == "张校长"
    assert CommitteeMembership.objects.get(organisation=world.department).role == "director"
    events = data_events()

    again = commit(CommitteeMembershipImporter, world.committee_leader, path)
    assert again.committed and counts(again) == (0, 0, 4)
    assert data_events() == events

    rows = member_rows(world)
    rows[1][5] = "2025-01-31"  # the school leaves
    third = commit(CommitteeMembershipImporter, world.bureau_admin,
                   write_xlsx(tmp_path / "m2.xlsx", MEMBER_HEADERS, rows))
    assert counts(third) == (0, 1, 3)
    assert CommitteeMembership.objects.get(pk=vice.pk).left == dt.date(2025, 1, 31)


def test_membership_errors_all_reported_and_nothing_written(committees: Any, tmp_path: Path) -> None:
    world = committees
    rows = [
        [COMMITTEE, world.enterprise.uscc, "成员单位", "", "2021-03-01", ""],  # fine
        [OTHER_COMMITTEE, world.enterprise.uscc, "成员单位", "", "2021-03-01", ""],  # not the leader's
        ["不存在的委员会", "4141000001", "成员单位", "", "2021-03-01", ""],  # unknown committee
        [COMMITTEE, "4141009999", "成员单位", "", "2021-03-01", ""],  # unknown school code
        [COMMITTEE, world.enterprise.uscc, "成员单位", "", "2021-03-01", ""],  # duplicates row 2
        [COMMITTEE, "4141000002", "会长单位", "", "2021-03-01", ""],  # not a role
        [COMMITTEE, "4141000002", "成员单位", "", "2021-03-01", "2020-01-01"],  # left before joined
        [COMMITTEE, "4141000001", "成员单位", "", "", ""],  # no joined date
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", MEMBER_HEADERS, rows)
    before = (CommitteeMembership.objects.count(), data_events())

    result = commit(CommitteeMembershipImporter, world.committee_leader, path)

    got = {(row, column) for row, column, _value, _reason in errors(result)}
    assert got == {(3, "产学合作委员会"), (4, "产学合作委员会"), (5, "单位代码"), (6, "产学合作委员会"),
                   (7, "角色"), (8, "退出日期"), (9, "加入日期")}, errors(result)
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert reasons[(3, "产学合作委员会")] == "您无权为该产学合作委员会导入数据"
    assert reasons[(4, "产学合作委员会")] == "名称不存在（产学合作委员会）"
    assert reasons[(5, "单位代码")] == "代码不存在（单位）"
    assert reasons[(6, "产学合作委员会")] == "与第 2 行重复"
    assert reasons[(9, "加入日期")] == "必填项不能为空"
    assert reasons[(8, "退出日期")] == "退出日期不能早于加入日期。"
    assert result.error_count == 7 and not result.committed
    assert (CommitteeMembership.objects.count(), data_events()) == before

    # The secretariat writes every committee.
    result = commit(CommitteeMembershipImporter, world.secretariat,
                    write_xlsx(tmp_path / "ok.xlsx", MEMBER_HEADERS, rows[:2]))
    assert result.committed and counts(result) == (2, 0, 0)


def test_committee_name_shared_by_two_groups_is_ambiguous(committees: Any, tmp_path: Path) -> None:
    world = committees
    group = VocationalGroup.objects.create(name="乙市职业教育集团", secretariat=world.department_b)
    pillar = PillarIndustry.objects.create(group=group, name="智能制造")
    Committee.objects.create(group=group, pillar=pillar, name=COMMITTEE, director=world.department_b)
    rows = [[COMMITTEE, world.enterprise.uscc, "成员单位", "", "2021-03-01", ""]]
    result = commit(CommitteeMembershipImporter, world.bureau_admin,
                    write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, rows))
    assert [e.reason for e in result.errors] == ["名称对应多条产学合作委员会记录，无法确定"]
    assert not CommitteeMembership.objects.exists()


# --- pages: who may import, templates --------------------------------------------------------------

@pytest.mark.parametrize(("persona", "model", "status"), [
    ("school_admin_a", "contact", 200),
    ("enterprise_contact", "contact", 200),
    ("leader", "contact", 403),
    ("school_admin_a", "teacher", 200),
    ("enterprise_contact", "teacher", 403),
    ("bureau_admin", "teacher", 200),
    ("committee_leader", "committeemembership", 200),
    ("school_admin_a", "committeemembership", 403),
    ("secretariat", "committeemembership", 200),
])
def test_who_may_import(committees: Any, login: Any, persona: str, model: str, status: int) -> None:
    client = login(persona)
    assert client.get(reverse(f"orgs:{model}_import")).status_code == status
    assert client.get(reverse(f"orgs:{model}_import_template")).status_code == status
    listing = client.get(reverse(f"orgs:{model}_list")).content.decode()
    assert ("批量导入" in listing) == (status == 200)


@pytest.mark.parametrize(("model", "headers"), [
    ("contact", CONTACT_HEADERS),
    # The template's columns: a file without the optional 教师类别 (the rows above) still imports.
    ("teacher", [*TEACHER_HEADERS[:4], "教师类别", *TEACHER_HEADERS[4:]]),
    ("committeemembership", MEMBER_HEADERS),
])
def test_template_download_has_chinese_headers(world: Any, login: Any, model: str, headers: list[str]) -> None:
    response = login("bureau_admin").get(reverse(f"orgs:{model}_import_template"))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[1] == "说明"
    header = book.get_sheet_by_index(0).to_python()[0]
    assert header[:len(headers)] == headers
    notes = "".join(str(c) for row in book.get_sheet_by_index(1).to_python() for c in row)
    if model != "teacher":
        assert "学校填 10 位学校标识码，其他单位填 18 位统一社会信用代码" in notes
    else:
        assert "学校管理员只能导入本校教师" in notes


def test_queries_do_not_grow_with_rows(committees: Any, tmp_path: Path) -> None:
    """FKs resolve once per column and audit events name their organisation without a query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = committees
    enterprises = [factories.EnterpriseFactory(name=f"成员企业{i}", uscc=factories.valid_uscc(6_000_000 + i))
                   for i in range(40)]

    def run(n: int, name: str) -> int:
        rows = [[COMMITTEE, e.uscc, "成员单位", "", f"20{10 + n % 10}-01-01", ""] for e in enterprises[:n]]
        with CaptureQueriesContext(connection) as queries:
            result = commit(CommitteeMembershipImporter, world.bureau_admin,
                            write_xlsx(tmp_path / name, MEMBER_HEADERS, rows))
        assert result.committed and result.created == n, errors(result)
        return len(queries)

    small, big = run(4, "small.xlsx"), run(40, "big.xlsx")
    assert big - small < 5, (small, big)  # a query per row would add 36 or more (SQLite batches bulk inserts)
    event = AuditEvent.objects.filter(category="data", action="create",
                                      object_type="orgs.committeemembership").latest("pk")
    assert event.object_repr.startswith(f"{COMMITTEE} · 成员企业")
