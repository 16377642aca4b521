"""Chinese text helpers."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Private to pypinyin (pinned; a test compares with the public API): its stubs do not declare them.
from pypinyin.core import _default_convert, _default_pinyin  # type: ignore[attr-defined]


@lru_cache(maxsize=50_000)
def _word_initials(word: str) -> str:
    parts = _default_convert.convert(word, Style.FIRST_LETTER, False, "default", strict=True)
    return "".join(ch for part in parts for ch in part[0].lower() if ch.isalnum())


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials: 计算机应用 → jsjyy; other letters and digits pass through.

    Segments like pypinyin does, then caches per word: names repeat their words (有限公司, 科技,
    宜昌 …), which makes bulk imports ~10× faster. pypinyin is pinned; a test checks this against
    ``pinyin_initials_reference``.
    """
    return "".join(word.lower() if word.isascii() and word.isalnum() else _word_initials(word)
                   for word in _default_pinyin.seg(text))[:100]


def pinyin_initials_reference(text: str) -> str:
    """The plain pypinyin computation (slow, no cache) that ``pinyin_initials`` must equal."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())[:100]
