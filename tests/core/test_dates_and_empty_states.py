"""Issue 16: one date format everywhere, a helpful empty state, related tables that show their rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import translation

from chanjiao.orgs.models import BoardSeat, BoardTerm, CommitteeMembership, Contact, SeatRole, Teacher
from tests.orgs.test_group_views import group_world  # noqa: F401  (autouse: the group's structure)

CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def _body(response: Any) -> str:
    html = response.content.decode()
    return html.split('<div class="page-body">', 1)[-1]  # the page, not the navigation


def test_group_and_board_term_pages_show_iso_dates_only(world: Any, login: Any) -> None:
    term = BoardTerm.objects.create(group=world.group, number=2, elected_at=dt.date(2016, 10, 20),
                                    start_date=dt.date(2016, 10, 20), end_date=dt.date(2021, 10, 19))
    BoardSeat.objects.create(term=term, role=SeatRole.CHAIR, organisation=world.school_a, person_name="张理事")
    client = login("bureau_admin")
    for url in (f"/orgs/boardterm/{term.pk}/", f"/orgs/vocationalgroup/{world.group.pk}/", "/orgs/boardterm/"):
        body = _body(client.get(url))
        assert "2016-10-20" in body, url
        assert not CHINESE_DATE.search(body), (url, CHINESE_DATE.findall(body))


def test_enterprise_page_shows_iso_dates_only(world: Any, login: Any) -> None:
    world.enterprise.headcount, world.enterprise.headcount_date = 120, dt.date(2019, 12, 31)
    world.enterprise.save()
    CommitteeMembership.objects.create(committee=world.committee, organisation=world.enterprise,
                                       joined=dt.date(2016, 10, 20))
    body = _body(login("bureau_admin").get(f"/orgs/enterprise/{world.enterprise.pk}/"))
    assert "2019-12-31" in body and "2016-10-20" in body
    assert not CHINESE_DATE.search(body), CHINESE_DATE.findall(body)


def test_english_pages_use_the_same_date_format(world: Any, login: Any) -> None:
    from django.utils import formats

    with translation.override("en"):
        assert formats.date_format(dt.date(2016, 10, 20)) == "2016-10-20"
        assert formats.date_format(dt.datetime(2016, 10, 20, 8, 5), "DATETIME_FORMAT") == "2016-10-20 08:05"


def test_an_unfiltered_empty_list_says_how_to_add_or_import(world: Any, login: Any) -> None:
    response = login("school_admin_a").get("/orgs/teacher/")
    body = _body(response)
    assert 'data-testid="empty-state"' in body
    assert "还没有教师记录" in body and "批量导入" in body and "/orgs/teacher/add/" in body
    assert "没有符合条件的记录" not in body


def test_a_reader_without_write_rights_is_told_who_enters_records(world: Any, login: Any) -> None:
    body = _body(login("leader").get("/orgs/teacher/"))
    assert "记录由有权限的单位或管理员录入" in body and "/orgs/teacher/add/" not in body


def test_a_filtered_empty_list_keeps_the_no_match_message(world: Any, login: Any) -> None:
    Teacher.objects.create(school=world.school_a, name="王老师", employee_no="W1")
    body = _body(login("school_admin_a").get("/orgs/teacher/", {"q": "不存在的名字"}))
    assert "没有符合条件的记录" in body and 'data-testid="empty-state"' not in body


def test_related_tables_show_their_rows_with_a_link_to_the_filtered_list(world: Any, login: Any) -> None:
    for n in range(30):
        Teacher.objects.create(school=world.school_a, name=f"教师{n:02d}", employee_no=f"E{n:02d}")
    Teacher.objects.create(school=world.school_b, name="乙校教师", employee_no="E99")
    client = login("school_admin_a")
    response = client.get(f"/orgs/school/{world.school_a.pk}/")
    teachers = next(tab for tab in response.context["tabs"] if tab["ui"].name == "teacher")
    assert len(list(teachers["table"].paginated_rows)) == 30  # not 10 per page any more
    link = f"/orgs/teacher/?school={world.school_a.pk}"
    assert teachers["all_url"] == link
    assert "查看全部（30）" in response.content.decode()
    listed = client.get(link, {"per_page": 100})
    names = {row.record.name for row in listed.context["table"].paginated_rows}
    assert len(names) == 30 and "乙校教师" not in names


def test_related_tables_cap_at_fifty_rows(world: Any, login: Any) -> None:
    Contact.objects.bulk_create([Contact(organisation=world.enterprise, name=f"联系人{n:02d}") for n in range(55)])
    response = login("bureau_admin").get(f"/orgs/enterprise/{world.enterprise.pk}/")
    contacts = next(tab for tab in response.context["tabs"] if tab["ui"].name == "contact")
    assert len(list(contacts["table"].paginated_rows)) == 50
    assert contacts["all_url"] == f"/orgs/contact/?organisation={world.enterprise.pk}"
    assert "查看全部（55）" in response.content.decode()


@pytest.mark.parametrize("tab_model", ["contact", "committeemembership", "guidancemember", "boardseat"])
def test_every_organisation_tab_links_to_a_list_that_accepts_its_filter(world: Any, login: Any,
                                                                        tab_model: str) -> None:
    client = login("bureau_admin")
    response = client.get(f"/orgs/enterprise/{world.enterprise.pk}/")
    tab = next(tab for tab in response.context["tabs"] if tab["ui"].name == tab_model)
    assert tab["all_url"]
    listed = client.get(tab["all_url"])
    assert listed.status_code == 200
    assert not listed.context["filter"].errors


def test_the_import_help_says_column_headers_stay_chinese(world: Any, login: Any) -> None:
    # Issue 15: headers are Chinese in every language; the help says so (translated in the English catalogue).
    body = login("school_admin_a").get("/orgs/teacher/import/").content.decode()
    assert 'data-testid="headers-note"' in body and "不要翻译或修改表头" in body
