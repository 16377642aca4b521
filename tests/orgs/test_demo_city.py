"""The demo command builds the 宜昌 demo city once; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from stdnum.cn import uscc

from chanjiao.accounts.models import Membership, User
from chanjiao.catalog.models import Industry, Region
from chanjiao.orgs.models import (
    BoardTerm,
    Committee,
    CommitteeMembership,
    Contact,
    Organisation,
    OrgKind,
    PillarIndustry,
    Teacher,
)

pytestmark = pytest.mark.django_db

MODELS = (Organisation, Committee, CommitteeMembership, Contact, Teacher, BoardTerm, PillarIndustry, User, Membership)


@pytest.fixture
def small_catalog() -> None:
    """Just the codes the demo maps onto: 宜昌's districts and a few GB/T 4754 divisions."""
    Region.objects.create(code="420500", name="宜昌市", level=2, edition="test")
    for code, name in (("420502", "西陵区"), ("420503", "伍家岗区"), ("420506", "夷陵区")):
        Region.objects.create(code=code, name=name, level=3, edition="test")
    for code, name in (("26", "化学原料和化学制品制造业"), ("01", "农业"), ("84", "卫生")):
        division = Industry.objects.create(code=code, name=name, level=2, section="C", edition="test")
        Industry.objects.create(code=f"{code}11", name=f"{name}小类", level=4, section="C", parent=division,
                                edition="test")


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
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE, industry__code="2611").exists()
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
