"""Personas and organisations shared by every test (healthchecks' ``hc/test.py`` is the model).

``world`` is two schools, two enterprises, two departments and one user per persona. Persona
fixtures (``school_admin_a``, ``leader`` …) return users; ``login`` returns a signed-in client.

The world is built once, not per test (issue #7 gap 8): ``_SharedWorld`` builds it inside an outer
transaction that stays open while the tests that use it run, each in its own savepoint (pytest-django's
``db``), so every such test starts from the same rows and none sees another's changes. Before a test
that does not use it (other ``db`` tests, ``transactional_db``/``live_server`` tests, which expect an
empty database) the outer transaction is rolled back — nothing is committed, nothing has to be
flushed, the append-only audit table included. Tests are ordered so that this happens about once
per worker (``pytest_collection_modifyitems`` below).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.test import Client, override_settings

from tests import factories

os.environ.setdefault("CHANJIAO_PROFILE", "test")

PASSWORD = factories.PASSWORD
# Argon2 costs ~50 ms per hash; tests that log in many users would crawl. MD5 is for tests only.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    "expert": ("expert", None),  # 评审专家: reads the submissions assigned to them, writes their own scores
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
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _is_transactional(item: pytest.Item) -> bool:
    # The same test as pytest-django's (fixtures.py ``_django_db_helper``): such a test runs in autocommit
    # and flushes every table at its end.
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    by_marker = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return by_marker or "transactional_db" in names or "live_server" in names


def _uses_db(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return bool(item.get_closest_marker("django_db")) or "db" in names or _is_transactional(item)


def _wants_shared_world(item: pytest.Item) -> bool:
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return False  # Django's own test classes manage their database; none in this suite today
    return "world" in getattr(item, "fixturenames", ()) and _uses_db(item) and not _is_transactional(item)


class _SharedWorld:
    """The world of one test process, kept in an outer transaction that is never committed."""

    def __init__(self) -> None:
        self.db_ready = False  # set by the session fixture once pytest-django has made the test database
        self.wanted = False  # whether the test being set up uses the shared world
        self._atomic: Any = None
        self._pks: dict[str, tuple[type, Any]] = {}
        self.builds = 0

    @property
    def active(self) -> bool:
        # A closed connection (PostgreSQL) loses the outer transaction with it: then it is gone.
        return self._atomic is not None and connection.in_atomic_block and connection.atomic_blocks[:1] == [
            self._atomic]

    def ensure(self, wanted: bool) -> None:
        if wanted and not self.active:
            self._drop()
            if connection.in_atomic_block:
                return  # someone else's outer transaction (e.g. a package fixture): world() builds per test
            self._build()
        elif not wanted and self._atomic is not None:
            self._drop()

    def _build(self) -> None:
        atomic = transaction.atomic()
        # Django's own TestCase marks its outer blocks so that ``atomic(durable=True)`` in the code under
        # test still works inside them; this block is one of those.
        atomic._from_testcase = True  # type: ignore[attr-defined]
        atomic.__enter__()
        self._atomic = atomic
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):  # the same hasher tests log in with
                built = build_world()
        except BaseException:
            self._drop()
            raise
        self._pks = {key: (type(obj), obj.pk) for key, obj in {**built.orgs, **built.users}.items()}
        self._orgs = tuple(built.orgs)
        self.builds += 1

    def _drop(self) -> None:
        atomic, self._atomic = self._atomic, None
        if atomic is not None and connection.in_atomic_block and connection.atomic_blocks[:1] == [atomic]:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def fresh(self) -> World:
        """A new ``World`` whose objects are read again from the database: a test may change them in
        memory (and in its savepoint) without the next test seeing it. One query per model."""
        by_model: dict[type, list[Any]] = {}
        for model, pk in self._pks.values():
            by_model.setdefault(model, []).append(pk)
        rows = {model: model._base_manager.in_bulk(pks) for model, pks in by_model.items()}
        world = World()
        for key, (model, pk) in self._pks.items():
            (world.orgs if key in self._orgs else world.users)[key] = rows[model][pk]
        return world


_SHARED = _SharedWorld()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """pytest-django has ordered the tests db → transactional → no database; within the db tests those
    using the shared world go first, so it is built and rolled back about once per worker (xdist hands
    each worker consecutive runs of this order). A stable sort keeps modules and packages together."""

    def rank(item: pytest.Item) -> int:
        if _wants_shared_world(item):
            return 0
        if _is_transactional(item):
            return 2
        return 1 if _uses_db(item) else 3

    items.sort(key=rank)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture of the test: its ``db`` savepoint must open inside the world's transaction, and a
    # test without the world (a plain ``db`` test, a transactional one) must not see it. Tests that use no
    # database leave the world as it is.
    if not _uses_db(item):
        return
    _SHARED.wanted = _wants_shared_world(item)
    if _SHARED.db_ready:
        with item.config.stash[_blocker_key()].unblock():
            _SHARED.ensure(_SHARED.wanted)


def _blocker_key() -> Any:
    from pytest_django.plugin import blocking_manager_key

    return blocking_manager_key


@pytest.fixture(scope="session")
def _shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[_SharedWorld]:
    # Session-scoped, so it runs before the first test's function-scoped ``db`` savepoint; the test
    # database exists from here on and ``pytest_runtest_setup`` keeps the world for the tests after it.
    _SHARED.db_ready = True
    with django_db_blocker.unblock():
        _SHARED.ensure(_SHARED.wanted)
    yield _SHARED
    with django_db_blocker.unblock():
        _SHARED.ensure(False)
    _SHARED.db_ready = False


@pytest.fixture
def world(request: pytest.FixtureRequest, _shared_world: _SharedWorld, db: None) -> World:
    if _shared_world.active and _wants_shared_world(request.node):
        return _shared_world.fresh()
    # A transactional test (or one inside another outer transaction) builds its own, as before: its end
    # flushes the tables anyway.
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


def built_and_rolled_back(django_db_blocker: Any, *commands: str) -> Iterator[None]:
    """Run management commands (``load_catalogs``, ``demo`` …) inside an outer transaction that is rolled back
    when the caller's scope ends; each test inside runs in its own savepoint. For module- or package-scoped
    fixtures: the real code tables and the demo city are built once, never committed."""
    import io

    from django.core.management import call_command

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            for command in commands:
                call_command(command, verbosity=0, stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The real code tables and the default demo city, built once per module and rolled back after it."""
    yield from built_and_rolled_back(django_db_blocker, "load_catalogs", "demo")
