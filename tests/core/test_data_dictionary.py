"""docs/data-dictionary.md is the output of ``manage.py data_dictionary`` for the current models."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from chanjiao.core.management.commands.data_dictionary import REGENERATE, render_data_dictionary

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def _command_output(*args: str) -> str:
    out = io.StringIO()
    call_command("data_dictionary", *args, stdout=out)
    return out.getvalue()


def test_committed_data_dictionary_is_current() -> None:
    assert DOC.exists(), f"docs/data-dictionary.md is missing; generate it with: {REGENERATE}"
    committed = DOC.read_text(encoding="utf-8")
    assert committed == _command_output(), (
        f"docs/data-dictionary.md is out of date with the models; regenerate it with: {REGENERATE}"
    )


def test_output_is_deterministic_and_covers_every_concrete_model() -> None:
    from django.apps import apps

    text = render_data_dictionary()
    assert text == render_data_dictionary()
    for model in apps.get_models():
        if model._meta.app_config.name.startswith("chanjiao.") and not model._meta.proxy:
            assert f"### {model._meta.label} — " in text
            assert f"Table `{model._meta.db_table}`." in text
    # Proxies are named on their table's section, not given one of their own.
    assert "### orgs.School" not in text
    assert "orgs.School (学校)" in text


def test_describes_fields_choices_and_references() -> None:
    text = render_data_dictionary()
    assert "| `uscc` | `uscc` | 统一社会信用代码 | CharField(18) | yes | yes | yes |" in text
    assert "state=国有" in text  # choices as stored value = Chinese label
    assert "[orgs.Organisation](#orgs-organisation) (PROTECT)" in text
    assert "masked in the audit log" in text  # Contact.phone


def test_output_option_and_check(tmp_path: Path) -> None:
    target = tmp_path / "dd.md"
    call_command("data_dictionary", "--output", str(target))
    assert target.read_text(encoding="utf-8") == render_data_dictionary()
    call_command("data_dictionary", "--output", str(target), "--check")  # up to date: no error
    target.write_text("stale", encoding="utf-8")
    with pytest.raises(CommandError, match="data_dictionary"):
        call_command("data_dictionary", "--output", str(target), "--check")
