"""The repository holds sources, not build output, and its README says how to run it (issue #6, 19–20)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_OUTPUT = re.compile(r"(^|/)([^/]+\.egg-info|__pycache__|staticfiles|node_modules|\.venv)(/|$)")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                                reason="not a git checkout")


def test_no_build_output_is_tracked() -> None:
    tracked = [p for p in _git("ls-files").splitlines() if BUILD_OUTPUT.search(p)]
    assert tracked == []


def test_setup_output_is_ignored() -> None:
    # `pip install -e .` writes chanjiao.egg-info/; it must not show as a change after `make setup`.
    for path in ("chanjiao.egg-info/SOURCES.txt", "static/vendor/htmx/htmx.min.js", "var/chanjiao.sqlite3"):
        assert _git("check-ignore", path).strip() == path


def test_readme_says_how_to_choose_the_port() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme.split("\n\n")[1] and "make test" in readme.split("\n\n")[1]
    assert "PORT=" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PORT \?= \d+$", makefile, re.M) and "--bind $(HOST):$(PORT)" in makefile
