"""Meta-tests: every registered model has harness tests, every audited model is registered.

NetBox fails its build when a model has no view tests; so do we.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
