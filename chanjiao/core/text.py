"""Chinese text helpers."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials: 计算机应用 → jsjyy; other characters pass through."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())[:100]
