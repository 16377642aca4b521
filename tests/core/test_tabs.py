"""Detail-page tabs are declared (``registry.Tab``): their rows are ``ui.rows_for(user)`` narrowed to
the parent through ``via``, for every persona — never a free queryset (issue #7 gap 3)."""

from __future__ import annotations

from typing import Any

import pytest

from chanjiao.core.registry import Tab, TimelineTab, registry
from chanjiao.orgs import ui as orgs_ui
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["bureau_admin", "school_admin_a", "school_admin_b", "enterprise_contact", "leader"]


@pytest.fixture
def rows(world: Any) -> dict[str, Any]:
    committee = factories.CommitteeFactory(director=world.enterprise)
    return {
        "teacher_a": factories.TeacherFactory(school=world.school_a),
        "teacher_b": factories.TeacherFactory(school=world.school_b),
        "contact_enterprise": factories.ContactFactory(organisation=world.enterprise),
        "contact_a": factories.ContactFactory(organisation=world.school_a),
        "membership": factories.CommitteeMembershipFactory(committee=committee, organisation=world.enterprise),
        "committee": committee,
    }


def _tab_records(client: Any, parent: Any, label: str) -> list[Any]:
    response = client.get(parent.get_absolute_url())
    assert response.status_code == 200
    tab = next(t for t in response.context["tabs"] if str(t["label"]) == label)
    return [row.record for row in tab["table"].rows]


def test_every_declared_tab_is_a_tab() -> None:
    for ui in registry:
        for tab in ui.tabs:
            assert isinstance(tab, Tab | TimelineTab), (ui.name, tab)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("parent", "label"), [("enterprise", "联系人"), ("enterprise", "产学合作委员会"),
                                                ("school_a", "教师"), ("school_a", "联系人"), ("school_b", "教师")])
def test_tab_rows_are_the_users_list_rows_of_the_parent(login: Any, world: Any, rows: Any, persona: str,
                                                        parent: str, label: str) -> None:
    obj = world.orgs[parent]
    ui = next(u for u in registry if u.model is type(obj))
    tab = next(t for t in ui.tabs if str(t.label) == label)
    user = world.users[persona]
    expected = list(tab.ui.rows_for(user).filter(**{tab.via: obj.pk})[:50])
    assert _tab_records(login(persona), obj, label) == expected


def test_a_school_admin_sees_only_their_own_schools_rows_in_tabs(login: Any, world: Any, rows: Any) -> None:
    client = login("school_admin_a")
    assert _tab_records(client, world.school_a, "教师") == [rows["teacher_a"]]
    assert _tab_records(client, world.school_b, "教师") == []  # another school's teachers
    assert _tab_records(client, world.enterprise, "联系人") == []  # another organisation's contacts
    bureau = login("bureau_admin")
    assert _tab_records(bureau, world.school_b, "教师") == [rows["teacher_b"]]
    assert _tab_records(bureau, world.enterprise, "联系人") == [rows["contact_enterprise"]]


def test_the_all_link_is_the_list_filtered_by_the_parent(login: Any, world: Any, rows: Any) -> None:
    teachers = next(t for t in orgs_ui.schools.tabs if str(t.label) == "教师")
    url = teachers.list_url(world.school_a)
    assert url == f"/orgs/teacher/?school={world.school_a.pk}"
    client = login("school_admin_a")
    listed = [row.record for row in client.get(url).context["table"].rows]
    assert listed == _tab_records(client, world.school_a, "教师")


def test_several_paths_are_or_ed_and_have_no_all_link(world: Any, rows: Any) -> None:
    tab = Tab("委员会", orgs_ui.committees, via=("director", "vice_director"))
    assert list(tab.rows(world.enterprise, world.bureau_admin)) == [rows["committee"]]
    assert tab.list_url(world.enterprise) == ""


def test_the_timeline_reads_every_source_scoped(login: Any, world: Any, rows: Any) -> None:
    # The contact source is visible to the bureau, not to a school admin (Contact.scope_q).
    kinds_bureau = {e.kind for e in _tab_records(login("bureau_admin"), world.enterprise, "合作时间线")}
    kinds_school = {e.kind for e in _tab_records(login("school_admin_a"), world.enterprise, "合作时间线")}
    assert "联系人" in {str(k) for k in kinds_bureau}
    assert "联系人" not in {str(k) for k in kinds_school}
