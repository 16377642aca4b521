"""Text of job postings as job boards write it: salary texts ("15-25K·14薪", "100-150元/天",
"4-8千/月") turned into a monthly range in yuan, company names normalised for matching a posting to a
registered enterprise, and the fingerprint that recognises one post re-listed under another address.

Pure functions, no Django: the importer, the classifier and the benchmark generator share them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

# Working days and hours per month (国家规定的月计薪天数 21.75, 8 hours a day): a day or an hour rate
# is turned into a month's pay the way 人社部 converts it (劳社部发〔2008〕3号).
DAYS_PER_MONTH = 21.75
HOURS_PER_DAY = 8
WEEKS_PER_MONTH = 52 / 12
MIN_MONTHLY, MAX_MONTHLY = 100, 1_000_000  # outside this, the text is taken for an error, not a salary

_MULTIPLIER = {"": 1, "元": 1, "k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000}
_PER_MONTH = {"": 1.0, "月": 1.0, "年": 1 / 12, "天": DAYS_PER_MONTH, "日": DAYS_PER_MONTH,
              "时": DAYS_PER_MONTH * HOURS_PER_DAY, "小时": DAYS_PER_MONTH * HOURS_PER_DAY,
              "周": WEEKS_PER_MONTH}
_NUMBER = r"(\d+(?:\.\d+)?)"
_SALARY = re.compile(
    rf"^{_NUMBER}\s*(k|千|w|万|元)?\s*(?:[-~—至到]\s*{_NUMBER}\s*(k|千|w|万|元)?)?"
    r"\s*(以上|以下)?\s*(?:/\s*(月|年|天|日|小时|时|周))?\s*(?:[·•,，]\s*(\d{2})\s*薪)?$")
_NEGOTIABLE = {"面议", "薪资面议", "面谈"}
_PIECE_RATE = re.compile(rf"^{_NUMBER}(?:[-~—至到]{_NUMBER})?元?/(单|件|次|个)$")


@dataclass(frozen=True)
class SalaryRange:
    """A monthly range in whole yuan; ``months`` is the 薪 count of "·14薪" (12 when not stated)."""

    min_monthly: int
    max_monthly: int
    months: int = 12
    unit: str = "月"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "")


def parse_salary(text: str) -> SalaryRange | None:
    """The monthly range of a salary text, or None for 面议, a blank or anything that is not a salary.

    "5千以下/月" and "1万以上/月" give min = max = the number named. A range written backwards
    ("8-4千/月") is taken for a typing error and refused (None), as is a monthly figure outside
    100–1,000,000 yuan. "6-14元/单" (a piece rate) has no monthly figure: a month's pay cannot be known."""
    folded = _fold(text)
    if not folded or folded in _NEGOTIABLE:
        return None
    match = _SALARY.match(folded)
    if match is None:
        return None
    low, low_unit, high, high_unit, _bound, per, months = match.groups()
    # "15-25K": the unit written after the upper number applies to both.
    unit = high_unit if high is not None else low_unit
    low_unit = low_unit or unit or ""
    high_unit = high_unit or low_unit
    per = per or ""
    if not per and not (low_unit in ("k", "千", "w", "万") or high_unit in ("k", "千", "w", "万")) and months is None:
        return None  # a bare number ("15") says nothing about its unit
    factor = _PER_MONTH[per]
    minimum = float(low) * _MULTIPLIER[low_unit] * factor
    maximum = float(high if high is not None else low) * _MULTIPLIER[high_unit] * factor
    if maximum < minimum:
        return None
    lo, hi = round(minimum), round(maximum)
    if lo < MIN_MONTHLY or hi > MAX_MONTHLY:
        return None
    return SalaryRange(lo, hi, int(months) if months else 12, per or "月")


def is_piece_rate(text: str) -> bool:
    """"6-14元/单", "3元/件": pay by the piece — a real way to pay, without a monthly figure."""
    return _PIECE_RATE.match(_fold(text)) is not None


def salary_error(text: str) -> str | None:
    """The importer's message for a salary cell that cannot be read; None when it reads, says 面议, or
    is a piece rate."""
    folded = _fold(text)
    if not folded or folded in _NEGOTIABLE or is_piece_rate(text) or parse_salary(text) is not None:
        return None
    return (f"无法识别的薪资格式：“{text.strip()}”，请写成如“4-8千/月”“15-25K·14薪”“100-150元/天”，"
            "或填“面议”")


# -- company names ------------------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[\s\(\)\[\]{}（）【】〔〕《》<>「」『』\"'“”‘’·•,，.。、:：;；!！?？/\\|_\-—~～]+")
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "集团公司", "分公司",
                "集团", "公司", "企业", "工作室", "事务所")
_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
              "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
              "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
_PLACE_PREFIX = re.compile(r"^(?:(?:" + "|".join(_PROVINCES) + r")(?:省|市|自治区|特别行政区)?)?"
                           r"(?:[\u4e00-\u9fff]{2,3}市)?")


def normalise_company_name(name: str) -> str:
    """The name as a matching key: NFKC, no spaces or punctuation (bracketed words kept: "（集团）" →
    "集团"), no trailing "..." of a truncated name, ASCII lower-cased."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    text = re.sub(r"(\.\.\.|…)+$", "", text)
    return _PUNCTUATION.sub("", text).lower()


def company_name_core(name: str) -> str:
    """The distinctive part of a name for fuzzy matching ("上海巨童文化传播" ↔ "上海巨童文化传播有限公司"):
    the normalised name without its legal form and without a leading province / city prefix."""
    core = normalise_company_name(name)
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_FORMS:
            if core.endswith(suffix) and len(core) > len(suffix) + 1:
                core = core[: -len(suffix)]
                changed = True
    stripped = _PLACE_PREFIX.sub("", core, count=1)
    return stripped if len(stripped) >= 2 else core


# -- re-listings ------------------------------------------------------------------------------------------------

_TITLE_NOISE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")  # "(J21812)", "（可留用+班车+住宿）"


def normalise_title(title: str) -> str:
    """The title without bracketed codes and perks, spaces or punctuation."""
    text = unicodedata.normalize("NFKC", title or "")
    return _PUNCTUATION.sub("", _TITLE_NOISE.sub("", text)).lower()


def posting_fingerprint(company: str, title: str, place: str) -> str:
    """32 hex characters naming (company, title, place): the same post listed again under another URL
    or on another day shares it, so the demand figures count it once."""
    key = "\x1f".join((company_name_core(company), normalise_title(title), normalise_company_name(place)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
