"""Meta-tests: every registered model has harness tests, every audited model is registered.

NetBox fails its build when a model has no view tests; so do we.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import get_resolver

from chanjiao.core.models import AuditMixin
from chanjiao.core.registry import registry
from tests.harness import HARNESS_REGISTRY

TESTS = Path(__file__).resolve().parent

# Audited models that deliberately have no ModelUI of their own. Say why for each.
EXEMPT_FROM_REGISTRY = {
    # The shared table behind School / Enterprise / Department (and other kinds); its proxies have the pages.
    "orgs.organisation",
    # Files on other objects: listed, uploaded and downloaded on their parent's page (ModelUI.attachments).
    "core.attachment",
}


def _load_harness_modules() -> None:
    """Import every test module that declares harness classes, so the registry is complete even when this
    file runs alone."""
    loaded = {Path(m.__file__).resolve() for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.resolve() in loaded or "ModelHarness" not in path.read_text(encoding="utf-8"):
            continue
        name = "meta_" + "_".join(path.relative_to(TESTS).with_suffix("").parts)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


def _label(model: type) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def test_every_registered_model_has_harness_tests() -> None:
    get_resolver().url_patterns
    _load_harness_modules()
    missing = sorted(_label(ui.model) for ui in registry if ui.model not in HARNESS_REGISTRY)
    assert not missing, f"models without harness tests (add a ModelHarness subclass): {missing}"


def test_every_audited_model_is_registered() -> None:
    get_resolver().url_patterns
    registered = {ui.model for ui in registry}
    missing = sorted(
        _label(model)
        for model in apps.get_models()
        if model.__module__.startswith("chanjiao.")
        and issubclass(model, AuditMixin)
        and not model._meta.abstract
        and model not in registered
        and _label(model) not in EXEMPT_FROM_REGISTRY
    )
    assert not missing, f"audited models without a ModelUI (register one or exempt with a reason): {missing}"


def test_harness_registry_names_only_registered_models() -> None:
    get_resolver().url_patterns
    _load_harness_modules()
    registered = {ui.model for ui in registry}
    stray = sorted(_label(m) for m in HARNESS_REGISTRY if m not in registered)
    assert not stray, f"harness tests for models that are not registered: {stray}"


# --- workflows (issue #7): a status moves only through its transitions --------------------------------------------


def _load_workflow_harness_modules() -> None:
    for path in sorted(TESTS.rglob("test_*.py")):
        if "(WorkflowHarness)" in path.read_text(encoding="utf-8"):
            name = "meta_wf_" + "_".join(path.relative_to(TESTS).with_suffix("").parts)
            if name in sys.modules:
                continue
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)


def _status_fields(model: type) -> set[str]:
    """The workflow fields stored in ``model``'s table (a proxy shares its concrete model's columns)."""
    from chanjiao.core.workflow import workflow_models, workflow_of

    concrete = model._meta.concrete_model
    return {workflow_of(w).field for w in workflow_models() if w._meta.concrete_model is concrete}  # type: ignore[union-attr]


def test_no_form_importer_or_api_input_carries_a_workflow_status() -> None:
    from chanjiao.core.api import body_schema

    get_resolver().url_patterns
    offending = []
    for ui in registry:
        fields = _status_fields(ui.model)
        if not fields:
            continue
        if ui.form is not None:
            offending += [f"{_label(ui.model)} form: {f}" for f in fields & set(ui.form.base_fields)]
            for partial in (False, True):
                schema = body_schema(ui, partial=partial)
                offending += [f"{_label(ui.model)} API input: {f}" for f in fields & set(schema.model_fields)]
        if ui.importer is not None:
            offending += [f"{_label(ui.model)} importer: {f}" for f in fields & {c.field for c in ui.importer.columns}]
    assert not offending, f"a workflow status changes only through set_status: {offending}"


def test_the_meta_test_sees_the_enterprise_workflow() -> None:
    # The test above is only as good as its view of the workflow fields.
    from chanjiao.orgs.models import School

    assert _status_fields(School) == {"integration_status"}


def test_every_workflow_model_has_generated_workflow_tests() -> None:
    from chanjiao.core.workflow import workflow_models
    from tests.workflow_harness import WORKFLOW_HARNESS_REGISTRY

    _load_workflow_harness_modules()
    missing = sorted(_label(m) for m in workflow_models() if m not in WORKFLOW_HARNESS_REGISTRY)
    assert not missing, f"workflow models without a WorkflowHarness subclass: {missing}"


# --- factories (issue #7 gap 8): every model of ours can be made in one line -----------------------------------

# Models without a factory in tests/factories.py, each with the reason.
EXEMPT_FROM_FACTORIES = {
    "core.auditevent": "written only by audit.record_* (append-only); a factory would forge the chain",
    "core.statuschange": "written only by a workflow's set_status (its history); tests move the status",
    "core.attachment": "made by attachments.attach, which checks content, size and name; a factory would skip it",
    "core.ruleviolation": "findings are written by the rule scans (core/rules/), never by hand",
    "accounts.apitoken": "issued by ApiToken.issue (hashed key shown once): factories.issue_token",
    "orgs.organisation": "the table behind the kinds: made through the proxies' factories",
}


def _our_models() -> list[type]:
    return [m for m in apps.get_models() if m.__module__.startswith("chanjiao.") and not m._meta.abstract]


def _factories() -> dict[type, type]:
    from factory.django import DjangoModelFactory

    from tests import factories

    return {f._meta.model: f for f in vars(factories).values()
            if isinstance(f, type) and issubclass(f, DjangoModelFactory) and f._meta.model is not None}


def test_every_model_has_a_factory_or_a_reason() -> None:
    made = _factories()
    missing = sorted(_label(m) for m in _our_models() if m not in made and _label(m) not in EXEMPT_FROM_FACTORIES)
    assert not missing, f"models without a factory in tests/factories.py (add one or exempt with a reason): {missing}"
    stale = sorted(label for label in EXEMPT_FROM_FACTORIES
                   if label not in {_label(m) for m in _our_models()} or apps.get_model(label) in made)
    assert not stale, f"exemptions for models that are gone or now have a factory: {stale}"


@pytest.mark.django_db
def test_every_factory_makes_a_valid_saved_row() -> None:
    # A factory that builds an invalid row would make every test using it prove nothing.
    for model, factory_class in sorted(_factories().items(), key=lambda kv: _label(kv[0])):
        obj = factory_class()
        assert obj.pk is not None, _label(model)
        obj.full_clean()
        assert type(obj)._base_manager.filter(pk=obj.pk).exists(), _label(model)


# --- no test may accept two answers and then branch on which one it got --------------------------------------


def _mentions_status(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "status_code" for n in ast.walk(node))


def _either_way_checks(tree: ast.AST) -> list[int]:
    """Lines of ``assert <…>.status_code in (…)``: a test states the one status it expects."""
    lines = []
    for node in ast.walk(tree):
        for body in (getattr(node, name, None) for name in ("body", "orelse", "finalbody")):
            if not isinstance(body, list):
                continue
            for i, stmt in enumerate(body):
                if not (isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Compare)
                        and any(isinstance(op, ast.In) for op in stmt.test.ops) and _mentions_status(stmt.test)):
                    continue
                # Several statuses accepted at all is already a check that passes either way.
                lines.append(stmt.lineno)
    return lines


def test_the_either_way_check_finds_one() -> None:
    sample = ast.parse("def t(r):\n    assert r.status_code in (200, 403)\n    if r.status_code == 200:\n"
                       "        assert 1\n")
    assert _either_way_checks(sample) == [2]
    assert _either_way_checks(ast.parse("def t(r):\n    assert r.status_code in (403, 404)\n")) == [2]
    assert _either_way_checks(ast.parse("def t(r):\n    assert r.status_code == 200\n")) == []


def test_no_test_accepts_either_status_and_branches_on_it() -> None:
    offences = [f"{path.relative_to(TESTS)}:{line}"
                for path in sorted(TESTS.rglob("*.py"))
                for line in _either_way_checks(ast.parse(path.read_text(encoding="utf-8")))]
    assert not offences, f"state the one expected status instead of accepting several: {offences}"


def test_the_either_way_scan_reads_the_split_harness() -> None:
    # The harness is a package (tests/harness/): its generated checks must stay inside the scan above.
    scanned = {path.relative_to(TESTS).as_posix() for path in TESTS.rglob("*.py")}
    assert {"harness/base.py", "harness/pages.py", "harness/api.py"} <= scanned


def _ends_unique(model: type, ordering: list[str]) -> bool:
    """The last ordering key is the primary key or a unique field: no two rows tie, pages are stable."""
    last = ordering[-1].lstrip("-") if ordering else ""
    if last in ("pk", "id"):
        return True
    try:
        return bool(model._meta.get_field(last).unique)
    except Exception:
        return False


def test_every_list_has_a_stable_order() -> None:
    # A list without ORDER BY (a proxy model does not inherit its parent's ordering) pages differently
    # on each request on PostgreSQL: a row on two pages, or on none. Found by the benchmark harness.
    get_resolver().url_patterns
    unstable = [ui.url_name("list") for ui in registry
                if not _ends_unique(ui.model, list(ui.model._meta.ordering or []))]
    assert not unstable, f"order by a unique key last (e.g. ordering = [\"name\", \"id\"]): {unstable}"
