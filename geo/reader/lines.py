"""What one line of a plan can be: a numbered heading, a preface or box title, web-page residue,
a table cell or front matter, told from the text of the line and its neighbours.

The plans are web scrapes, one physical line per paragraph, heading or table cell, so the
decision is made line by line; `classify` looks at runs of lines only where one line alone cannot
tell (front matter before the first heading, tables of short cells).
"""

from __future__ import annotations

import re

from geo.reader.numerals import CN, cn_number, cn_text

SPACE = r"[\s\u3000]"
CHAPTER = re.compile(rf"^第([{CN}]+)章{SPACE}*(.*)$")
SECTION = re.compile(rf"^第([{CN}]+)节{SPACE}*(.*)$")
ITEM = re.compile(rf"^([{CN}]+)、(.+)$")
SUBITEM = re.compile(rf"^[((]([{CN}]+)[))](.+)$")
POINT = re.compile(r"^(\d{1,2})[.、.](?!\d)(.+)$")
# "(1)" / "（1）": the level below "1." in many plans (not used by the five in data/plans)
SUBPOINT = re.compile(r"^[(（](\d{1,2})[)）](.+)$")
PREFACE = re.compile(rf"^序{SPACE}*言$")
BOX = re.compile(rf"^专栏[::]{SPACE}*\S+{SPACE}+")
BACK = re.compile(r"^[((]?作者[::]")
# A heading glued to the end of the paragraph before it ("…海淀故事。第二节 着力提升…").
GLUED = re.compile(rf"(?<=[。!?”」])(第[{CN}]+[章节]){SPACE}*([^。!?,;:,;:]{{2,30}})$")
# The numbering label at the start of a heading's title ("第五章", "一、", "(一)", "1.").
NUMBER_PREFIX = re.compile(
    rf"^(第[{CN}]+[章节]|[{CN}]+、|[((][{CN}]+[))]|\d{{1,2}}[.、.]|[(（]\d{{1,2}}[)）])")

# Web-page residue: printing and sharing widgets, view counters, editor credits.
RESIDUE = tuple(
    re.compile(p)
    for p in (
        r"^\[\s*打印\s*\]$",
        r"^浏览数[::]\s*\d*$",
        r"^qrCode$",
        r"^扫描查看手机版网站$",
        r"^扫一扫在手机打开当前页$",
        r"^责任编辑[::].*$",
    )
)

# Nesting rank: a heading closes every open section of the same or a deeper rank. Headings
# known only by their form (a Word heading style, a PDF font size: kind "heading") get a rank
# from their level (geo.reader.builder.form_ranks).
RANK: dict[str, float] = {"front": 0, "back": 0, "preface": 1, "chapter": 1, "section": 2,
                          "item": 3, "subitem": 4, "point": 5, "subpoint": 5.5, "box": 6,
                          "table": 6, "lead": 7}
NUMBERED = ("chapter", "section", "item", "subitem", "point", "subpoint")

MAX_HEADING = 60  # longer lines are paragraphs, whatever they start with
MAX_CELL = 40  # longest line read as a table cell in a run of short lines
MIN_CELLS = 5  # a run of short lines this long is a table, not a stray short paragraph

_MARKERS = (("chapter", re.compile(rf"^第([{CN}]+)章$")),
            ("section", re.compile(rf"^第([{CN}]+)节$")),
            ("item", re.compile(rf"^([{CN}]+)、$")),
            ("subitem", re.compile(rf"^[((]([{CN}]+)[))]$")))


def heading_label(kind: str, number: int, raw: str = "") -> str:
    """The short form of a numbered heading used in citations."""
    n = cn_text(number)
    return {
        "chapter": f"第{n}章",
        "section": f"第{n}节",
        "item": f"{n}、",
        "subitem": f"({n})",
        "point": raw or f"{number}.",
        "subpoint": f"({number})",
    }[kind]


def parse_heading(s: str) -> tuple[str, int, str, str] | None:
    """(kind, number, label, title) if the stripped line `s` is a stand-alone numbered heading."""
    if len(s) > MAX_HEADING or "。" in s[:-1]:
        return None
    for kind, rx in (("chapter", CHAPTER), ("section", SECTION), ("item", ITEM),
                     ("subitem", SUBITEM)):
        m = rx.match(s)
        if m:
            try:
                number = cn_number(m.group(1))
            except ValueError:
                return None
            return kind, number, heading_label(kind, number), s
    m = POINT.match(s)
    if m:
        return "point", int(m.group(1)), s[: m.start(2)], s
    m = SUBPOINT.match(s)
    if m:
        return "subpoint", int(m.group(1)), heading_label("subpoint", int(m.group(1))), s
    return None


def parse_marker(marker: str) -> tuple[str, int, str]:
    """A bare marker from repairs.toml ("第四章", "三、", "(二)", "2.") → kind, number, label."""
    s = marker.strip()
    for kind, rx in _MARKERS:
        m = rx.match(s)
        if m:
            n = cn_number(m.group(1))
            return kind, n, heading_label(kind, n)
    m = re.match(r"^(\d{1,2})[.、.]$", s)
    if m:
        return "point", int(m.group(1)), s
    raise ValueError(f"not a heading marker: {marker!r}")


def is_residue(s: str) -> bool:
    return any(rx.match(s) for rx in RESIDUE)


def is_pipe_cell(s: str) -> bool:
    return s.endswith("|") and not BOX.match(s)


def strip_span(line: str, offset: int, chars: str | None = None) -> tuple[int, int]:
    """Offsets of the line's content without surrounding whitespace (or `chars`)."""
    left = len(line) - len(line.lstrip(chars))
    right = len(line.rstrip(chars))
    return offset + left, offset + max(left, right)


def _is_short(s: str) -> bool:
    """A line that can be a table cell in a run of such lines."""
    return (len(s) <= MAX_CELL and "。" not in s and not parse_heading(s)
            and not PREFACE.match(s) and not BACK.match(s))


def classify(lines: list[str], headings: frozenset[int] = frozenset()
             ) -> tuple[set[int], dict[int, tuple[int, int]]]:
    """Front-matter lines and table runs (first line → (caption line or -1, last line)), as
    0-based line indexes: the two kinds of line that only their neighbours reveal. `headings`
    are the lines the document's form marks as headings (0-based): never front matter or
    table cells."""
    stripped = [ln.strip() for ln in lines]
    content = [i for i, s in enumerate(stripped) if s and not is_residue(s)]
    front: set[int] = set()
    for i in content:
        s = stripped[i]
        if parse_heading(s) or PREFACE.match(s) or len(s) >= 60 or "。" in s or i in headings:
            break
        front.add(i)
    tables: dict[int, tuple[int, int]] = {}
    rest = [i for i in content if i not in front]
    k = 0
    while k < len(rest):
        i = rest[k]
        s = stripped[i]
        if is_pipe_cell(s):
            j = k
            while j + 1 < len(rest) and is_pipe_cell(stripped[rest[j + 1]]):
                j += 1
            cap = rest[k - 1] if k > 0 else -1
            has_cap = (cap >= 0 and len(stripped[cap]) <= MAX_CELL
                       and "。" not in stripped[cap] and not parse_heading(stripped[cap]))
            first = cap if has_cap else i
            tables[first] = (cap if has_cap else -1, rest[j])
            k = j + 1
            continue
        if _is_short(s) and i not in headings:
            j = k
            while j + 1 < len(rest) and _is_short(stripped[rest[j + 1]]) \
                    and rest[j + 1] not in headings:
                j += 1
            if j - k + 1 >= MIN_CELLS:
                cap = i if re.search(r"(表|体系|指标)$", s) else -1
                tables[i] = (cap, rest[j])
                k = j + 1
                continue
        k += 1
    # a table caption found before the pipe run may have been counted as front matter
    return front - set(tables), tables
