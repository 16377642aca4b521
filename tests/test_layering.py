"""core is the bottom layer: it imports no app above it, and its modules form no import cycle.

Parsed with ``ast`` (nothing is imported), so an upward import hidden inside a function is found
too. Apps above core hand it what it needs at start-up instead (accounts.apps.ready registers the
membership source and the token authenticator).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from chanjiao.core import api as core_api
from chanjiao.core import scoping

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "chanjiao" / "core"
ABOVE_CORE = ("accounts", "orgs", "reports", "catalog", "demo", "api", "matching")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def core_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(CORE.rglob("*.py"))}


def imports_of(path: Path, *, top_level_only: bool, package: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``; ``from a import b`` gives both
    ``a`` and ``a.b`` (b may be a submodule). ``package`` resolves relative imports (default: the
    file's own package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:
        # Top level includes imports under a plain ``if``/``try`` at module level, but not
        # ``if TYPE_CHECKING:`` (never executed, so no cycle at run time).
        flat: list[ast.stmt] = []
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.If | ast.Try):
                flat += [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
            else:
                flat.append(node)
        nodes = flat
    found: list[tuple[int, str]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, node.module] if node.module else base_parts)
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def upward(name: str) -> bool:
    return any(name == f"chanjiao.{app}" or name.startswith(f"chanjiao.{app}.") for app in ABOVE_CORE)


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    # The checker itself must be able to fail: the shapes of the imports this test guards against.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from __future__ import annotations\n"
        "def f():\n"
        "    from chanjiao.accounts.models import Membership\n"
        "    import chanjiao.reports.dashboard\n"
        "    from .. import orgs\n",
        encoding="utf-8",
    )
    names = [n for _, n in imports_of(sample, top_level_only=False, package="chanjiao.core") if upward(n)]
    assert {"chanjiao.accounts.models", "chanjiao.reports.dashboard", "chanjiao.orgs"} <= set(names)
    assert [n for _, n in imports_of(sample, top_level_only=True, package="chanjiao.core") if upward(n)] == []


def test_core_imports_nothing_above_it() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in core_modules().values()
        for line, name in imports_of(path, top_level_only=False)
        if upward(name)
    ]
    assert offences == [], "core must not import the apps above it:\n" + "\n".join(offences)


def test_nothing_imports_matching() -> None:
    # matching reads everything and is imported by nobody (like reports): no app may depend on its scores.
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "chanjiao").rglob("*.py"))
        if "matching" not in path.relative_to(ROOT / "chanjiao").parts[:1]
        for line, name in imports_of(path, top_level_only=False)
        if name == "chanjiao.matching" or name.startswith("chanjiao.matching.")
    ]
    assert offences == [], "nothing may import chanjiao.matching:\n" + "\n".join(offences)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def core_import_graph() -> dict[str, set[str]]:
    modules = core_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {t for _, t in imports_of(path, top_level_only=True) if t in modules and t != name}
        # A module's import also runs its package's __init__, which is empty here; only modules count.
        graph[name] = targets
    return graph


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


# Edges left out of the cycle check, each with its reason. core/models.py re-exports, at its bottom,
# the models declared in attachments.py and rules.py (so Django's app loader finds them), while those
# modules subclass models.AuditedModel. The way out is to move AuditMixin/AuditedModel into a module of
# their own below models.py; models.py was being reworked in parallel (issue #7), so it waits. The test
# below fails once an edge is gone, so the exemption cannot outlive its reason.
CYCLE_EXEMPT_EDGES = {
    ("chanjiao.core.models", "chanjiao.core.attachments"): "models.py re-exports Attachment for the app loader",
    ("chanjiao.core.models", "chanjiao.core.rules"): "models.py re-exports RuleParameter/RuleViolation",
}


def test_core_modules_import_each_other_without_cycles() -> None:
    graph = core_import_graph()
    for (source, target), reason in CYCLE_EXEMPT_EDGES.items():
        assert target in graph[source], f"{source} → {target} is gone: drop its exemption ({reason})"
        graph[source].discard(target)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle among core modules (top-level imports): " + " → ".join(cycle or [])


def test_views_registry_and_import_views_form_no_cycle() -> None:
    # The cycle issue #7 names: views imported import_views at its bottom, import_views imports views.
    graph = core_import_graph()
    assert "chanjiao.core.import_views" not in graph["chanjiao.core.views"]
    assert "chanjiao.core.registry" not in graph["chanjiao.core.views"]  # a type only (TYPE_CHECKING)
    assert find_cycle({name: graph[name] & {"chanjiao.core.views", "chanjiao.core.import_views",
                                            "chanjiao.core.registry"}
                       for name in ("chanjiao.core.views", "chanjiao.core.import_views",
                                    "chanjiao.core.registry")}) is None


@pytest.mark.django_db
def test_scope_comes_from_the_registered_membership_source(django_user_model) -> None:
    user = django_user_model.objects.create_user(username="layering_probe", password="x-Very-long-1")
    assert scoping.get_scope(user).roles == frozenset()  # accounts' source: no memberships yet
    registered = scoping.membership_source()
    scoping.register_membership_source(lambda user_id: [("school_admin", 7), ("leader", None)])
    try:
        scoping.forget_scope(user)
        scope = scoping.get_scope(user)
        assert scope.roles == {"school_admin", "leader"}
        assert scope.orgs("school_admin") == {7}
    finally:
        scoping.register_membership_source(registered)
        scoping.forget_scope(user)
    assert scoping.get_scope(user).roles == frozenset()
    assert scoping.get_scope(AnonymousUser()) is scoping.ANONYMOUS


def test_an_unregistered_membership_source_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoping, "_membership_source", None)
    with pytest.raises(ImproperlyConfigured):
        scoping.membership_source()


def test_accounts_registers_the_token_authenticator() -> None:
    from chanjiao.accounts.apps import authenticate_token

    assert core_api._token_authenticator is authenticate_token
