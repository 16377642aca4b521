"""The demo command builds the 宜昌 demo city once; a second run adds nothing; the data hangs together."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from stdnum.cn import uscc

from chanjiao.accounts.models import Membership, User
from chanjiao.catalog.models import Industry, Region
from chanjiao.catalog.services import DEFAULT_DATA_DIR, INDUSTRIES_FILE, load_catalogs
from chanjiao.demo.city import COUNTIES, DUAL_MIN_ENTERPRISE_YEARS, HEADCOUNT, PILLARS, TRADES
from chanjiao.orgs.models import (
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    Contact,
    GuidanceCommittee,
    GuidanceMember,
    Organisation,
    OrgKind,
    PillarIndustry,
    Teacher,
    VocationalGroup,
)

pytestmark = pytest.mark.django_db

MODELS = (Organisation, Committee, CommitteeMembership, Contact, Teacher, BoardTerm, PillarIndustry, User, Membership)
PREFIX = "宜昌示范"


@pytest.fixture
def small_catalog() -> None:
    """Just 宜昌's districts and one 小类 of each pillar (with its 大类), so the demo maps onto real codes."""
    Region.objects.create(code="4205", name="宜昌市", level=2, edition="test")
    for code, name in (("420502", "西陵区"), ("420503", "伍家岗区"), ("420506", "夷陵区")):
        Region.objects.create(code=code, name=name, level=3, edition="test")
    division = Industry.objects.create(code="26", name="化学原料和化学制品制造业", level=2, section="C",
                                       edition="test")
    Industry.objects.create(code="2622", name="磷肥制造", level=4, section="C", parent=division, edition="test")


@pytest.fixture
def industry_catalog() -> None:
    """The real GB/T 4754 table as ``load_catalogs`` writes it, and 宜昌 with its 13 counties."""
    load_catalogs(only=[Industry])
    city = Region.objects.create(code="4205", name="宜昌市", level=Region.Level.CITY, edition="test")
    for code, name in COUNTIES.items():
        Region.objects.create(code=code, name=name, level=Region.Level.COUNTY, parent=city, edition="test")


def _counts() -> dict[str, int]:
    return {m.__name__: m._base_manager.count() for m in MODELS}


def test_demo_runs_twice_without_duplicates(small_catalog):
    out = io.StringIO()
    call_command("demo", "--enterprises", "60", stdout=out)
    first = _counts()
    assert "demo_school" in out.getvalue() and "Chanjiao@2026" in out.getvalue()

    assert Committee.objects.count() == 11
    assert PillarIndustry.objects.count() == 11
    assert Organisation.objects.filter(kind=OrgKind.SCHOOL).count() == 23
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == 60
    assert not Organisation.objects.filter(is_demo=False).exists()
    assert all(uscc.is_valid(c) for c in Organisation.objects.exclude(uscc=None).values_list("uscc", flat=True))
    assert all(len(c) == 10 and c.isdigit()
               for c in Organisation.objects.exclude(school_code=None).values_list("school_code", flat=True))
    assert BoardTerm.objects.filter(end_date__isnull=True).get().number == 2
    # Only the one code in this catalog is used, and only for firms whose name says 磷化工/磷肥.
    phosphate = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, industry__code="2622")
    assert phosphate.exists()
    assert all(o.name[len(PREFIX) + 3:].startswith(TRADES["精细化工"]["2622"]) for o in phosphate)
    assert User.objects.filter(username__startswith="demo_").count() == 11
    assert CommitteeMembership.objects.filter(left__isnull=False).exists()  # history is part of the demo

    out = io.StringIO()
    call_command("demo", "--enterprises", "60", stdout=out)
    assert _counts() == first
    assert "未做任何修改" in out.getvalue()


def test_demo_without_catalog_warns_and_still_builds():
    out = io.StringIO()
    call_command("demo", "--enterprises", "22", stdout=out)
    assert "load_catalogs" in out.getvalue()
    assert Committee.objects.count() == 11


# ------------------------------------------------------------------------------------- coherence (issue 6 #17)


def _standard() -> dict[str, tuple[int, str]]:
    """GB/T 4754-2017 as shipped: code → (level, name)."""
    with (DEFAULT_DATA_DIR / INDUSTRIES_FILE).open(encoding="utf-8") as f:
        return {r["code"]: (int(r["level"]), r["name"]) for r in csv.DictReader(f)}


def test_every_trade_is_a_class_under_its_pillar_and_each_word_names_one_class():
    standard = _standard()
    by_name = {p.name: p for p in PILLARS}
    assert set(TRADES) == set(by_name)
    seen: dict[str, str] = {}
    for pillar, trades in TRADES.items():
        for code, words in trades.items():
            assert standard.get(code, (0, ""))[0] == Industry.Level.CLASS, f"{code} is not a 小类"
            assert any(code.startswith(c) for c in by_name[pillar].codes), f"{code} not under {pillar}"
            for word in words:
                assert word not in seen, f"“{word}” used for {seen.get(word)} and {code}"
                seen[word] = code
    for p in PILLARS:
        assert all(c in standard for c in p.codes), p.name


def _trade_word(name: str, leading: bool) -> str:
    """宜昌示范 + a three-character place word + the trade word + (集团) + 有限公司."""
    assert name.startswith(PREFIX) and name.endswith("有限公司"), name
    return name[len(PREFIX) + 3:].removesuffix("有限公司").removesuffix("集团" if leading else "")


def test_demo_enterprises_are_coded_from_their_pillar_with_names_that_fit(industry_catalog):
    call_command("demo", "--enterprises", "110", stdout=io.StringIO())
    firms = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE).select_related("industry", "region"))
    assert len(firms) == 110
    standard = _standard()
    for firm in firms:
        assert firm.industry is not None and firm.industry.level == Industry.Level.CLASS, firm.name
        code = firm.industry.code
        word = _trade_word(firm.name, firm.is_leading)
        own = [p for p, trades in TRADES.items() if code in trades]
        assert len(own) == 1 and word in TRADES[own[0]][code], (firm.name, code, standard[code][1])
        assert firm.region is not None and firm.region.code.startswith("4205") \
            and firm.region.level == Region.Level.COUNTY, firm.name
        low, high = HEADCOUNT[firm.size]
        assert low <= firm.headcount <= high, (firm.name, firm.size, firm.headcount)
        # The combinations the issue found: a travel agency is 7291, no firm is coded to sea transport
        # or to a martyrs' cemetery.
        assert ("旅行社" in firm.name) == (code == "7291"), firm.name
        assert not standard[code][1].startswith("海上") and code != "8860", firm.name

    # Each committee's member firms are coded under the codes of the committee's own pillar.
    members = CommitteeMembership.objects.filter(organisation__kind=OrgKind.ENTERPRISE).select_related(
        "organisation__industry", "committee__pillar")
    assert members.exists()
    for m in members:
        pillar_codes = list(m.committee.pillar.industries.values_list("code", flat=True))
        assert pillar_codes and any(m.organisation.industry.code.startswith(c) for c in pillar_codes), m
    departments = Organisation.objects.filter(kind=OrgKind.DEPARTMENT)
    assert departments.exists() and set(departments.values_list("region__code", flat=True)) == {"4205"}
    mapped = {p.name: set(p.industries.values_list("code", flat=True)) for p in PillarIndustry.objects.all()}
    assert mapped == {p.name: set(p.codes) for p in PILLARS}


def test_every_demo_record_passes_the_models_own_validation(industry_catalog):
    call_command("demo", "--enterprises", "44", stdout=io.StringIO())
    checked = 0
    for model in (Organisation, VocationalGroup, PillarIndustry, BoardTerm, BoardSeat, Committee,
                  CommitteeMembership, Contact, Teacher, GuidanceCommittee, GuidanceMember, Membership):
        rows = list(model._base_manager.all())
        assert rows, model.__name__
        for row in rows:
            row.full_clean()
            checked += 1
    assert checked > 300
    teachers = Teacher.objects.all()
    assert teachers.filter(is_dual_qualified=True).exists() and teachers.filter(is_dual_qualified=False).exists()
    # 双师型 means industry experience: at least the six months of enterprise practice TP-01 asks for.
    assert not teachers.filter(is_dual_qualified=True, enterprise_years__lt=Decimal("0.5")).exists()
    assert teachers.filter(is_dual_qualified=True, enterprise_years=DUAL_MIN_ENTERPRISE_YEARS).exists()


def test_too_few_enterprises_are_refused_and_the_minimum_builds(small_catalog):
    """Each pillar needs firms of its own: fewer than two per pillar used to crash with an IndexError."""
    from django.core.management.base import CommandError

    from chanjiao.demo.management.commands.demo import MIN_ENTERPRISES

    with pytest.raises(CommandError, match="至少为"):
        call_command("demo", "--enterprises", "5", stdout=io.StringIO())
    assert not Organisation.objects.exists()
    call_command("demo", "--enterprises", str(MIN_ENTERPRISES), stdout=io.StringIO())
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == MIN_ENTERPRISES


def test_the_demo_bureau_is_bounded_to_the_city_and_reaches_all_of_it(industry_catalog):
    """Issue #8 point 0: the demo's bureau-level accounts hold 宜昌 as their jurisdiction, and every demo
    row lies within it (a row left without a region would vanish from the bureau's pages)."""
    from chanjiao.core.scoping import get_scope

    call_command("demo", "--enterprises", "44", stdout=io.StringIO())
    for username in ("demo_bureau", "demo_secretariat", "demo_leader"):
        user = User.objects.get(username=username)
        assert get_scope(user).jurisdictions == frozenset({"4205"}), username
        for model in (Organisation, VocationalGroup, Committee, CommitteeMembership, Contact, Teacher,
                      GuidanceCommittee, GuidanceMember, BoardSeat):
            assert model._default_manager.visible_to(user).count() == model._base_manager.count(), (username, model)
    bureau = User.objects.get(username="demo_bureau")
    assert Organisation.objects.editable_by(bureau).count() == Organisation._base_manager.count()
    assert VocationalGroup.objects.get().region.code == "4205"
