"""Issue 14: each role's menu shows only what it can use; scope rules, menu and dashboard agree."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from chanjiao.accounts.models import Membership
from chanjiao.core.navigation import menu_for
from chanjiao.core.roles import Role
from chanjiao.orgs.models import Contact, Organisation, Teacher
from tests.conftest import PERSONAS
from tests.orgs.test_group_views import group_world  # noqa: F401  (autouse: the group's structure)


def _menu(user: Any) -> dict[str, list[dict[str, Any]]]:
    import chanjiao.urls  # noqa: F401  (the registry fills as the URL modules load)

    request = RequestFactory().get("/")
    request.user = user
    return {group["label"]: group["items"] for group in menu_for(request)}


def _labels(user: Any) -> set[str]:
    return {item["label"] for items in _menu(user).values() for item in items}


@pytest.fixture
def populated(world: Any) -> Any:
    """One record of every registered model (each harness's in-scope object), plus people of each school."""
    from django.urls import get_resolver

    from chanjiao.core.registry import registry
    from tests.harness import HARNESS_REGISTRY
    from tests.test_meta import _load_harness_modules

    get_resolver().url_patterns
    _load_harness_modules()
    for ui in registry:
        harness = HARNESS_REGISTRY.get(ui.model)
        if harness is not None:
            harness().in_scope(world)
    Teacher.objects.create(school=world.school_b, name="乙校教师", employee_no="T2")
    for key in ("school_a", "school_b", "enterprise", "department"):
        Contact.objects.create(organisation=world.orgs[key], name=f"{key}联系人")
    return world


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_menu_entry_opens_and_offers_something(populated: Any, login: Any, persona: str) -> None:
    user = populated.users[persona]
    client = login(persona)
    entries = [item for items in _menu(user).values() for item in items]
    for item in entries:
        response = client.get(item["url"])
        assert response.status_code == 200, item
        context = response.context
        if "table" in context and "can_add" in context:
            # Something to use: rows to read, or a way to add, import or issue (API tokens) the first one.
            issue = "/accounts/api-token/issue/" in response.content.decode()
            assert (context["table"].paginator.count or context["can_add"] or context["can_import"] or issue), item


@pytest.mark.parametrize("persona", ["system_admin", "audit_admin", "security_admin", "no_role"])
def test_roles_without_organisations_get_no_contacts_entry(world: Any, persona: str) -> None:
    assert "联系人" not in _labels(world.users[persona])


def test_administrators_menus_hold_their_duty_only(world: Any) -> None:
    business = {"学校", "企业", "政府部门", "联系人", "教师", "职教集团", "理事会届次", "产学合作委员会"}
    menus = {p: _labels(world.users[p]) for p in ("system_admin", "security_admin", "audit_admin")}
    assert {"用户", "角色授权"} <= menus["system_admin"]
    assert {"用户", "角色授权"} <= menus["security_admin"]
    assert "审计日志" in menus["audit_admin"] and "用户" not in menus["audit_admin"]
    for persona, labels in menus.items():
        assert not labels & business, persona
        assert ("审计日志" in labels) == (persona == "audit_admin")


def test_business_roles_keep_their_business_entries(world: Any) -> None:
    assert {"学校", "企业", "联系人", "教师"} <= _labels(world.school_admin_a)
    assert {"学校", "企业", "联系人"} <= _labels(world.enterprise_contact)


def test_security_admin_cannot_open_business_pages_of_organisations(world: Any, login: Any) -> None:
    client = login("security_admin")
    assert client.get(f"/orgs/school/{world.school_a.pk}/").status_code == 404
    assert client.get(f"/orgs/enterprise/{world.enterprise.pk}/").status_code == 404
    assert world.school_a.pk not in [r.record.pk for r in
                                     client.get("/orgs/school/").context["table"].paginated_rows]
    assert not Organisation.objects.visible_to(world.security_admin).exists()


def test_security_admin_picks_organisations_by_name_when_granting_a_role(world: Any, login: Any) -> None:
    client = login("security_admin")
    form = client.get("/accounts/membership/add/").context["form"]
    offered = {org.pk for org in form.fields["organisation"].queryset}
    assert {world.school_a.pk, world.enterprise.pk, world.department.pk} <= offered
    response = client.post("/accounts/membership/add/", {
        "user": world.no_role.pk, "role": Role.ENTERPRISE_CONTACT, "organisation": world.enterprise.pk,
        "active": "on"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.no_role, organisation=world.enterprise).exists()


def test_others_choose_only_organisations_they_may_see(world: Any, login: Any) -> None:
    # The system admin may read memberships but not grant them: no organisation names leak through the form.
    from chanjiao.accounts.forms import MembershipForm

    assert not MembershipForm(user=world.system_admin).fields["organisation"].queryset.exists()


@pytest.mark.parametrize(("persona", "says"), [
    ("system_admin", "系统管理员：新建和停用账户"),
    ("security_admin", "不能查看学校、企业等单位的业务数据"),
    ("audit_admin", "审计管理员：查阅、筛选和导出审计日志"),
])
def test_dashboard_states_each_administrators_duty(world: Any, login: Any, persona: str, says: str) -> None:
    page = login(persona).get("/").content.decode()
    assert says in page
    assert "不显示业务数据。请从左侧菜单" not in page
    assert 'data-testid="tile-' not in page


def test_user_page_shows_roles_and_organisations(world: Any, login: Any) -> None:
    Membership.objects.create(user=world.school_admin_a, role=Role.COMMITTEE_LEADER, organisation=world.enterprise)
    response = login("system_admin").get(f"/accounts/user/{world.school_admin_a.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "角色与所属单位" in page
    assert "学校管理员" in page and world.school_a.name in page
    assert "产学合作委员会负责人" in page and world.enterprise.name in page
    assert f"/accounts/membership/?user={world.school_admin_a.pk}" in page
    listed = login("system_admin").get(f"/accounts/membership/?user={world.school_admin_a.pk}")
    assert {r.record.user_id for r in listed.context["table"].paginated_rows} == {world.school_admin_a.pk}
