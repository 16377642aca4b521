"""The recommendation pages as a school, an enterprise and the bureau use them: reasons and scores as the service
computes them, the next steps as filled-in forms the reader may create, another school's offering a 404, bad
parameters a message in Chinese, and a firm's headcount withheld from a reader who may not read its demand."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from chanjiao.engagement.models import Agreement
from chanjiao.matching.services import WITHHELD_DEMAND, rank_enterprises
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_offering(city: dict[str, Any], world: Any) -> Any:
    """School A (school_admin_a's) offers the city's major, in the city's county."""
    world.school_a.region = city["county"]
    world.school_a.save()
    return factories.OfferingFactory(school=world.school_a, major=city["major"])


def rows_of(html: str) -> list[tuple[int, int, list[int]]]:
    """(pk, score, [reason weights]) of each recommendation row."""
    out = []
    for pk, score, body in re.findall(r'<tr data-pk="(\d+)" data-score="(\d+)">(.*?)</tr>', html, re.S):
        out.append((int(pk), int(score), [int(w) for w in re.findall(r'data-weight="(\d+)"', body)]))
    return out


def test_a_school_sees_partners_for_its_offering_with_reasons_and_next_steps(city: dict[str, Any], own_offering: Any,
                                                                             login: Any, school_admin_a: Any) -> None:
    response = login("school_admin_a").get(reverse("matching:offering_enterprises", args=[own_offering.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    rows = rows_of(html)
    expected = rank_enterprises(own_offering, user=school_admin_a)
    assert [pk for pk, _s, _w in rows] == [r.pk for r in expected] and rows
    assert rows[0][0] == city["fit"].pk
    for _pk, score, weights in rows:
        assert score == sum(weights) and all(w > 0 for w in weights)
    # The school may not read the firm's declared demand: the reason stays, the headcount does not.
    assert str(WITHHELD_DEMAND) in html and "12 人" not in html
    # 起草合作协议: the agreement form, filled in with the school, the firm and the major.
    link = re.search(r'href="([^"]*/agreement/add/\?[^"]*)"', html)
    assert link, "the school may draft agreements"
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query == {"schools": [str(own_offering.school_id)], "enterprises": [str(city["fit"].pk)],
                     "majors": [str(city["major"].pk)]}
    form = login("school_admin_a").get(link.group(1).replace("&amp;", "&")).content.decode()
    for name, pk in (("schools", own_offering.school_id), ("enterprises", city["fit"].pk)):
        assert re.search(rf'name="{name}"[^>]*>.*?<option value="{pk}" selected', form, re.S), name
    assert Agreement._base_manager.count() == 0, "a recommendation writes nothing"


def test_the_bureau_reads_the_headcount(city: dict[str, Any], login: Any) -> None:
    html = login("bureau_admin").get(reverse("matching:offering_enterprises", args=[city["offering"].pk])).content
    assert "12 人" in html.decode() and str(WITHHELD_DEMAND) not in html.decode()


def test_another_schools_offering_is_not_found(city: dict[str, Any], login: Any) -> None:
    # city["offering"] belongs to a school school_admin_b does not run (its offerings are public, its
    # cooperation records are not); nor may it type that school in, nor see a firm's recommended offerings.
    response = login("school_admin_b").get(reverse("matching:offering_enterprises", args=[city["offering"].pk]))
    assert response.status_code == 404
    page = login("school_admin_b").get(reverse("matching:enterprises"),
                                       {"school": city["school"].pk, "major": city["major"].code})
    assert page.status_code == 200
    assert "请选择您可查看的学校" in page.content.decode() and not rows_of(page.content.decode())
    assert login("school_admin_b").get(reverse("matching:enterprise_offerings",
                                               args=[city["fit"].pk])).status_code == 404
    detail = login("school_admin_b").get(city["offering"].get_absolute_url()).content.decode()
    assert reverse("matching:offering_enterprises", args=[city["offering"].pk]) not in detail


def test_a_planned_order_class_is_matched_by_school_and_major_code(city: dict[str, Any], own_offering: Any,
                                                                   login: Any) -> None:
    client = login("school_admin_a")
    url = reverse("matching:enterprises")
    page = client.get(url, {"school": own_offering.school_id, "major": city["major"].code, "limit": 1}).content.decode()
    assert [pk for pk, _s, _w in rows_of(page)] == [city["fit"].pk]
    assert "/order-class/add/?" in page or "/orderclass/add/?" in page
    unknown = client.get(url, {"school": own_offering.school_id, "major": "999999"}).content.decode()
    assert "专业代码“999999”不在职业教育专业目录中" in unknown and not rows_of(unknown)
    # Out-of-range counts are clamped, not an error page.
    for limit, most in (("1000", 50), ("-3", 1), ("abc", 10)):
        response = client.get(url, {"school": own_offering.school_id, "major": city["major"].code, "limit": limit})
        assert response.status_code == 200 and 0 < len(rows_of(response.content.decode())) <= most


def test_an_enterprise_sees_the_offerings_that_supply_it(city: dict[str, Any], own_offering: Any, world: Any,
                                                         login: Any) -> None:
    # The world's enterprise contact runs world.enterprise: give it the fit firm's industry and demand.
    firm = world.enterprise
    firm.industry, firm.region = city["industry"], city["county"]
    firm.save()
    factories.DeclaredDemandFactory(enterprise=firm, class_code="5101", year=2019, headcount=7)
    client = login("enterprise_contact")
    url = reverse("matching:enterprise_offerings", args=[firm.pk])
    html = client.get(url).content.decode()
    pks = [pk for pk, _s, _w in rows_of(html)]
    assert own_offering.pk in pks and city["offering"].pk in pks
    assert "7 人" in html, "a firm reads its own demand"
    bad = client.get(url, {"class_code": "9999"}).content.decode()
    assert "专业类代码“9999”不在职业教育专业目录中" in bad and not rows_of(bad)


def test_the_detail_pages_offer_the_recommendations(city: dict[str, Any], own_offering: Any, login: Any) -> None:
    client = login("school_admin_a")
    detail = client.get(own_offering.get_absolute_url()).content.decode()
    assert reverse("matching:offering_enterprises", args=[own_offering.pk]) in detail
    firm_page = login("bureau_admin").get(city["fit"].get_absolute_url()).content.decode()
    assert reverse("matching:enterprise_offerings", args=[city["fit"].pk]) in firm_page
