"""``crosswalk.pillar_mapping`` (the pillar → majors mapping the filters, the fit rules and the sums share)
equals the crosswalk's SQL overlap condition (``industry_overlap_q``) on random industries, entries and
pillar codes: within a code, enclosing it (an ancestor 大类/中类 or its 门类), a 门类 pillar, and majors
refined by their own entries taking those instead of their 专业类's."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from chanjiao.catalog.models import Industry, Major
from chanjiao.layout import crosswalk
from chanjiao.layout.models import CrosswalkEntry, CrosswalkStatus, CrosswalkVersion, Offering
from tests import factories

pytestmark = pytest.mark.django_db


def _catalogue(rng: random.Random) -> list[Industry]:
    industries = [factories.IndustryFactory(code=s, level=Industry.Level.SECTION, section=s, name=f"门类{s}")
                  for s in ("C", "Q")]
    for section, first in (("C", "3"), ("Q", "8")):
        for big in rng.sample(range(10), 3):
            code2 = f"{first}{big}"
            industries.append(factories.IndustryFactory(code=code2, level=2, section=section, name=f"行业{code2}"))
            for mid in rng.sample(range(10), 2):
                code3 = f"{code2}{mid}"
                industries.append(factories.IndustryFactory(code=code3, level=3, section=section,
                                                            name=f"行业{code3}"))
                code4 = f"{code3}{rng.randint(0, 9)}"
                industries.append(factories.IndustryFactory(code=code4, level=4, section=section,
                                                            name=f"行业{code4}"))
    return industries


def _expected(codes: crosswalk.Codes, version: CrosswalkVersion) -> set[int]:
    """The SQL definition: entries overlapping ``codes``; a major with entries of its own by those only."""
    entries = CrosswalkEntry.objects.filter(crosswalk.industry_overlap_q(codes), version=version)
    refined = set(CrosswalkEntry.objects.filter(version=version, major__isnull=False).values_list("major_id",
                                                                                                    flat=True))
    own = set(entries.filter(major__isnull=False).values_list("major_id", flat=True))
    classes = set(entries.filter(major__isnull=True).values_list("class_code", flat=True))
    by_class = set(Major.objects.filter(class_code__in=classes).exclude(pk__in=refined).values_list("pk", flat=True))
    return own | by_class


@pytest.mark.parametrize("seed", [1, 5, 11])
def test_the_mapping_equals_the_sql_overlap_condition(seed: int) -> None:
    rng = random.Random(seed)
    industries = _catalogue(rng)
    version = CrosswalkVersion.objects.create(number=50 + seed, title="随机对照表", published_on=dt.date(2015, 1, 1),
                                              status=CrosswalkStatus.PUBLISHED)
    classes = [f"46{n:02d}" for n in range(1, 7)]
    majors = [factories.MajorFactory(code=f"{c}{k:02d}", class_code=c, category_code=c[:2])
              for c in classes for k in range(1, 4)]
    school = factories.SchoolFactory()
    for major in majors:
        Offering.objects.create(school=school, major=major, start_year=2015, filed_on=dt.date(2015, 1, 1))
    for class_code in classes:
        for industry in rng.sample(industries, 2):
            CrosswalkEntry.objects.create(version=version, class_code=class_code, industry=industry,
                                          reason="测试", source="测试")
    for major in rng.sample(majors, 4):  # refined majors: their own entries instead of their class's
        CrosswalkEntry.objects.create(version=version, class_code=major.class_code, major=major,
                                      industry=rng.choice(industries), reason="测试", source="测试")
    pillars = {n: [(i.code, i.level, i.section) for i in rng.sample(industries, rng.randint(1, 3))]
               for n in range(12)}
    mapping = crosswalk.pillar_mapping(pillars, version)
    reached = 0
    for n, codes in pillars.items():
        expected = _expected(codes, version)
        assert mapping[n].majors == expected, codes
        # The condition the lists filter by selects the offerings of the same majors.
        assert set(Offering.objects.filter(mapping[n].q()).values_list("major_id", flat=True)) == expected, codes
        reached += bool(expected)
    assert reached >= 3, "the random pillars reach some majors"
