"""Read a plan into its section tree and paragraphs, so every passage can be cited by place.

A planner follows a citation like `《海淀区十四五规划纲要》第五章 第三节 一、 (第382行)` back to the
printed plan, so the reader's job is to know, for every paragraph, which chapter, section and item
it sits in, and where exactly it lies in the file. The files are web scrapes: one physical line is
one paragraph, heading or table cell, but headings can be glued to the end of a paragraph, some are
missing altogether, and web-page residue (打印, qrCode…) is mixed in. The reader repairs what it can
tell from the text, takes what it cannot (where a lost section starts) from `repairs.toml` beside
the texts, and keeps every character accounted for: `PlanDoc.segments` tiles the file exactly.

This module walks the file once, opening and closing sections as headings come (`_Builder`), then
adds lead sections (geo.reader.leads) and turns the spans into cited paragraphs. What a single
line is comes from geo.reader.lines; the resulting objects are in geo.reader.tree.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path

from geo.corpus import PlanMeta
from geo.datafiles import read_toml
from geo.errors import DataError
from geo.layout import Layout
from geo.reader.leads import add_leads
from geo.reader.lines import (
    BACK,
    BOX,
    GLUED,
    NUMBERED,
    POINT,
    PREFACE,
    RANK,
    SUBPOINT,
    classify,
    heading_label,
    is_residue,
    parse_heading,
    parse_marker,
    strip_span,
)
from geo.reader.tree import Draft, Paragraph, PlanDoc, Section, Segment

Repairs = dict[int, list[tuple[str, int, str]]]
FORM_LABEL = 16  # longest heading title used whole as a citation label (kind "heading")


def load_repairs(directory: Path) -> dict[str, Repairs]:
    """plan id → line → missing heading markers that open just before that line."""
    path = directory / "repairs.toml"
    raw = read_toml(path, optional=True)
    out: dict[str, Repairs] = {}
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


def form_ranks(lines: list[str], headings: dict[int, int]) -> dict[int, float]:
    """Nesting rank of each heading level a document's form shows (Word heading styles, PDF
    font sizes). A level where numbered headings stand takes their rank (Heading 1 holding
    第X章 ranks as chapters, so an unnumbered Heading 1 such as 附件 is a chapter's sibling);
    a level without them ranks half a step below the level above it."""
    marked: dict[int, float] = {}
    for line, level in headings.items():
        parsed = parse_heading(lines[line - 1].strip()) if line <= len(lines) else None
        if parsed:
            rank = RANK[parsed[0]]
            marked[level] = min(marked.get(level, rank), rank)
    ranks: dict[int, float] = {}
    previous = 0.0
    for level in sorted(set(headings.values())):
        ranks[level] = marked.get(level, previous + 0.5)
        previous = ranks[level]
    return ranks


def _form_label(title: str) -> str:
    return title if len(title) <= FORM_LABEL else title[: FORM_LABEL - 1] + "…"


class _Builder:
    def __init__(self, meta: PlanMeta, text: str,
                 repairs: Repairs, layout: Layout | None = None) -> None:
        self.meta = meta
        self.text = text
        self.repairs = repairs
        self.layout = layout
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
        self.form_headings: dict[int, int] = dict(layout.headings) if layout else {}
        self.form_rank = form_ranks(self.lines, self.form_headings)

    @staticmethod
    def _rank(node: Section) -> float:
        return node.rank if node.rank is not None else RANK[node.kind]

    # stack handling --------------------------------------------------------------------------

    def open(self, node: Section, check: bool = True) -> None:
        rank = self._rank(node)
        while len(self.stack) > 1 and self._rank(self.stack[-1]) >= rank:
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
        return Section(kind=kind, label=heading_label(kind, number), title=None, line=None,
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
        self.stack[-1].drafts.append(Draft(line_no, start, end))
        self.spans.append((start, end, "paragraph", line_no))
        self.kinds[line_no - 1] = "paragraph"

    def heading_span(self, line_no: int, start: int, end: int) -> None:
        self.spans.append((start, end, "heading", line_no))
        if self.kinds[line_no - 1] != "paragraph":
            self.kinds[line_no - 1] = "heading"

    # the pass --------------------------------------------------------------------------------

    def build(self) -> None:
        front, tables = classify(self.lines,
                                 frozenset(line - 1 for line in self.form_headings))
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
            start, end = strip_span(raw, off)
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
                cstart, cend = strip_span(raw, off, " \t\u3000|")
                if cend > cstart:
                    self.paragraph(line_no, cstart, cend)
                else:
                    self.kinds[i] = "table rule"
                continue
            self.line(i, line_no, raw, s, start, end)

    def line(self, i: int, line_no: int, raw: str, s: str, start: int, end: int) -> None:
        level = self.form_headings.get(line_no)
        if level is not None and not parse_heading(s) and not PREFACE.match(s) \
                and not BOX.match(s):
            # a heading by its form only (Word style, PDF font size): "总体要求"
            self.open(Section(kind="heading", label=_form_label(s), title=s, line=line_no,
                              rank=self.form_rank[level]))
            self.heading_span(line_no, start, end)
            return
        if PREFACE.match(s):
            self.open(Section(kind="preface", label="序言", title=s, line=line_no))
            self.heading_span(line_no, start, end)
            return
        if BACK.match(s):
            self.open(Section(kind="back", label="(back matter)", title="(back matter)",
                              line=line_no))
            self.paragraph(line_no, start, end)
            return
        box = BOX.match(s)
        if box:
            cut = start + box.end()
            title = self.text[start:cut].rstrip(" \u3000")
            node = Section(kind="box", label="专栏", title=title, line=line_no)
            self.open(node)
            self.heading_span(line_no, start, start + len(title))
            cstart, cend = strip_span(self.text[cut:end], cut, " \t\u3000|")
            self.paragraph(line_no, cstart, cend)
            self.close(node)
            return
        head = parse_heading(s)
        if head:
            kind, number, label, title = head
            self.open(Section(kind=kind, label=label, title=title, line=line_no, number=number))
            self.heading_span(line_no, start, end)
            return
        point = POINT.match(s)
        sub = SUBPOINT.match(s) if point is None else None
        if (point or sub) and "。" in s:
            # "1.园区创新驱动发展迈上新台阶。2015年，…": the numbered heading is the first sentence
            title = s[: s.index("。")]
            if point:
                kind, number, label = "point", int(point.group(1)), s[: point.start(2)]
            else:
                assert sub is not None
                number = int(sub.group(1))
                kind, label = "subpoint", heading_label("subpoint", number)
            node = Section(kind=kind, label=label, title=title, line=line_no,
                           number=number, inline=True)
            self.open(node)
            self.paragraph(line_no, start, end)
            self.close(node)
            return
        glued = GLUED.search(s)
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


def _finalize(node: Section, meta: PlanMeta, text: str, path: tuple[Section, ...],
              out: list[Paragraph]) -> None:
    here = (*path, node) if node.kind != "root" else path
    headings = tuple(s.heading for s in here)
    labels = tuple(s.label for s in here if s.label)
    cite = meta.short_title + " ".join(labels)
    cite_en = ", ".join([meta.short_title_en, *(s.label_en for s in here if s.label_en)])
    for d in node.drafts:
        # a PDF's paragraphs are found by page in the printed plan; other texts by line
        page = meta.layout.page_label(d.line) if meta.layout is not None else None
        where, where_en = page if page else (f"第{d.line}行", f"line {d.line}")
        citation = f"{cite} ({where})" if labels else f"{cite}({where})"
        p = Paragraph(plan_id=meta.id, line=d.line, start=d.start, end=d.end,
                      text=text[d.start:d.end], section_path=headings, section_labels=labels,
                      citation=citation, citation_en=f"{cite_en}, {where_en}")
        node.paragraphs.append(p)
        out.append(p)
    node.drafts = []
    for child in node.children:
        _finalize(child, meta, text, here, out)


def _segments(text: str, spans: list[tuple[int, int, str, int]],
              offsets: list[int]) -> list[Segment]:
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
    b = _Builder(meta, text, repairs, meta.layout)
    b.build()
    drafts = sorted((d for _, n in [(0, b.root), *b.root.walk()] for d in n.drafts),
                    key=lambda d: d.line)
    previous_of: dict[int, str] = {}
    for prev, cur in itertools.pairwise(drafts):
        previous_of[cur.line] = text[prev.start:prev.end]
    add_leads(b.root, text, previous_of)
    paragraphs: list[Paragraph] = []
    _finalize(b.root, meta, text, (), paragraphs)
    paragraphs.sort(key=lambda p: p.line)
    segments = _segments(text, b.spans, b.offsets)
    return PlanDoc(meta, text, b.root, paragraphs, segments, b.kinds, b.warnings)


def read_plans(plans: Iterable[PlanMeta], known: Mapping[str, PlanDoc]) -> dict[str, PlanDoc]:
    """Every plan read, reusing a document already read of the same metadata and text: a store
    rebuilt with one added plan reads that one, not the whole corpus again."""
    return {m.id: d if (d := known.get(m.id)) is not None and d.meta == m and d.text == m.text()
            else read_plan(m) for m in plans}
