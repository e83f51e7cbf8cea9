"""Chinese numerals as plan headings write them (第十二章, 三、, (十一)), both ways.

Headings only count to a few dozen, so this handles 〇–九, 十 and 百 and nothing larger; a
character outside that set means the text is not a numbered heading, which callers rely on.
"""

from __future__ import annotations

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
# Every character a heading number may be written with, for use inside a regex class.
CN = "〇零一二三四五六七八九十百"


def cn_number(s: str) -> int:
    """Chinese numerals as headings use them: 一 … 十, 十一, 二十三, 一百."""
    total, digit = 0, 0
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + digit


def cn_text(n: int) -> str:
    """0–99 written as a heading writes it (十一, not 一十一), for labels of lost headings."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
