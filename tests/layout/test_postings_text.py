"""Salary texts, company names and re-listing fingerprints of job postings (layout/postings_text.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chanjiao.layout.postings_text import (
    DAYS_PER_MONTH,
    SalaryRange,
    company_name_core,
    is_piece_rate,
    normalise_company_name,
    parse_salary,
    posting_fingerprint,
    salary_error,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "job_postings"


@pytest.mark.parametrize(("text", "expected"), [
    ("15-25K·14薪", SalaryRange(15_000, 25_000, 14, "月")),
    ("11-22K", SalaryRange(11_000, 22_000, 12, "月")),
    ("8K", SalaryRange(8_000, 8_000, 12, "月")),
    ("4-8千/月", SalaryRange(4_000, 8_000, 12, "月")),
    ("4.5-6千/月", SalaryRange(4_500, 6_000, 12, "月")),
    ("1-1.5万/月", SalaryRange(10_000, 15_000, 12, "月")),
    ("3000-5000元/月", SalaryRange(3_000, 5_000, 12, "月")),
    ("10-20万/年", SalaryRange(8_333, 16_667, 12, "年")),
    ("100-150元/天", SalaryRange(round(100 * DAYS_PER_MONTH), round(150 * DAYS_PER_MONTH), 12, "天")),
    ("100元/天", SalaryRange(2_175, 2_175, 12, "天")),
    ("20元/小时", SalaryRange(3_480, 3_480, 12, "小时")),
    ("100-150元/时", SalaryRange(17_400, 26_100, 12, "时")),
    ("200-300元/周", SalaryRange(867, 1_300, 12, "周")),
    ("５千以下/月", SalaryRange(5_000, 5_000, 12, "月")),  # full-width digit
    ("1万以上/月", SalaryRange(10_000, 10_000, 12, "月")),
    (" 15 - 25 k · 13薪 ", SalaryRange(15_000, 25_000, 13, "月")),
])
def test_salary_texts_become_monthly_ranges(text: str, expected: SalaryRange) -> None:
    assert parse_salary(text) == expected
    assert salary_error(text) is None


@pytest.mark.parametrize("text", ["面议", "", "   "])
def test_negotiable_or_blank_is_no_salary_and_no_error(text: str) -> None:
    assert parse_salary(text) is None
    assert salary_error(text) is None


@pytest.mark.parametrize("text", ["6-14元/单", "3元/件", "20-30元/次"])
def test_piece_rates_are_pay_without_a_monthly_figure(text: str) -> None:
    assert parse_salary(text) is None  # a month's pay cannot be known: no range, left out of the medians
    assert salary_error(text) is None  # but a real way to pay, not a typing error
    assert is_piece_rate(text)


@pytest.mark.parametrize("text", ["8-4千/月", "6-14元/单/月", "15", "高薪", "50元/月", "2000-3000万/月", "K-8K"])
def test_unreadable_or_absurd_salaries_are_refused_with_a_message(text: str) -> None:
    assert parse_salary(text) is None
    message = salary_error(text)
    assert message is not None and "无法识别的薪资格式" in message and text.strip() in message


@given(st.text(max_size=30))
def test_parsing_never_raises_and_keeps_min_below_max(text: str) -> None:
    parsed = parse_salary(text)
    if parsed is not None:
        assert 100 <= parsed.min_monthly <= parsed.max_monthly <= 1_000_000
        assert salary_error(text) is None


@given(st.integers(1, 90), st.integers(0, 60), st.sampled_from(["K", "千/月", "万/年", "元/天"]))
def test_generated_ranges_parse_in_proportion(low: int, extra: int, unit: str) -> None:
    parsed = parse_salary(f"{low}-{low + extra}{unit}")
    if parsed is not None:  # very small yearly or daily figures fall under the floor
        assert parsed.max_monthly >= parsed.min_monthly
        if extra == 0:
            assert parsed.min_monthly == parsed.max_monthly


def test_company_names_normalise_for_matching() -> None:
    assert normalise_company_name("上海广电电气（集团）股份有限公司") == "上海广电电气集团股份有限公司"
    assert normalise_company_name(" ＡＢＣ 科技... ") == "abc科技"
    assert company_name_core("上海巨童文化传播") == company_name_core("上海巨童文化传播有限公司") == "巨童文化传播"
    assert company_name_core("湖北省武汉市示例机械制造有限公司") == "示例机械制造"
    assert company_name_core("示例机械制造有限责任公司") == "示例机械制造"
    assert company_name_core("上海市") == "上海市"  # never reduced to nothing


def test_a_relisted_post_keeps_its_fingerprint() -> None:
    first = posting_fingerprint("拓宸文化", "文案编辑(J21812)", "上海")
    assert first == posting_fingerprint("上海拓宸文化有限公司", "文案编辑", "上海")
    assert first == posting_fingerprint("拓宸文化", " 文案编辑（可留用+班车） ", "上海")
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != posting_fingerprint("拓宸文化", "文案策划", "上海")
    assert first != posting_fingerprint("拓宸文化", "文案编辑", "杭州")


@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_different_titles_give_different_fingerprints(a: str, b: str) -> None:
    from chanjiao.layout.postings_text import normalise_title

    if normalise_title(a) != normalise_title(b):
        assert posting_fingerprint("某公司", a, "上海") != posting_fingerprint("某公司", b, "上海")


@pytest.mark.parametrize(("name", "column"), [("51job_qianchengwuyou_yingtaoluo.csv", "salary"),
                                              ("boss_jobs_onlynor.csv", "salary_text")])
def test_real_salary_cells_parse(name: str, column: str) -> None:
    path = SHARED / name
    if not path.exists():
        pytest.skip("the shared job postings are not on this machine")
    with path.open(encoding="utf-8") as handle:
        cells = [row[column] for row in csv.DictReader(handle) if row[column].strip() not in ("", "面议")]
    parsed = sum(parse_salary(cell) is not None for cell in cells)
    assert len(cells) > 1_000 and parsed / len(cells) >= 0.97
