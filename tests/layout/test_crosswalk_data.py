"""The shipped default crosswalk (chanjiao/layout/data/crosswalk_2021.csv): every 专业类 of the 2021 catalogue
(all three levels) has 1–3 industries; every industry and occupation it names exists in the catalog files
under exactly that name and at the allowed level; no (class, industry) pair twice; every row says why and on
what source. Plain csv reading — no database."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "chanjiao"
CROSSWALK = ROOT / "layout" / "data" / "crosswalk_2021.csv"
CATALOG = ROOT / "catalog" / "data"
HEADER = ["class_code", "class_name", "industry_code", "industry_name", "occupation_code", "occupation_name",
          "reason", "source"]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read(CROSSWALK)


@pytest.fixture(scope="module")
def majors() -> list[dict[str, str]]:
    return _read(CATALOG / "vocational_majors_2021" / "vocational_majors_2021.csv")


def test_header_is_exact_and_file_is_plain_utf8() -> None:
    raw = CROSSWALK.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    with CROSSWALK.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER


def test_every_class_of_every_level_appears(rows: list[dict[str, str]], majors: list[dict[str, str]]) -> None:
    wanted = {(m["class_code"], m["class_name"]) for m in majors}
    assert {m["level"] for m in majors} == {"VOCATIONAL_SECONDARY", "VOCATIONAL_ASSOCIATE", "VOCATIONAL_BACHELOR"}
    given = {(r["class_code"], r["class_name"]) for r in rows}
    assert wanted - given == set(), "classes of the majors file without a crosswalk row"
    assert given - wanted == set(), "crosswalk rows for classes (or names) not in the majors file"


def test_one_to_three_industries_per_class(rows: list[dict[str, str]]) -> None:
    counts = Counter(r["class_code"] for r in rows)
    assert {code: n for code, n in counts.items() if not 1 <= n <= 3} == {}


def test_no_duplicate_class_industry_pair(rows: list[dict[str, str]]) -> None:
    pairs = Counter((r["class_code"], r["industry_code"]) for r in rows)
    assert [pair for pair, n in pairs.items() if n > 1] == []


def test_industries_exist_with_exact_name_at_division_or_group_level(rows: list[dict[str, str]]) -> None:
    industries = {i["code"]: i for i in _read(CATALOG / "industry_gbt4754_2017" / "gbt4754_2017.csv")}
    bad = []
    for r in rows:
        known = industries.get(r["industry_code"])
        if known is None or known["name"] != r["industry_name"] or known["level_name"] not in ("大类", "中类"):
            bad.append((r["class_code"], r["industry_code"], r["industry_name"]))
    assert bad == []


def test_occupations_exist_with_exact_name_at_middle_or_minor_level(rows: list[dict[str, str]]) -> None:
    occupations = {o["code"]: o for o in _read(CATALOG / "occupations_2022" / "occupations_2022.csv")}
    bad = []
    for r in rows:
        if not r["occupation_code"]:
            assert r["occupation_name"] == "", f"name without code in {r['class_code']} → {r['industry_code']}"
            continue
        known = occupations.get(r["occupation_code"])
        if known is None or known["name"] != r["occupation_name"] or known["level_name"] not in ("中类", "小类"):
            bad.append((r["class_code"], r["occupation_code"], r["occupation_name"]))
    assert bad == []


def test_every_row_has_a_short_reason_and_a_known_source(rows: list[dict[str, str]]) -> None:
    sources = {
        "《职业教育专业目录（2021年）》专业类名称与GB/T 4754—2017行业说明对照（平台整理）",
        "据《职业教育专业简介（2022年修订）》对应行业（平台整理，待核实）",
    }
    assert [r["class_code"] for r in rows if not r["reason"].strip() or len(r["reason"]) > 40] == []
    assert [r["class_code"] for r in rows if r["source"] not in sources] == []
