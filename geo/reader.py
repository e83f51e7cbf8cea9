"""Read a plan into its section tree and paragraphs, so every passage can be cited by place.

A planner follows a citation like `《海淀区十四五规划纲要》第五章 第三节 一、 (第382行)` back to the
printed plan, so the reader's job is to know, for every paragraph, which chapter, section and item
it sits in, and where exactly it lies in the file. The files are web scrapes: one physical line is
one paragraph, heading or table cell, but headings can be glued to the end of a paragraph, some are
missing altogether, and web-page residue (打印, qrCode…) is mixed in. The reader repairs what it can
tell from the text, takes what it cannot (where a lost section starts) from `repairs.toml` beside
the texts, and keeps every character accounted for: `PlanDoc.segments` tiles the file exactly.

Heading levels, outermost first (a document uses a subset, in this order):
    front matter / 序言 / 第X章 → 第X节 → 一、 → (一) → 1. (or 6、) → 专栏, tables → lead sentences
A *lead sentence* is a short first sentence working as a sub-heading ("搭建高能级平台体系。…"). Its
paragraph stays one paragraph (the sentence is policy text too), but it opens a `lead` section whose
title is that sentence; the paragraphs after it, up to the next lead or heading, belong to it. Lead
sections appear in `section_path` but have no short label, so citations stay at numbered headings.
Indicator tables keep one paragraph per cell line (a line number still names one thing), in a
`table` section titled by the table's caption and labelled 表.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo.corpus import PlanMeta, default_corpus
from geo.datafiles import read_toml
from geo.errors import DataError, NotFound

# --- numbers -------------------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN = "〇零一二三四五六七八九十百"


def cn_number(s: str) -> int:
    """Chinese numerals as headings use them: 一 … 十, 十一, 二十三, 一百."""
    total, digit = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + digit


# --- what a line can be --------------------------------------------------------------------------

SPACE = r"[\s\u3000]"
_CHAPTER = re.compile(rf"^第([{_CN}]+)章{SPACE}*(.*)$")
_SECTION = re.compile(rf"^第([{_CN}]+)节{SPACE}*(.*)$")
_ITEM = re.compile(rf"^([{_CN}]+)、(.+)$")
_SUBITEM = re.compile(rf"^[((]([{_CN}]+)[))](.+)$")
_POINT = re.compile(r"^(\d{1,2})[.、.](?!\d)(.+)$")
_PREFACE = re.compile(rf"^序{SPACE}*言$")
_BOX = re.compile(rf"^专栏[::]{SPACE}*\S+{SPACE}+")
_BACK = re.compile(r"^[((]?作者[::]")
_GLUED = re.compile(rf"(?<=[。!?”」])(第[{_CN}]+[章节]){SPACE}*([^。!?,;:,;:]{{2,30}})$")

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

# Nesting rank: a heading closes every open section of the same or a deeper rank.
RANK = {"front": 0, "back": 0, "preface": 1, "chapter": 1, "section": 2, "item": 3,
        "subitem": 4, "point": 5, "box": 6, "table": 6, "lead": 7}
NUMBERED = ("chapter", "section", "item", "subitem", "point")

MAX_HEADING = 60  # longer lines are paragraphs, whatever they start with
MAX_LEAD = 40  # longest first sentence read as a lead sub-heading
MAX_CELL = 40  # longest line read as a table cell in a run of short lines
MIN_CELLS = 5  # a run of short lines this long is a table, not a stray short paragraph
_TERMINAL = "。!?;:”」)…"


def _label(kind: str, number: int, raw: str = "") -> str:
    n = _cn(number)
    return {
        "chapter": f"第{n}章",
        "section": f"第{n}节",
        "item": f"{n}、",
        "subitem": f"({n})",
        "point": raw or f"{number}.",
    }[kind]


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def parse_heading(s: str) -> tuple[str, int, str, str] | None:
    """(kind, number, label, title) if the stripped line `s` is a stand-alone numbered heading."""
    if len(s) > MAX_HEADING or "。" in s[:-1]:
        return None
    for kind, rx in (("chapter", _CHAPTER), ("section", _SECTION), ("item", _ITEM),
                     ("subitem", _SUBITEM)):
        m = rx.match(s)
        if m:
            try:
                number = cn_number(m.group(1))
            except ValueError:
                return None
            return kind, number, _label(kind, number), s
    m = _POINT.match(s)
    if m:
        return "point", int(m.group(1)), s[: m.start(2)], s
    return None


def parse_marker(marker: str) -> tuple[str, int, str]:
    """A bare marker from repairs.toml ("第四章", "三、", "(二)", "2.") → kind, number, label."""
    s = marker.strip()
    for kind, rx in (("chapter", re.compile(rf"^第([{_CN}]+)章$")),
                     ("section", re.compile(rf"^第([{_CN}]+)节$")),
                     ("item", re.compile(rf"^([{_CN}]+)、$")),
                     ("subitem", re.compile(rf"^[((]([{_CN}]+)[))]$"))):
        m = rx.match(s)
        if m:
            n = cn_number(m.group(1))
            return kind, n, _label(kind, n)
    m = re.match(r"^(\d{1,2})[.、.]$", s)
    if m:
        return "point", int(m.group(1)), s
    raise ValueError(f"not a heading marker: {marker!r}")


def is_residue(s: str) -> bool:
    return any(rx.match(s) for rx in RESIDUE)


def _is_pipe_cell(s: str) -> bool:
    return s.endswith("|") and not _BOX.match(s)


# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    plan_id: str
    line: int
    start: int
    end: int
    text: str
    section_path: tuple[str, ...]
    section_labels: tuple[str, ...]
    citation: str

    @property
    def id(self) -> str:
        return f"{self.plan_id}:{self.line}"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "plan_id": self.plan_id,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "section_path": list(self.section_path),
            "section_labels": list(self.section_labels),
            "citation": self.citation,
            "text": self.text,
        }


@dataclass
class _Draft:
    """A paragraph's span before its place in the tree is final."""

    line: int
    start: int
    end: int


@dataclass
class Section:
    """One node of a plan's outline.

    `title` is the heading as printed (None when the source lost it: `missing`); `label` is the
    short form used in citations ("第五章", "一、", "(一)", "1.", "专栏", "表"; "" for lead
    sentences). `line` is where the heading stands (None when missing). An `inline` heading is the
    first sentence of the section's first paragraph (lead sentences, "1.…。…" numbered paragraphs).
    """

    kind: str
    label: str
    title: str | None
    line: int | None
    number: int | None = None
    missing: bool = False
    inline: bool = False
    children: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    _drafts: list[_Draft] = field(default_factory=list, repr=False)

    @property
    def heading(self) -> str:
        """The heading as shown in an outline or a section path."""
        if self.missing:
            return f"{self.label} (title missing in source)"
        if self.title:
            return self.title
        return self.label

    @property
    def name(self) -> str:
        """The title without its numbering label ("加快构建高品质新型城市形态")."""
        if not self.title:
            return ""
        t = self.title
        if self.kind in NUMBERED or self.kind == "preface":
            m = re.match(rf"^(第[{_CN}]+[章节]|[{_CN}]+、|[((][{_CN}]+[))]|\d{{1,2}}[.、.])", t)
            if m:
                t = t[m.end():]
        return t.strip(" \u3000")

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Section]]:
        """Every node below this one, depth first, with its depth (children of root at 0)."""
        for child in self.children:
            yield depth, child
            yield from child.walk(depth + 1)

    def all_paragraphs(self) -> Iterator[Paragraph]:
        yield from self.paragraphs
        for child in self.children:
            yield from child.all_paragraphs()

    @property
    def paragraph_count(self) -> int:
        return len(self.paragraphs) + sum(c.paragraph_count for c in self.children)

    @property
    def first_line(self) -> int | None:
        """Where the section starts: its heading line, else its first paragraph's."""
        if self.line is not None:
            return self.line
        lines = [p.line for p in self.paragraphs] + [d.line for d in self._drafts]
        lines += [fl for c in self.children if (fl := c.first_line) is not None]
        return min(lines) if lines else None

    def as_dict(self, leads: bool = True) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "title": self.title,
            "heading": self.heading,
            "line": self.line,
            "first_line": self.first_line,
            "missing": self.missing,
            "paragraphs": self.paragraph_count,
            "own_paragraphs": [p.line for p in self.paragraphs],
            "children": [c.as_dict(leads) for c in self.children if leads or c.kind != "lead"],
        }


@dataclass(frozen=True)
class Segment:
    """A stretch of the file: paragraph, heading, residue or layout (blank lines, newlines,
    table rules, indentation). Segments tile the text, so nothing is silently dropped."""

    kind: str
    start: int
    end: int
    line: int


class PlanDoc:
    """A plan read: its outline (`sections`, a root Section), paragraphs in file order, the
    segments that tile its text, and warnings about repairs the reader made without data."""

    def __init__(self, meta: PlanMeta, text: str, sections: Section, paragraphs: list[Paragraph],
                 segments: list[Segment], line_kinds: list[str], warnings: list[str]) -> None:
        self.meta = meta
        self.text = text
        self.sections = sections
        self.paragraphs = paragraphs
        self.segments = segments
        self.line_kinds = line_kinds
        self.warnings = warnings
        self._by_line = {p.line: p for p in paragraphs}

    @property
    def plan_id(self) -> str:
        return self.meta.id

    @property
    def line_count(self) -> int:
        return len(self.line_kinds)

    def line_kind(self, line: int) -> str:
        """What stands on a line: paragraph, heading, residue, blank or table rule."""
        if not 1 <= line <= len(self.line_kinds):
            raise NotFound(
                f"{self.plan_id} has lines 1–{len(self.line_kinds)}; there is no line {line}"
            )
        return self.line_kinds[line - 1]

    def paragraph(self, line: int) -> Paragraph:
        kind = self.line_kind(line)
        if line in self._by_line:
            return self._by_line[line]
        what = {
            "heading": "a heading",
            "residue": "web-page residue (not part of the plan)",
            "blank": "blank",
            "table rule": "a table rule with no text",
        }.get(kind, kind)
        extra = ""
        if kind == "heading":
            node = self.section_at(line)
            if node is not None:
                extra = f" ({node.heading})"
        raise NotFound(f"line {line} of {self.plan_id} is {what}{extra}, not a paragraph")

    def section_at(self, line: int) -> Section | None:
        """The section whose heading stands on `line`."""
        for _, node in self.sections.walk():
            if node.line == line and not node.inline:
                return node
        return None

    def chapters(self) -> list[Section]:
        return [c for c in self.sections.children if c.kind == "chapter"]

    def characters(self) -> int:
        return sum(len(p.text) for p in self.paragraphs)


# --- repairs data --------------------------------------------------------------------------------


def load_repairs(directory: Path) -> dict[str, dict[int, list[tuple[str, int, str]]]]:
    """plan id → line → missing heading markers that open just before that line."""
    path = directory / "repairs.toml"
    raw = read_toml(path, optional=True)
    out: dict[str, dict[int, list[tuple[str, int, str]]]] = {}
    for i, entry in enumerate(raw.get("missing", []), start=1):
        where = f"{path.name} [[missing]] entry {i}"
        for key in ("plan", "line", "heading"):
            if key not in entry:
                raise DataError(f"{where}: missing {key}")
        if not isinstance(entry["line"], int) or entry["line"] < 1:
            raise DataError(f"{where}: line must be a positive integer")
        try:
            parsed = parse_marker(entry["heading"])
        except ValueError as exc:
            raise DataError(f"{where}: {exc}") from None
        out.setdefault(entry["plan"], {}).setdefault(entry["line"], []).append(parsed)
    return out


# --- reading -------------------------------------------------------------------------------------


def _strip_span(line: str, offset: int, chars: str | None = None) -> tuple[int, int]:
    """Offsets of the line's content without surrounding whitespace (or `chars`)."""
    left = len(line) - len(line.lstrip(chars))
    right = len(line.rstrip(chars))
    return offset + left, offset + max(left, right)


class _Builder:
    def __init__(self, meta: PlanMeta, text: str,
                 repairs: dict[int, list[tuple[str, int, str]]]) -> None:
        self.meta = meta
        self.text = text
        self.repairs = repairs
        self.root = Section(kind="root", label="", title=meta.title, line=None)
        self.stack: list[Section] = [self.root]
        self.spans: list[tuple[int, int, str, int]] = []  # start, end, kind, line
        self.warnings: list[str] = []
        self.lines = text.split("\n")
        self.offsets: list[int] = []
        off = 0
        for ln in self.lines:
            self.offsets.append(off)
            off += len(ln) + 1
        self.kinds = ["blank"] * len(self.lines)
        self.last_number: dict[str, int] = {}

    # stack handling --------------------------------------------------------------------------

    def open(self, node: Section, check: bool = True) -> None:
        rank = RANK[node.kind]
        while len(self.stack) > 1 and RANK[self.stack[-1].kind] >= rank:
            self.stack.pop()
        if check and node.kind in NUMBERED and node.number is not None:
            self._check_numbering(node)
        self.stack[-1].children.append(node)
        self.stack.append(node)
        if node.kind in NUMBERED and node.number is not None:
            self.last_number[node.kind] = node.number

    def close(self, node: Section) -> None:
        while len(self.stack) > 1:
            top = self.stack.pop()
            if top is node:
                return

    def _missing(self, kind: str, number: int) -> Section:
        return Section(kind=kind, label=_label(kind, number), title=None, line=None,
                       number=number, missing=True)

    def _check_numbering(self, node: Section) -> None:
        """Repair a numbering gap or restart that repairs.toml did not explain, and say so."""
        parent = self.stack[-1]
        siblings = [c for c in parent.children if c.kind == node.kind]
        expected = siblings[-1].number + 1 if siblings and siblings[-1].number else 1
        n = node.number or 0
        where = f"{self.meta.id} l.{node.line}"
        if n == expected:
            return
        if not siblings and n == self.last_number.get(node.kind, 0) + 1:
            return  # numbered on across parents, as 004's (一)…(十) run through 一、…四、
        if n > expected:
            for k in range(expected, n):
                gap = self._missing(node.kind, k)
                self.warnings.append(f"{where}: {gap.label} missing before {node.heading}; "
                                     "placed as an empty section (add it to repairs.toml)")
                parent.children.append(gap)
            return
        # numbering starts again: the heading one level up was lost
        if parent.kind not in NUMBERED or parent.number is None:
            self.warnings.append(f"{where}: {node.heading} repeats number {n}")
            return
        lost = self._missing(parent.kind, parent.number + 1)
        self.warnings.append(f"{where}: {node.heading} restarts numbering: {lost.label} missing, "
                             "placed just before it (add its start to repairs.toml)")
        self.open(lost)
        for k in range(1, n):
            self.stack[-1].children.append(self._missing(node.kind, k))

    # spans -----------------------------------------------------------------------------------

    def paragraph(self, line_no: int, start: int, end: int) -> None:
        self.stack[-1]._drafts.append(_Draft(line_no, start, end))
        self.spans.append((start, end, "paragraph", line_no))
        self.kinds[line_no - 1] = "paragraph"

    def heading_span(self, line_no: int, start: int, end: int) -> None:
        self.spans.append((start, end, "heading", line_no))
        if self.kinds[line_no - 1] != "paragraph":
            self.kinds[line_no - 1] = "heading"

    # the pass --------------------------------------------------------------------------------

    def classify(self) -> tuple[set[int], dict[int, tuple[int, int]]]:
        """Front-matter lines and table runs (first line → (caption line or 0, last line))."""
        stripped = [ln.strip() for ln in self.lines]
        content = [i for i, s in enumerate(stripped) if s and not is_residue(s)]
        front: set[int] = set()
        for i in content:
            s = stripped[i]
            if parse_heading(s) or _PREFACE.match(s) or len(s) >= 60 or "。" in s:
                break
            front.add(i)
        tables: dict[int, tuple[int, int]] = {}
        rest = [i for i in content if i not in front]
        k = 0
        while k < len(rest):
            i = rest[k]
            s = stripped[i]
            if _is_pipe_cell(s):
                j = k
                while j + 1 < len(rest) and _is_pipe_cell(stripped[rest[j + 1]]):
                    j += 1
                cap = rest[k - 1] if k > 0 else -1
                has_cap = (cap >= 0 and len(stripped[cap]) <= MAX_CELL
                           and "。" not in stripped[cap] and not parse_heading(stripped[cap]))
                first = cap if has_cap else i
                tables[first] = (cap if has_cap else -1, rest[j])
                k = j + 1
                continue

            def short(idx: int) -> bool:
                t = stripped[idx]
                return (len(t) <= MAX_CELL and "。" not in t and not parse_heading(t)
                        and not _PREFACE.match(t) and not _BACK.match(t))

            if short(i):
                j = k
                while j + 1 < len(rest) and short(rest[j + 1]):
                    j += 1
                if j - k + 1 >= MIN_CELLS:
                    cap = i if re.search(r"(表|体系|指标)$", s) else -1
                    tables[i] = (cap, rest[j])
                    k = j + 1
                    continue
            k += 1
        # a table caption found before the pipe run may have been counted as front matter
        return front - set(tables), tables

    def build(self) -> None:
        front, tables = self.classify()
        front_node: Section | None = None
        table_node: Section | None = None
        table_end = -1
        for i, raw in enumerate(self.lines):
            line_no = i + 1
            off = self.offsets[i]
            s = raw.strip()
            if table_node is not None and i > table_end:
                self.close(table_node)
                table_node = None
            for kind, number, label in self.repairs.get(line_no, []):
                self.open(Section(kind=kind, label=label, title=None, line=None, number=number,
                                  missing=True))
            if not s:
                continue
            start, end = _strip_span(raw, off)
            if is_residue(s):
                self.spans.append((start, end, "residue", line_no))
                self.kinds[i] = "residue"
                continue
            if i in front:
                if front_node is None:
                    front_node = Section(kind="front", label="(front matter)",
                                         title="(front matter)", line=line_no)
                    self.open(front_node)
                self.paragraph(line_no, start, end)
                continue
            if front_node is not None and self.stack[-1] is front_node:
                self.close(front_node)
            if i in tables:
                cap, table_end = tables[i]
                table_node = Section(kind="table", label="表",
                                     title=s if cap == i else None, line=line_no)
                self.open(table_node)
                if cap == i:
                    self.heading_span(line_no, start, end)
                    continue
            if table_node is not None:
                cstart, cend = _strip_span(raw, off, " \t\u3000|")
                if cend > cstart:
                    self.paragraph(line_no, cstart, cend)
                else:
                    self.kinds[i] = "table rule"
                continue
            self.line(i, line_no, raw, s, start, end)

    def line(self, i: int, line_no: int, raw: str, s: str, start: int, end: int) -> None:
        if _PREFACE.match(s):
            self.open(Section(kind="preface", label="序言", title=s, line=line_no))
            self.heading_span(line_no, start, end)
            return
        if _BACK.match(s):
            self.open(Section(kind="back", label="(back matter)", title="(back matter)",
                              line=line_no))
            self.paragraph(line_no, start, end)
            return
        box = _BOX.match(s)
        if box:
            cut = start + box.end()
            title = self.text[start:cut].rstrip(" \u3000")
            node = Section(kind="box", label="专栏", title=title, line=line_no)
            self.open(node)
            self.heading_span(line_no, start, start + len(title))
            cstart, cend = _strip_span(self.text[cut:end], cut, " \t\u3000|")
            self.paragraph(line_no, cstart, cend)
            self.close(node)
            return
        head = parse_heading(s)
        if head:
            kind, number, label, title = head
            self.open(Section(kind=kind, label=label, title=title, line=line_no, number=number))
            self.heading_span(line_no, start, end)
            return
        point = _POINT.match(s)
        if point and "。" in s:
            # "1.园区创新驱动发展迈上新台阶。2015年，…": the numbered heading is the first sentence
            title = s[: s.index("。")]
            node = Section(kind="point", label=s[: point.start(2)], title=title, line=line_no,
                           number=int(point.group(1)), inline=True)
            self.open(node)
            self.paragraph(line_no, start, end)
            self.close(node)
            return
        glued = _GLUED.search(s)
        if glued:
            gstart = start + glued.start()
            pend = len(self.text[start:gstart].rstrip()) + start
            self.paragraph(line_no, start, pend)
            heading = self.text[gstart:end]
            parsed = parse_heading(heading)
            if parsed:
                kind, number, label, title = parsed
                self.open(Section(kind=kind, label=label, title=title, line=line_no,
                                  number=number))
                self.heading_span(line_no, gstart, end)
                return
        self.paragraph(line_no, start, end)


def _first_sentence(text: str) -> str | None:
    k = text.find("。")
    if k <= 0 or k == len(text) - 1:
        return None
    return text[:k]


def _lead_title(text: str, previous: str | None) -> str | None:
    """The lead sentence of a paragraph, if its first sentence reads as a sub-heading.

    A heading is short, states an action or a field ("搭建高能级平台体系"), has at most one
    comma, and is not a statement with 是 ("文化是重要支点", which opens an introduction). A
    paragraph continuing a sentence broken across lines (002 l.414/416) has no lead.
    """
    first = _first_sentence(text)
    if first is None or len(first) > MAX_LEAD or first.count(",") > 1:
        return None
    if any(c in first for c in ";:;:") or "是" in first:
        return None
    if previous is not None and previous[-1:] not in _TERMINAL:
        return None
    return first


def _add_leads(node: Section, text: str, previous_of: dict[int, str]) -> None:
    """Open lead sections where a container holds two or more lead-sentence paragraphs.

    One short first sentence alone is not a sub-heading system (001 has several such, and its notes
    say it has no sub-headings); two or more in the same container are.
    """
    for child in node.children:
        if child.kind not in ("box", "table", "front", "back", "lead") and not child.inline:
            _add_leads(child, text, previous_of)
    if node.kind in ("box", "table", "front", "back", "lead") or node.inline:
        return
    titles = {
        d.line: t
        for d in node._drafts
        if (t := _lead_title(text[d.start:d.end], previous_of.get(d.line))) is not None
    }
    if len(titles) < 2:
        return
    # merge paragraphs and child sections in reading order; an empty (missing) child keeps
    # its place after the child before it
    items: list[tuple[int, int, object]] = [(d.line, 1, d) for d in node._drafts]
    key = 0
    for c in node.children:
        key = max(key, c.first_line or key)
        items.append((key, 0, c))
    items.sort(key=lambda x: (x[0], x[1]))
    keep: list[_Draft] = []
    children: list[Section] = []
    lead: Section | None = None
    for _, _, item in items:
        if isinstance(item, Section):
            lead = None
            children.append(item)
        elif isinstance(item, _Draft):
            if item.line in titles:
                lead = Section(kind="lead", label="", title=titles[item.line], line=item.line,
                               inline=True)
                children.append(lead)
            if lead is not None:
                lead._drafts.append(item)
            else:
                keep.append(item)
    node._drafts = keep
    node.children = children


def _finalize(node: Section, meta: PlanMeta, text: str, path: tuple[Section, ...],
              out: list[Paragraph]) -> None:
    here = (*path, node) if node.kind != "root" else path
    headings = tuple(s.heading for s in here)
    labels = tuple(s.label for s in here if s.label)
    cite = meta.short_title + " ".join(labels)
    for d in node._drafts:
        citation = f"{cite} (第{d.line}行)" if labels else f"{cite}(第{d.line}行)"
        p = Paragraph(plan_id=meta.id, line=d.line, start=d.start, end=d.end,
                      text=text[d.start:d.end], section_path=headings, section_labels=labels,
                      citation=citation)
        node.paragraphs.append(p)
        out.append(p)
    node._drafts = []
    for child in node.children:
        _finalize(child, meta, text, here, out)


def _segments(text: str, spans: list[tuple[int, int, str, int]],
              offsets: list[int]) -> list[Segment]:
    import bisect

    out: list[Segment] = []
    pos = 0
    for start, end, kind, line in sorted(spans):
        if start < pos:
            raise DataError(f"reader bug: overlapping spans at offset {start} (line {line})")
        if start > pos:
            out.append(Segment("layout", pos, start, bisect.bisect_right(offsets, pos)))
        out.append(Segment(kind, start, end, line))
        pos = end
    if pos < len(text):
        out.append(Segment("layout", pos, len(text), bisect.bisect_right(offsets, pos)))
    return out


def read_plan(meta: PlanMeta) -> PlanDoc:
    text = meta.text()
    repairs = load_repairs(meta.directory).get(meta.id, {})
    too_far = [ln for ln in repairs if ln > text.count("\n") + 1]
    if too_far:
        raise DataError(f"repairs.toml: {meta.id} has no line {too_far[0]}")
    b = _Builder(meta, text, repairs)
    b.build()
    drafts = sorted((d for _, n in [(0, b.root), *b.root.walk()] for d in n._drafts),
                    key=lambda d: d.line)
    previous_of: dict[int, str] = {}
    for prev, cur in itertools.pairwise(drafts):
        previous_of[cur.line] = text[prev.start:prev.end]
    _add_leads(b.root, text, previous_of)
    paragraphs: list[Paragraph] = []
    _finalize(b.root, meta, text, (), paragraphs)
    paragraphs.sort(key=lambda p: p.line)
    segments = _segments(text, b.spans, b.offsets)
    return PlanDoc(meta, text, b.root, paragraphs, segments, b.kinds, b.warnings)


@lru_cache(maxsize=16)
def plan_doc(plan_id: str) -> PlanDoc:
    """The plan read from the default corpus, once per process."""
    return read_plan(default_corpus().get(plan_id))
