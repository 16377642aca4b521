"""The test world is built once per process (tests/conftest.py) and every test gets it untouched."""

from __future__ import annotations

from typing import Any

import pytest

from chanjiao.orgs.models import School


@pytest.mark.parametrize("round_", range(3))
def test_each_test_gets_the_world_as_built(world: Any, round_: int) -> None:
    # Each round changes the world in memory and in the database; the next round must not see it
    # (on one xdist worker the rounds run in the same process, after the one shared build).
    assert world.school_a.name != "被上一个测试改过的学校"
    assert not School.objects.filter(name="被上一个测试改过的学校").exists()
    world.school_a.name = "被上一个测试改过的学校"
    world.school_a.save()
    assert School.objects.filter(name="被上一个测试改过的学校").count() == 1


def test_a_test_without_the_world_starts_empty(db: None) -> None:
    assert not School.objects.exists()
