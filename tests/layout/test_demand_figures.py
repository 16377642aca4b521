"""The postings' demand figures (issue #11 point 3, chanjiao/layout/demand_figures.py) on generated postings:
the count and the salary medians equal what is computed here from the stored rows, broken down by 专业类 and
education each group equals its own rows, the whole of a median is the median over every row (not a sum of
groups), and every value's list page shows the same count or median."""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Iterable
from typing import Any

import pytest

from chanjiao.core.figures import evaluate
from chanjiao.layout.demand_figures import POSTINGS, SALARY_MAX_MEDIAN, SALARY_MIN_MEDIAN
from chanjiao.layout.models import EducationAsked, JobPosting
from tests import factories

pytestmark = pytest.mark.django_db

CLASSES = ["4601", "4602", "5102", "5301", "00"]
EDUCATION = [value for value, _label in EducationAsked.choices]


def _median(values: Iterable[int | None]) -> int:
    present = [v for v in values if v is not None]
    return round(statistics.median(present)) if present else 0


def _generate(seed: int) -> list[dict[str, Any]]:
    """Random postings of 2020 (salaries, some 面议; 专业类 by a person's correction; education) plus a few of
    2019 and some re-listings, which the figures must leave out; the stored rows the figures should count."""
    rng = random.Random(seed)
    for i in range(rng.randint(18, 34)):
        low = rng.randint(3, 18)
        text = rng.choice([f"{low}-{low + rng.randint(1, 9)}K", f"{low}-{low + 3}K·13薪", f"{low}千-{low + 2}千",
                           "面议"])
        factories.JobPostingFactory(salary_text=text, corrected_class_code=rng.choice(CLASSES),
                                    education=rng.choice(EDUCATION), year=rng.choice([2020, 2020, 2020, 2019]),
                                    title=f"岗位{seed}-{i}")
    for original in list(JobPosting._base_manager.filter(year=2020).order_by("id")[:3]):
        factories.JobPostingFactory(salary_text="30-40K", corrected_class_code=original.corrected_class_code,
                                    year=2020, title=original.title, company_name=original.company_name,
                                    place_text=original.place_text)
    from chanjiao.layout.postings import link_relistings

    link_relistings(JobPosting._base_manager.values_list("fingerprint", flat=True))
    rows = list(JobPosting._base_manager.filter(year=2020, duplicate_of__isnull=True)
                .values("salary_min", "salary_max", "class_code", "education"))
    assert JobPosting._base_manager.filter(duplicate_of__isnull=False).count() == 3  # the re-listings are there
    return rows


def _shown(client: Any, url: str, field: str | None) -> int:
    """The list page's row count (``field`` None) or the median of ``field`` it shows ("—": none, 0)."""
    page = client.get(url).content.decode()
    if field is None:
        found = re.search(r'data-testid="row-count">共 ([\d,]+) 条', page)
    else:
        found = re.search(rf'data-testid="median-{field}">[^<：]*：([\d,]+|—)<', page)
    assert found, url
    return 0 if found.group(1) == "—" else int(found.group(1).replace(",", ""))


@pytest.mark.parametrize("seed", [3, 11])
def test_the_counts_and_medians_equal_their_rows_and_their_lists(world: Any, login: Any, seed: int) -> None:
    rows = _generate(seed)
    user, client = world.bureau_admin, login("bureau_admin")
    year = {"year": "2020"}
    values = evaluate([POSTINGS, SALARY_MIN_MEDIAN, SALARY_MAX_MEDIAN], year, user)
    assert values[POSTINGS.key].value == len(rows)
    assert values[SALARY_MIN_MEDIAN.key].value == _median(r["salary_min"] for r in rows)
    assert values[SALARY_MAX_MEDIAN.key].value == _median(r["salary_max"] for r in rows)
    assert values[SALARY_MIN_MEDIAN.key].value > 0
    for figure, field in ((POSTINGS, None), (SALARY_MIN_MEDIAN, "salary_min"), (SALARY_MAX_MEDIAN, "salary_max")):
        assert _shown(client, values[figure.key].drill_url, field) == values[figure.key].value, figure.key

    for by, column in (("major_class", "class_code"), ("education", "education")):
        # Three figures of one list: one grouped statement with a conditional aggregate each.
        broken = evaluate([POSTINGS, SALARY_MIN_MEDIAN, SALARY_MAX_MEDIAN], year, user, by=by)
        for figure, field in ((POSTINGS, None), (SALARY_MIN_MEDIAN, "salary_min"), (SALARY_MAX_MEDIAN, "salary_max")):
            got = broken[figure.key]
            assert got.value == values[figure.key].value, (by, figure.key)  # a median's whole is not a sum
            keys = {r[column] for r in rows}
            if field is None:
                want = {k: sum(1 for r in rows if r[column] == k) for k in keys}
            else:
                want = {k: _median(r[field] for r in rows if r[column] == k) for k in keys}
            assert {g.key: g.value for g in got.groups} == {k: v for k, v in want.items() if v}, (by, figure.key)
            for group in got.groups:
                assert group.drill_url and _shown(client, group.drill_url, field) == group.value, group.drill_url
        # Alone, a figure is grouped by its own filtered rows: the same groups.
        alone = evaluate([SALARY_MIN_MEDIAN], year, user, by=by)[SALARY_MIN_MEDIAN.key]
        together = broken[SALARY_MIN_MEDIAN.key].groups
        assert [(g.key, g.value) for g in alone.groups] == [(g.key, g.value) for g in together]


def test_the_class_breakdown_names_its_codes(world: Any) -> None:
    _generate(5)
    groups = evaluate([POSTINGS], {}, world.bureau_admin, by="major_class")[POSTINGS.key].groups
    labels = {g.key: g.label for g in groups}
    assert labels.get("00") == "00 不需要职业教育专业"
    assert all(label.startswith(key) for key, label in labels.items())


def test_an_empty_selection_has_no_median(world: Any, login: Any) -> None:
    factories.JobPostingFactory(salary_text="面议", year=2020)
    values = evaluate([SALARY_MIN_MEDIAN], {"year": "2020"}, world.bureau_admin)
    assert values[SALARY_MIN_MEDIAN.key].value == 0
    assert _shown(login("bureau_admin"), values[SALARY_MIN_MEDIAN.key].drill_url, "salary_min") == 0
