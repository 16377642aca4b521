from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from chanjiao.catalog.models import Industry, Major, Region


def test_major_list_finds_by_pinyin_initials(bureau_client):
    response = bureau_client.get("/catalog/major/", {"q": "jsjyy"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "710201" in page and "计算机应用" in page


def test_major_list_filters_by_level_and_category(bureau_client):
    response = bureau_client.get("/catalog/major/", {"level": "bachelor", "category_name": "电子与信息大类",
                                                     "q": "dsj"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "310205" in page  # 大数据工程技术
    assert "510205" not in page  # the 专科 大数据技术 is filtered out by level


def test_api_search_by_initials(bureau_client):
    response = bureau_client.get("/api/catalog/majors/", {"q": "jsjyy"})
    assert response.status_code == 200
    codes = {row["code"]: row["name"] for row in response.json()["results"]}
    assert codes["710201"] == "计算机应用"


def test_api_filters_industries_by_section_and_level(bureau_client):
    response = bureau_client.get("/api/catalog/industries/", {"section": "I", "level": 2})
    assert {row["code"] for row in response.json()["results"]} == {"63", "64", "65"}


def test_api_lists_children_by_parent_code(bureau_client):
    response = bureau_client.get("/api/catalog/regions/", {"parent_code": "4205"})
    assert response.json()["count"] == 13


def test_search_matches_codes(bureau_client):
    response = bureau_client.get("/api/catalog/industries/", {"q": "6513"})
    assert [row["name"] for row in response.json()["results"]] == ["应用软件开发"]


def test_detail_shows_children(bureau_client):
    yichang = Region.objects.get(code="4205")
    response = bureau_client.get(f"/catalog/region/{yichang.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "下级区划" in page and "西陵区" in page


def test_industry_detail_shows_groups_and_derived(bureau_client):
    division = Industry.objects.get(code="02")
    page = bureau_client.get(f"/catalog/industry/{division.pk}/").content.decode()
    assert "造林和更新" in page and "下级行业" in page


def test_major_detail_shows_same_class(bureau_client):
    major = Major.objects.get(code="710201")
    page = bureau_client.get(f"/catalog/major/{major.pk}/").content.decode()
    assert "同专业类的其他专业" in page and "计算机网络技术" in page


@pytest.mark.parametrize("name", ["major", "industry", "occupation", "region"])
def test_catalog_pages_are_read_only(bureau_client, name):
    for action in ("add", "edit", "delete", "import"):
        with pytest.raises(NoReverseMatch):
            reverse(f"catalog:{name}_{action}", args=[] if action in ("add", "import") else [1])
    assert bureau_client.get(f"/catalog/{name}/add/").status_code == 404


@pytest.mark.parametrize("path", ["majors", "industries", "occupations", "regions"])
def test_api_refuses_writes(bureau_client, path):
    major = Major.objects.first()
    assert bureau_client.post(f"/api/catalog/{path}/", {"code": "x"}, content_type="application/json") \
        .status_code == 405
    assert bureau_client.patch(f"/api/catalog/{path}/{major.pk}", {"name": "x"},
                               content_type="application/json").status_code == 405
    assert bureau_client.delete(f"/api/catalog/{path}/{major.pk}").status_code == 405


def test_anonymous_sees_nothing(client):
    assert client.get("/catalog/major/").status_code == 302  # to the login page
    assert client.get("/api/catalog/majors/").status_code == 401
