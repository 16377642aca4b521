"""The three lists and the yearly fit report (issue #10 point 8): the lists follow the per-offering
judgement and the supply/demand gap, change with the rule pack, and the .docx/.xlsx state their basis."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest

from chanjiao.core.models import AuditEvent
from chanjiao.layout import fit, lists, rule_packs
from chanjiao.layout.models import DeclaredDemand, Offering, OfferingStatus, OfferingYear
from tests import factories

pytestmark = pytest.mark.django_db

YEAR = 2019


def _generate(rng: random.Random) -> list[Offering]:
    for code, level, name in (("42", 1, "湖北省"), ("4205", 2, "宜昌市")):
        factories.RegionFactory(code=code, level=level, name=name)
    majors = [factories.MajorFactory(class_code=f"46{n:02d}", category_code="46") for n in range(1, 6)]
    offerings = []
    for n in range(8):
        school = factories.SchoolFactory(region=factories.RegionFactory(code=f"42050{n % 4 + 2}", level=3),
                                         school_level="secondary")
        for major in rng.sample(majors, rng.randint(1, 4)):
            offering = Offering.objects.create(school=school, major=major, start_year=2012,
                                               filed_on=dt.date(2012, 3, 1), status=OfferingStatus.ENROLLING)
            for year in range(2016, YEAR + 1):
                enrolled = rng.choice([10, 25, 35, 60])
                OfferingYear.objects.create(offering=offering, year=year, enrolled=enrolled, planned_enrolment=100,
                                            graduates=rng.randint(5, 40), employed=0, students=enrolled * 3)
            offerings.append(offering)
    firm = factories.EnterpriseFactory()
    for major in majors[:3]:
        DeclaredDemand.objects.create(enterprise=firm, year=YEAR, class_code=major.class_code,
                                      headcount=rng.randint(100, 300))
    return offerings


def _expected(user: Any) -> dict[str, set[str]]:
    offerings = list(fit.base(user, YEAR).select_related("school__region", "major"))
    fit.prefetch(offerings, YEAR)
    ratings: dict[str, set[str]] = {}
    for judged in fit.judge(offerings, YEAR):
        ratings.setdefault(judged.offering.major.code, set()).add(judged.rating)
    return {"restrict": {m for m, r in ratings.items() if fit.RED in r},
            "upgrade": {m for m, r in ratings.items() if fit.RED not in r and fit.AMBER in r}}


@pytest.mark.parametrize("seed", [4, 12])
def test_the_lists_follow_the_judgement_and_change_with_the_pack(world: Any, seed: int) -> None:
    _generate(random.Random(seed))
    user = world.bureau_admin
    before = lists.three_lists(user, YEAR)
    expected = _expected(user)
    assert {r["major__code"] for r in before["restrict"]} == expected["restrict"]
    assert {r["major__code"] for r in before["upgrade"]} == expected["upgrade"]
    assert before["restrict"] or before["upgrade"]
    graduates = {r["class_code"]: r["graduates"] for r in before["urgent"]}
    for row in before["urgent"]:
        assert row["gap"] == row["demand"] - graduates[row["class_code"]] > 0
    rule_packs.apply_pack(rule_packs.PACKS["jilin_city"], "4205", dt.date(2015, 1, 1))
    after = lists.three_lists(user, YEAR)
    assert {r["major__code"] for r in after["restrict"]} == _expected(user)["restrict"]
    assert ({r["major__code"]: r["rules"] for r in after["restrict"]}
            != {r["major__code"]: r["rules"] for r in before["restrict"]})
    assert all("MJ-08A" not in r["rules"] for r in after["restrict"])


def test_the_report_states_its_basis_in_word_and_excel(world: Any, login: Any) -> None:
    from docx import Document
    from openpyxl import load_workbook

    _generate(random.Random(3))
    rule_packs.apply_pack(rule_packs.PACKS["moe_2011"], "4205", dt.date(2015, 1, 1))
    client = login("bureau_admin")
    page = client.get(f"/layout/lists/?year={YEAR}")
    assert page.status_code == 200
    assert 'data-list="restrict"' in page.content.decode()
    events = AuditEvent.objects.filter(action="export").count()
    word = client.get(f"/layout/lists/?year={YEAR}&region=4205&format=docx")
    assert word.status_code == 200
    assert "attachment" in word["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert f"{YEAR}年专业设置与产业发展匹配分析报告" in text
    assert "数据年度：2019" in text
    assert "专业产业对照表：无已发布的对照表" in text  # no crosswalk published in this world: said so
    excel = client.get(f"/layout/lists/?year={YEAR}&region=4205&format=xlsx")
    assert excel.status_code == 200
    book = load_workbook(io.BytesIO(excel.content), read_only=True)
    assert book.sheetnames == ["报告依据", "总体情况", "产业匹配", "各校预警", "限制或撤销", "升级改造", "急需紧缺",
                               "预警规则"]
    basis_rows = {row[0]: row[1] for row in book["报告依据"].iter_rows(values_only=True)}
    assert basis_rows["预警规则包"] == str(rule_packs.PACKS["moe_2011"].name)
    assert basis_rows["数据年度"] == YEAR
    restrict = [row for row in book["限制或撤销"].iter_rows(values_only=True)][1:]
    assert {r[0] for r in restrict} == {r["major__code"] for r in lists.three_lists(world.bureau_admin,
                                                                                     YEAR)["restrict"]}
    assert AuditEvent.objects.filter(action="export").count() == events + 2
