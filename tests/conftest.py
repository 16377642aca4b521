"""Personas and organisations shared by every test (healthchecks' ``hc/test.py`` is the model).

``world`` builds two schools, an enterprise, a department and one user per persona. Persona
fixtures (``school_admin_a``, ``leader`` …) return users; ``login`` returns a signed-in client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.backends.signals import connection_created
from django.test import Client

from tests import factories

os.environ.setdefault("CHANJIAO_PROFILE", "test")

PASSWORD = factories.PASSWORD


def _allow_test_flush(sender: Any, connection: Any, **kwargs: Any) -> None:
    # The audit table refuses TRUNCATE (migration core 0004) except in a superuser session that asks
    # for it: pytest-django's flush after transactional/live-server tests truncates every table.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET chanjiao.audit_truncate = 'on'")


connection_created.connect(_allow_test_flush)

# persona name -> (role, organisation key in World.orgs or None)
PERSONAS: dict[str, tuple[str | None, str | None]] = {
    "no_role": (None, None),
    "bureau_admin": ("bureau_admin", None),
    "secretariat": ("secretariat", None),
    "leader": ("leader", None),
    "school_admin_a": ("school_admin", "school_a"),
    "school_admin_b": ("school_admin", "school_b"),
    "enterprise_contact": ("enterprise_contact", "enterprise"),
    "dept_authority": ("industry_authority", "department"),
    "system_admin": ("system_admin", None),
    "security_admin": ("security_admin", None),
    "audit_admin": ("audit_admin", None),
}


@dataclass
class World:
    orgs: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        for bucket in ("orgs", "users"):
            values = self.__dict__.get(bucket, {})
            if name in values:
                return values[name]
        raise AttributeError(name)


def build_world() -> World:
    from chanjiao.accounts.models import Membership

    world = World()
    world.orgs["school_a"] = factories.SchoolFactory(name="甲市第一职业技术学院", school_code="4141000001")
    world.orgs["school_b"] = factories.SchoolFactory(name="乙县第二中等职业学校", school_code="4141000002")
    uscc = factories.valid_uscc
    world.orgs["enterprise"] = factories.EnterpriseFactory(name="甲市智能制造有限公司", uscc=uscc(9_000_001))
    world.orgs["enterprise_b"] = factories.EnterpriseFactory(name="乙县农业科技有限公司", uscc=uscc(9_000_002))
    world.orgs["department"] = factories.DepartmentFactory(name="甲市商务局")
    world.orgs["department_b"] = factories.DepartmentFactory(name="甲市农业农村局")
    for name, (role, org_key) in PERSONAS.items():
        user = factories.UserFactory(username=name, full_name=f"{name}姓名")
        if role:
            Membership.objects.create(user=user, role=role, organisation=world.orgs.get(org_key) if org_key else None)
        world.users[name] = user
    return world


@pytest.fixture(autouse=True, scope="session")
def _scope_guard() -> Any:
    """Issue #7 gap 3: every request a test makes (test client, live server) runs with the scoping
    guard on — a scoped model's queryset evaluated without visible_to/editable_by/deletable_by or
    ``unscoped(reason)`` raises ``ScopeGuardError`` (core/scoping.py). Wrapping
    ``BaseHandler.get_response`` is an outermost middleware that exists in tests only: it covers the
    view, template rendering and the other middleware, and ends with the response (a streamed body
    read later by the test is outside it)."""
    from django.core.handlers.base import BaseHandler

    from chanjiao.core import scoping

    original = BaseHandler.get_response

    def guarded(self: BaseHandler, request: Any) -> Any:
        token = scoping.activate_guard()
        try:
            return original(self, request)
        finally:
            scoping.deactivate_guard(token)

    BaseHandler.get_response = guarded  # type: ignore[method-assign]
    yield
    BaseHandler.get_response = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 costs ~50 ms per hash; tests that log in many users would crawl. MD5 is for tests only.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def login(world: World) -> Any:
    """``login("school_admin_a")`` → a client with that persona's session (None → anonymous)."""

    def make(persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            client.force_login(world.users[persona])
        return client

    return make


def _persona_fixture(name: str) -> Any:
    @pytest.fixture(name=name)
    def fixture(world: World) -> Any:
        return world.users[name]

    return fixture


for _name in PERSONAS:
    globals()[_name] = _persona_fixture(_name)


@pytest.fixture
def school_a(world: World) -> Any:
    return world.school_a


@pytest.fixture
def school_b(world: World) -> Any:
    return world.school_b


@pytest.fixture
def enterprise(world: World) -> Any:
    return world.enterprise


@pytest.fixture
def department(world: World) -> Any:
    return world.department


@pytest.fixture
def anonymous_client() -> Client:
    return Client()
