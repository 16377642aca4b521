"""Excel import of the matching cycle (issue #9 point 10): events with participants, agreements with
parties, visits, teacher practice and order classes.

Per importer: a good file imports with its audit events and re-imports as a no-op; a file with several
bad rows reports every error (Excel row, column, Chinese reason) and writes nothing; rows outside the
uploader's scope are refused. The generic cases (every column's bad values, export = import) are
generated in tests/test_generated_importers.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from chanjiao.core.audit import audit_context
from chanjiao.core.imports import Importer, ImportResult
from chanjiao.core.models import AuditEvent, Job
from chanjiao.engagement.imports import (
    AgreementImporter,
    EventImporter,
    EventParticipationImporter,
    OrderClassImporter,
    TeacherPracticeImporter,
    VisitImporter,
)
from chanjiao.engagement.models import Agreement, Event, EventParticipation, OrderClass, TeacherPractice, Visit
from tests import factories

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# --- helpers ---------------------------------------------------------------------------------------------------


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def commit(importer: type[Importer], user: Any, path: Path) -> ImportResult:
    with audit_context(user=user, source="test"):
        return importer(user).commit(path, path.name)


def data_events(model: type) -> list[Any]:
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    return list(AuditEvent.objects.filter(category="data", object_type=label).order_by("pk"))


def errors(result: ImportResult) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.reason) for e in result.errors}


def counts(result: ImportResult) -> tuple[int, int, int]:
    return result.created, result.updated, result.unchanged


def nothing_written(model: type, before: tuple[int, int]) -> bool:
    return (model._base_manager.count(), len(data_events(model))) == before


def state(model: type) -> tuple[int, int]:
    return model._base_manager.count(), len(data_events(model))


def sql(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


# --- events -----------------------------------------------------------------------------------------------------

EVENT_HEADERS = ["活动类型", "活动名称", "日期", "地点", "主办产学合作委员会", "联合主办行业主管部门",
                 "开展一次政策宣讲", "组织企业观摩一次技能竞赛", "召开一次深度对接研讨会", "活动成果"]
NO3 = ["否", "否", "否", ""]  # the three ticks and the outcome


def test_events_import_with_co_hosts_then_reimport_changes_nothing(world: Any, tmp_path: Path) -> None:
    world.department_b.short_name = "农业农村局"
    world.department_b.save()
    rows = [
        ["校企合作座谈会", "2019年智能制造校企合作座谈会", "2019-05-20", "职教中心", "智能制造产学合作委员会",
         "甲市商务局、农业农村局", "是", "否", "是", "签约 3 项"],
        ["职业校企行", "2019年现代农业职业校企行", dt.date(2019, 6, 3), "", "现代农业产学合作委员会", "", *NO3],
    ]
    path = write_xlsx(tmp_path / "events.xlsx", EVENT_HEADERS, rows)
    user = world.secretariat
    earlier = len(data_events(Event))

    result = commit(EventImporter, user, path)

    assert result.committed, result.errors
    assert counts(result) == (2, 0, 0)
    symposium = Event.objects.get(title="2019年智能制造校企合作座谈会")
    assert (symposium.kind, symposium.date, symposium.committee_id) == ("symposium", dt.date(2019, 5, 20),
                                                                        world.committee.pk)
    assert (symposium.policy_briefing, symposium.skills_show, symposium.seminar) == (True, False, True)
    links = sql("SELECT department_id FROM engagement_event_co_hosts WHERE event_id = %s", [symposium.pk])
    assert {r[0] for r in links} == {world.department.pk, world.department_b.pk}  # by name and by short name
    tour = Event.objects.get(title="2019年现代农业职业校企行")
    assert sql("SELECT COUNT(*) FROM engagement_event_co_hosts WHERE event_id = %s", [tour.pk]) == [(0,)]
    created = {e.object_id: e for e in data_events(Event)[earlier:]}
    assert set(created) == {str(symposium.pk), str(tour.pk)}
    assert {e.action for e in created.values()} == {"create"}
    # The links are part of the create event (one event per row), with the departments' names.
    assert sorted(created[str(symposium.pk)].changes["co_hosts"][1]) == sorted([world.department.pk,
                                                                                world.department_b.pk])
    assert set(created[str(symposium.pk)].changes["co_hosts_names"][1]) == {"甲市商务局", "甲市农业农村局"}
    assert created[str(symposium.pk)].actor_username == "secretariat"

    before = state(Event)
    again = commit(EventImporter, user, path)
    assert again.committed and counts(again) == (0, 0, 2)
    assert state(Event) == before

    # A changed list is an update: one event with the links before and after.
    rows[0][5] = "甲市商务局"
    changed_path = write_xlsx(tmp_path / "changed.xlsx", EVENT_HEADERS, rows)
    with audit_context(user=user, source="test"):
        preview = EventImporter(user).validate(changed_path, changed_path.name).preview
    cell = preview["changed"][0]["cells"][EVENT_HEADERS.index("联合主办行业主管部门")]
    assert cell == {"old": "甲市农业农村局、甲市商务局", "new": "甲市商务局", "changed": True}
    assert state(Event) == before  # validating writes nothing
    changed = commit(EventImporter, user, changed_path)
    assert counts(changed) == (0, 1, 1)
    assert {r[0] for r in sql("SELECT department_id FROM engagement_event_co_hosts WHERE event_id = %s",
                              [symposium.pk])} == {world.department.pk}
    update = data_events(Event)[-1]
    assert update.action == "update" and update.object_id == str(symposium.pk)
    assert sorted(update.changes["co_hosts"][0]) == sorted([world.department.pk, world.department_b.pk])
    assert update.changes["co_hosts"][1] == [world.department.pk]


def test_event_errors_all_reported_and_nothing_written(world: Any, tmp_path: Path) -> None:
    rows = [
        ["校企合作座谈会", "好的一行", "2019-05-20", "", "智能制造产学合作委员会", "甲市商务局", "是", "否", "否", ""],
        ["座谈", "类型不对", "2019-05-21", "", "智能制造产学合作委员会", "", "否", "否", "否", ""],
        ["校企合作座谈会", "委员会不存在", "2019-05-22", "", "不存在的委员会", "", "否", "否", "否", ""],
        ["校企合作座谈会", "部门不存在", "2019-13-01", "", "智能制造产学合作委员会", "甲市商务局、市外事办",
         "否", "也许", "否", ""],
        ["校企合作座谈会", "好的一行", "2019-05-20", "", "智能制造产学合作委员会", "", "否", "否", "否", ""],
    ]
    before = state(Event)

    result = commit(EventImporter, world.secretariat, write_xlsx(tmp_path / "bad.xlsx", EVENT_HEADERS, rows))

    assert not result.committed
    found = errors(result)
    assert {(r, c) for r, c, _reason in found} == {
        (3, "活动类型"), (4, "主办产学合作委员会"), (5, "日期"), (5, "联合主办行业主管部门"),
        (5, "组织企业观摩一次技能竞赛"), (6, "活动名称")}
    reasons = {(r, c): reason for r, c, reason in found}
    assert "不是可选值" in reasons[(3, "活动类型")]
    assert "名称不存在" in reasons[(4, "主办产学合作委员会")]
    assert "日期格式" in reasons[(5, "日期")]
    assert "名称不存在" in reasons[(5, "联合主办行业主管部门")]
    assert "与第 2 行重复" in reasons[(6, "活动名称")]
    assert [e.value for e in result.errors if e.column == "联合主办行业主管部门"] == ["市外事办"]
    assert nothing_written(Event, before)


def test_committee_leader_imports_only_its_committees_events(world: Any, tmp_path: Path) -> None:
    leader = world.committee_leader
    rows = [["校企合作座谈会", "本委员会的活动", "2019-05-20", "", "智能制造产学合作委员会", "", *NO3],
            ["校企合作座谈会", "别的委员会的活动", "2019-05-21", "", "现代农业产学合作委员会", "", *NO3],
            # an existing event of the other committee, by its key: not the leader's to change
            ["职业校企行", "现代农业职业校企行", "2024-06-03", "改了地点", "智能制造产学合作委员会", "", *NO3]]
    before = state(Event)

    result = commit(EventImporter, leader, write_xlsx(tmp_path / "leader.xlsx", EVENT_HEADERS, rows))

    assert {(r, c) for r, c, _ in errors(result)} == {(3, "主办产学合作委员会"), (4, "活动名称")}
    assert "您无权" in {c: r for _n, c, r in errors(result)}["主办产学合作委员会"]
    assert nothing_written(Event, before)

    ok = commit(EventImporter, leader, write_xlsx(tmp_path / "own.xlsx", EVENT_HEADERS, rows[:1]))
    assert ok.committed and counts(ok) == (1, 0, 0)
    assert Event.objects.get(title="本委员会的活动").committee_id == world.committee.pk


# --- participations ------------------------------------------------------------------------------------------

PART_HEADERS = ["活动名称", "活动日期", "单位代码", "受邀", "出席", "出席人数", "出席人员"]


def test_participations_import_by_event_title_and_date_then_reimport(world: Any, tmp_path: Path) -> None:
    rows = [["2024年校企合作座谈会", "2024-05-20", world.enterprise.uscc, "是", "是", 2, "张经理、李工"],
            ["2024年校企合作座谈会", dt.date(2024, 5, 20), "4141000001", "", "否", "", ""],
            ["现代农业职业校企行", "2024-06-03", world.enterprise_b.uscc.lower(), "是", "是", 1, "王总"]]
    path = write_xlsx(tmp_path / "parts.xlsx", PART_HEADERS, rows)

    result = commit(EventParticipationImporter, world.secretariat, path)

    assert result.committed, result.errors
    assert counts(result) == (3, 0, 0)
    got = set(EventParticipation.objects.values_list("event_id", "organisation_id", "invited", "attended", "attendees"))
    assert got == {(world.event.pk, world.enterprise.pk, True, True, 2),
                   (world.event.pk, world.school_a.pk, True, False, 0),  # 受邀 left empty: invited
                   (world.other_event.pk, world.enterprise_b.pk, True, True, 1)}
    assert len([e for e in data_events(EventParticipation) if e.action == "create"]) == 3

    before = state(EventParticipation)
    again = commit(EventParticipationImporter, world.secretariat, path)
    assert again.committed and counts(again) == (0, 0, 3)
    assert state(EventParticipation) == before


def test_participation_errors_all_reported_and_nothing_written(world: Any, tmp_path: Path) -> None:
    rows = [["2024年校企合作座谈会", "2024-05-20", world.enterprise.uscc, "是", "是", 2, ""],
            ["没有这个活动", "2024-05-20", world.enterprise.uscc, "是", "是", 2, ""],
            ["2024年校企合作座谈会", "2024-05-21", world.enterprise_b.uscc, "是", "是", 2, ""],
            ["2024年校企合作座谈会", "2024-05-20", world.enterprise_b.uscc, "是", "否", 3, ""],  # ENG-D1
            ["2024年校企合作座谈会", "2024-05-20", factories.valid_uscc(7_777_777), "是", "是", 1, ""]]
    before = state(EventParticipation)

    result = commit(EventParticipationImporter, world.secretariat, write_xlsx(tmp_path / "bad.xlsx", PART_HEADERS,
                                                                              rows))

    reasons = {(r, c): reason for r, c, reason in errors(result)}
    assert set(reasons) == {(3, "活动名称"), (4, "活动日期"), (5, "出席人数"), (6, "单位代码")}
    assert "活动不存在" in reasons[(3, "活动名称")]
    assert "该日期不存在" in reasons[(4, "活动日期")]
    assert "未出席的单位不能填写出席人数" in reasons[(5, "出席人数")]
    assert "代码不存在" in reasons[(6, "单位代码")]
    assert nothing_written(EventParticipation, before)


def test_committee_leader_imports_participants_of_its_committees_events_only(world: Any, tmp_path: Path) -> None:
    rows = [["2024年校企合作座谈会", "2024-05-20", world.enterprise.uscc, "是", "是", 2, ""],
            ["现代农业职业校企行", "2024-06-03", world.enterprise.uscc, "是", "是", 1, ""]]
    before = state(EventParticipation)

    result = commit(EventParticipationImporter, world.committee_leader,
                    write_xlsx(tmp_path / "leader.xlsx", PART_HEADERS, rows))

    assert {(r, c) for r, c, _ in errors(result)} == {(3, "活动日期")}
    assert "您无权" in result.errors[0].reason
    assert nothing_written(EventParticipation, before)
    ok = commit(EventParticipationImporter, world.committee_leader,
                write_xlsx(tmp_path / "own.xlsx", PART_HEADERS, rows[:1]))
    assert ok.committed and counts(ok) == (1, 0, 0)


# --- agreements ---------------------------------------------------------------------------------------------------

AGR_HEADERS = ["协议编号", "协议名称", "协议类型", "学校标识码", "企业统一社会信用代码", "所属产学合作委员会",
               "涉及专业代码", "合作形式", "企业接收实习", "签署日期", "开始日期", "结束日期"]
BLANK5 = ["", "", "", "", ""]  # committee, majors, forms, interns, signed on
FORMS = "合作设置专业、开发专业标准、课程和教材；学徒制合作，联合招收学员，工学交替"


def agreement_rows(world: Any) -> list[list[Any]]:
    return [
        ["YC-2019-001", "数控专业深度合作协议", "深度合作协议", "4141000001、4141000002", world.enterprise.uscc,
         "智能制造产学合作委员会", "460103", FORMS, "否", "2019-05-20", "2019-06-01", "2022-05-31"],
        ["", "合作意向书", "合作意向书", "4141000001", f"{world.enterprise.uscc},{world.enterprise_b.uscc}", "", "", "",
         "", "", "2019-05-20", ""],
    ]


def test_agreements_import_as_drafts_with_parties_then_reimport_changes_nothing(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "agreements.xlsx", AGR_HEADERS, agreement_rows(world))
    user = world.bureau_admin
    with audit_context(user=user, source="test"):
        preview = AgreementImporter(user).validate(path, path.name).preview
    first = dict(zip(preview["columns"], preview["new"][0]["cells"], strict=True))
    assert (first["学校标识码"], first["涉及专业代码"]) == ("4141000001、4141000002", "460103")

    result = commit(AgreementImporter, user, path)

    assert result.committed, result.errors
    assert counts(result) == (2, 0, 0)
    deep = Agreement.objects.get(number="YC-2019-001")
    intent = Agreement.objects.get(title="合作意向书")
    assert deep.status == intent.status == "draft"  # the status is never imported
    assert intent.number is None
    assert deep.forms == ["majors", "apprenticeship"]
    assert (deep.kind, deep.start, deep.end, deep.committee_id) == ("deep", dt.date(2019, 6, 1), dt.date(2022, 5, 31),
                                                                    world.committee.pk)

    def links(table: str, column: str, pk: int) -> set[int]:
        return {r[0] for r in sql(f"SELECT {column} FROM engagement_agreement_{table} WHERE agreement_id = %s", [pk])}

    assert links("schools", "school_id", deep.pk) == {world.school_a.pk, world.school_b.pk}
    assert links("enterprises", "organisation_id", deep.pk) == {world.enterprise.pk}
    assert links("majors", "major_id", deep.pk) == {world.major.pk}
    assert links("enterprises", "organisation_id", intent.pk) == {world.enterprise.pk, world.enterprise_b.pk}
    events = {e.object_id: e for e in data_events(Agreement)}
    assert set(events) == {str(deep.pk), str(intent.pk)} and {e.action for e in events.values()} == {"create"}
    assert sorted(events[str(deep.pk)].changes["schools"][1]) == sorted([world.school_a.pk, world.school_b.pk])

    # Again: the numbered one by its number, the other by kind, start and parties.
    before = state(Agreement)
    again = commit(AgreementImporter, user, path)
    assert again.committed and counts(again) == (0, 0, 2), again.errors
    assert state(Agreement) == before


def test_agreement_errors_all_reported_and_nothing_written(world: Any, tmp_path: Path) -> None:
    factories.AgreementFactory(number="OLD-1", title="已登记的协议", kind="intent", start=dt.date(2019, 3, 1),
                               schools=[world.school_b], enterprises=[world.enterprise_b])
    e1 = world.enterprise.uscc
    rows = [
        ["A-1", "好的一行", "深度合作协议", "4141000001", e1, "", "", "", "", "", "2019-06-01", "2020-05-31"],
        ["A-2", "没有学校", "深度合作协议", "", e1, "", "", "", "", "", "2019-06-01", ""],
        ["A-3", "没有企业", "深度合作协议", "4141000001", "", "", "", "", "", "", "2019-06-01", ""],
        ["A-4", "结束早于开始", "深度合作协议", "4141000001", e1, "", "", "", "", "", "2019-06-01", "2019-05-31"],
        ["A-5", "与已登记的重复", "合作意向书", "4141000002", world.enterprise_b.uscc, "", "", "", "", "", "2019-03-01",
         ""],
        ["A-6", "与第 2 行重复", "深度合作协议", "4141000001", e1, "", "", "", "", "", "2019-06-01", ""],
        ["A-7", "企业代码是学校", "深度合作协议", "4141000001", "4141000002", "", "", "", "", "", "2019-07-01", ""],
        ["A-8", "形式不对", "深度合作协议", "4141000001", e1, "", "999999", "合作办学", "", "", "2019-08-01", ""],
    ]
    before = state(Agreement)

    result = commit(AgreementImporter, world.bureau_admin, write_xlsx(tmp_path / "bad.xlsx", AGR_HEADERS, rows))

    assert not result.committed
    reasons = {(r, c): reason for r, c, reason in errors(result)}
    assert set(reasons) == {(3, "学校标识码"), (4, "企业统一社会信用代码"), (5, "结束日期"), (6, "协议类型"),
                            (7, "协议类型"), (8, "企业统一社会信用代码"), (9, "涉及专业代码"), (9, "合作形式")}
    assert reasons[(3, "学校标识码")] == "协议须至少有一所学校作为签约方。"
    assert reasons[(4, "企业统一社会信用代码")] == "协议须至少有一家企业作为签约方。"
    assert reasons[(5, "结束日期")] == "协议结束日期不能早于开始日期。"
    assert reasons[(6, "协议类型")] == "已登记过相同的协议（同类型、同开始日期、同签约方）：已登记的协议。"
    assert "与第 2 行是相同的协议" in reasons[(7, "协议类型")]
    assert "代码不存在" in reasons[(8, "企业统一社会信用代码")]  # a school is no enterprise party
    assert "代码不存在" in reasons[(9, "涉及专业代码")]
    assert "不是可选的合作形式" in reasons[(9, "合作形式")]
    assert nothing_written(Agreement, before)
    assert sql("SELECT COUNT(*) FROM engagement_agreement_schools", []) == [(1,)]  # the existing one's link only


def test_a_school_admin_imports_only_agreements_its_school_signs(world: Any, tmp_path: Path) -> None:
    other = Agreement.objects.create(number="B-OLD", title="乙校的协议", kind="deep", start=dt.date(2018, 1, 1))
    other.schools.set([world.school_b])
    other.enterprises.set([world.enterprise_b])
    rows = [
        ["S-1", "本校的协议", "深度合作协议", "4141000001", world.enterprise.uscc, *BLANK5, "2019-06-01", ""],
        ["S-2", "别校的协议", "深度合作协议", "4141000002", world.enterprise.uscc, *BLANK5, "2019-06-01", ""],
        ["B-OLD", "改乙校的协议", "深度合作协议", "4141000002", world.enterprise_b.uscc, *BLANK5, "2018-01-01", ""],
    ]
    before = state(Agreement)

    result = commit(AgreementImporter, world.school_admin_a, write_xlsx(tmp_path / "a.xlsx", AGR_HEADERS, rows))

    reasons = {(r, c): reason for r, c, reason in errors(result)}
    assert set(reasons) == {(3, "学校标识码"), (4, "协议编号")}
    assert "签约方须包括您所在的单位" in reasons[(3, "学校标识码")]
    assert "无权修改" in reasons[(4, "协议编号")]
    assert nothing_written(Agreement, before)
    ok = commit(AgreementImporter, world.school_admin_a, write_xlsx(tmp_path / "own.xlsx", AGR_HEADERS, rows[:1]))
    assert ok.committed and counts(ok) == (1, 0, 0)
    # The enterprise's contact may import the same agreement (it is a party): found unchanged.
    theirs = commit(AgreementImporter, world.enterprise_contact,
                    write_xlsx(tmp_path / "firm.xlsx", AGR_HEADERS, rows[:1]))
    assert theirs.committed and counts(theirs) == (0, 0, 1)


# --- visits -----------------------------------------------------------------------------------------------------

VISIT_HEADERS = ["学校标识码", "企业统一社会信用代码", "走访日期", "走访目的", "走访成果", "后续跟进", "跟进截止日期",
                 "走访教师工号"]


def test_visits_import_with_the_schools_own_teachers(world: Any, tmp_path: Path) -> None:
    t1 = factories.TeacherFactory(school=world.school_a, employee_no="A001")
    t2 = factories.TeacherFactory(school=world.school_a, employee_no="A002")
    factories.TeacherFactory(school=world.school_b, employee_no="B001")
    rows = [["4141000001", world.enterprise.uscc, "2019-04-10", "了解用工需求", "达成意向", "拟订协议", "2019-06-30",
             "A001、A002"],
            ["4141000001", world.enterprise_b.uscc, "2019-04-11", "回访", "", "", "", ""]]
    path = write_xlsx(tmp_path / "visits.xlsx", VISIT_HEADERS, rows)

    result = commit(VisitImporter, world.school_admin_a, path)

    assert result.committed, result.errors
    assert counts(result) == (2, 0, 0)
    visit = Visit.objects.get(enterprise=world.enterprise)
    assert {r[0] for r in sql("SELECT teacher_id FROM engagement_visit_visitors WHERE visit_id = %s",
                              [visit.pk])} == {t1.pk, t2.pk}
    assert len(data_events(Visit)) == 2
    before = state(Visit)
    assert counts(commit(VisitImporter, world.school_admin_a, path)) == (0, 0, 2)
    assert state(Visit) == before

    bad = [["4141000001", world.enterprise.uscc, "2019-05-10", "走访", "", "", "", "A001、B001"],  # B001: school B's
           ["4141000002", world.enterprise.uscc, "2019-05-11", "别校的走访", "", "", "", ""],
           ["4141000001", world.department.uscc or factories.valid_uscc(6_666_666), "2019-05-12", "走访部门", "", "",
            "", ""],
           ["4141000001", world.enterprise.uscc, "2019/13/01", "", "", "", "", ""]]
    before = state(Visit)
    refused = commit(VisitImporter, world.school_admin_a, write_xlsx(tmp_path / "bad.xlsx", VISIT_HEADERS, bad))
    reasons = {(r, c): reason for r, c, reason in errors(refused)}
    assert set(reasons) == {(2, "走访教师工号"), (3, "学校标识码"), (4, "企业统一社会信用代码"), (5, "走访日期"),
                            (5, "走访目的")}
    assert "B001" in reasons[(2, "走访教师工号")] and "本校" in reasons[(2, "走访教师工号")]
    assert "您无权为该单位导入数据" in reasons[(3, "学校标识码")]
    assert nothing_written(Visit, before)


# --- teacher practice -------------------------------------------------------------------------------------------

PRACTICE_HEADERS = ["学校标识码", "工号", "实践企业统一社会信用代码", "开始日期", "结束日期", "实践形式", "实践内容",
                    "岗前实践", "企业鉴定"]


def union_days(periods: list[tuple[dt.date, dt.date]]) -> int:
    """Distinct calendar days covered, counted day by day (independent of recount_practice_days)."""
    days: set[dt.date] = set()
    for start, end in periods:
        days |= {start + dt.timedelta(days=n) for n in range((end - start).days + 1)}
    return len(days)


def test_practice_import_counts_overlapping_days_once(world: Any, tmp_path: Path) -> None:
    t1 = factories.TeacherFactory(school=world.school_a, employee_no="A001")
    t2 = factories.TeacherFactory(school=world.school_a, employee_no="a002")  # a lower-case 工号 stays as written
    # A record from before the import, overlapped by an imported one.
    factories.TeacherPracticeFactory(teacher=t1, enterprise=world.enterprise, start=dt.date(2019, 8, 10),
                                     end=dt.date(2019, 8, 20), form="training")
    d = dt.date
    periods = {t1.pk: [(d(2019, 7, 1), d(2019, 7, 31)), (d(2019, 7, 15), d(2019, 8, 15)), (d(2019, 8, 10),
                                                                                           d(2019, 8, 20))],
               t2.pk: [(d(2019, 1, 1), d(2019, 1, 10))]}
    rows = [["4141000001", "A001", world.enterprise.uscc, "2019-07-01", "2019-07-31", "在企业生产和管理岗位兼职或任职",
             "数控", "否", "良好"],
            ["4141000001", "A001", world.enterprise_b.uscc, "2019-07-15", "2019-08-15", "接受企业组织的技能培训", "",
             "是", ""],
            ["4141000001", "a002", world.enterprise.uscc, dt.date(2019, 1, 1), dt.date(2019, 1, 10), "到企业考察观摩",
             "", "", "优秀"]]
    path = write_xlsx(tmp_path / "practice.xlsx", PRACTICE_HEADERS, rows)

    result = commit(TeacherPracticeImporter, world.school_admin_a, path)

    assert result.committed, result.errors
    assert counts(result) == (3, 0, 0)
    for teacher, spans in periods.items():
        [(total,)] = sql("SELECT SUM(counted_days) FROM engagement_teacherpractice WHERE teacher_id = %s", [teacher])
        assert total == union_days(spans)
    # Each record's own length, both ends included.
    for pk, start, end, days in sql("SELECT id, start, \"end\", days FROM engagement_teacherpractice", []):
        start, end = (v if isinstance(v, dt.date) else dt.date.fromisoformat(v) for v in (start, end))
        assert days == (end - start).days + 1
    assert len([e for e in data_events(TeacherPractice) if e.action == "create"]) == 3 + 1  # + the factory's

    before = state(TeacherPractice), sql("SELECT id, counted_days FROM engagement_teacherpractice ORDER BY id", [])
    again = commit(TeacherPracticeImporter, world.school_admin_a, path)
    assert again.committed and counts(again) == (0, 0, 3)
    assert (state(TeacherPractice),
            sql("SELECT id, counted_days FROM engagement_teacherpractice ORDER BY id", [])) == before


def test_practice_errors_and_scope(world: Any, tmp_path: Path) -> None:
    factories.TeacherFactory(school=world.school_a, employee_no="A001")
    factories.TeacherFactory(school=world.school_b, employee_no="B001")
    u = world.enterprise.uscc
    rows = [["4141000001", "A001", u, "2019-07-01", "2019-07-31", "到企业考察观摩", "", "", ""],
            ["4141000001", "A999", u, "2019-07-01", "2019-07-31", "到企业考察观摩", "", "", ""],
            ["4141000002", "B001", u, "2019-07-01", "2019-07-31", "到企业考察观摩", "", "", ""],
            ["4141000001", "A001", u, "2019-09-01", "2019-08-31", "到企业考察观摩", "", "", ""],
            ["4141000001", "A001", u, "2019-10-01", "2019-10-31", "挂职", "", "", "很好"]]
    before = state(TeacherPractice)

    result = commit(TeacherPracticeImporter, world.school_admin_a, write_xlsx(tmp_path / "bad.xlsx", PRACTICE_HEADERS,
                                                                              rows))

    reasons = {(r, c): reason for r, c, reason in errors(result)}
    assert set(reasons) == {(3, "工号"), (4, "学校标识码"), (5, "结束日期"), (6, "实践形式"), (6, "企业鉴定")}
    assert "该校不存在此工号的教师" in reasons[(3, "工号")]
    assert "您无权" in reasons[(4, "学校标识码")]  # school B's teacher, whom school A's admin does not see
    assert reasons[(5, "结束日期")] == "企业实践结束日期不能早于开始日期。"
    assert nothing_written(TeacherPractice, before)


# --- order classes ------------------------------------------------------------------------------------------------

ORDER_HEADERS = ["学校标识码", "班级名称", "开班年度", "订单企业统一社会信用代码", "专业代码", "计划人数", "在读人数",
                 "订单培养协议编号", "企业导师", "毕业人数", "订单企业录用人数", "一年后仍在岗人数"]


def test_order_classes_import_then_reimport_and_errors(world: Any, tmp_path: Path) -> None:
    mine = factories.AgreementFactory(number="DD-A", kind="order", schools=[world.school_a],
                                      enterprises=[world.enterprise])
    factories.AgreementFactory(number="DD-B", kind="order", schools=[world.school_b], enterprises=[world.enterprise],
                               start=dt.date(2024, 9, 2))
    u = world.enterprise.uscc
    rows = [["4141000001", "智造订单班", 2019, u, "460103", 40, 38, "DD-A", "王工", 36, 30, 25],
            ["4141000001", "农业订单班", "2019", world.enterprise_b.uscc, "460103", 20, 20, "", "", "", "", ""]]
    path = write_xlsx(tmp_path / "classes.xlsx", ORDER_HEADERS, rows)

    result = commit(OrderClassImporter, world.school_admin_a, path)

    assert result.committed, result.errors
    assert counts(result) == (2, 0, 0)
    first = OrderClass.objects.get(name="智造订单班")
    assert (first.agreement_id, first.major_id, first.enrolled, first.retained) == (mine.pk, world.major.pk, 38, 25)
    assert len(data_events(OrderClass)) == 2
    before = state(OrderClass)
    assert counts(commit(OrderClassImporter, world.school_admin_a, path)) == (0, 0, 2)
    assert state(OrderClass) == before

    bad = [["4141000001", "毕业多于在读", 2020, u, "460103", 40, 30, "", "", 31, "", ""],  # ORD-D1
           ["4141000001", "别校的协议", 2020, u, "460103", 40, 30, "DD-B", "", "", "", ""],
           ["4141000002", "别校的班", 2020, u, "460103", 40, 30, "", "", "", "", ""],
           ["4141000001", "年份不对", 1999, u, "999999", 40, 30, "", "", "", "", ""]]
    refused = commit(OrderClassImporter, world.school_admin_a, write_xlsx(tmp_path / "bad.xlsx", ORDER_HEADERS, bad))
    reasons = {(r, c): reason for r, c, reason in errors(refused)}
    assert set(reasons) == {(2, "毕业人数"), (3, "订单培养协议编号"), (4, "学校标识码"), (5, "开班年度"),
                            (5, "专业代码")}
    assert "毕业人数不能多于在读人数" in reasons[(2, "毕业人数")]
    assert "代码不存在" in reasons[(3, "订单培养协议编号")]  # school B's agreement: not even seen by school A
    assert "您无权为该单位导入数据" in reasons[(4, "学校标识码")]
    assert nothing_written(OrderClass, before)
    # The bureau sees school B's agreement, but a class of school A cannot be trained under it.
    refused = commit(OrderClassImporter, world.bureau_admin, write_xlsx(tmp_path / "b.xlsx", ORDER_HEADERS, bad[1:2]))
    assert errors(refused) == {(2, "订单培养协议编号", "所选协议的签约方须包括本校。")}
    assert nothing_written(OrderClass, before)


# --- through the page, as a background job ------------------------------------------------------------------------


@override_settings(TASKS=IMMEDIATE)
def test_a_big_agreement_file_runs_as_a_background_job(world: Any, login: Any, tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.IMPORT_BACKGROUND_ROWS = 3
    client = login("bureau_admin")
    url = reverse("engagement:agreement_import")
    rows = [[f"BG-{n}", f"协议{n}", "合作意向书", "4141000001", world.enterprise.uscc, "", "", "", "", "",
             (dt.date(2019, 1, 1) + dt.timedelta(days=n)).isoformat(), ""] for n in range(6)]
    with write_xlsx(tmp_path / "big.xlsx", AGR_HEADERS, rows).open("rb") as fh:
        response = client.post(url, {"file": fh})
    assert response.status_code == 202
    job = Job.objects.get()
    assert job.background and job.status == "validated", job.message
    client.post(url, {"job": job.pk, "action": "confirm"})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created == 6
    assert Agreement.objects.filter(number__startswith="BG-", status="draft").count() == 6


@pytest.mark.parametrize("model", ["event", "eventparticipation", "agreement", "visit", "teacherpractice",
                                   "orderclass"])
def test_import_pages_and_templates_exist(world: Any, login: Any, model: str) -> None:
    client = login("bureau_admin")
    assert client.get(reverse(f"engagement:{model}_import")).status_code == 200
    assert client.get(reverse(f"engagement:{model}_import_template")).status_code == 200
