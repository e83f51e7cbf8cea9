"""The shape of a plan once read: sections nested as the printed outline, paragraphs with their
citations, and the segments that tile the file so no character goes unaccounted for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from geo.corpus import PlanMeta
from geo.errors import NotFound
from geo.reader.lines import NUMBER_PREFIX, NUMBERED

# English citation labels: numbered headings by kind, the others by name.
EN_NUMBERED = {"chapter": "ch. {n}", "section": "sec. {n}", "item": "item {n}",
               "subitem": "({n})", "point": "{n}.", "subpoint": "({n})"}
EN_FIXED = {"preface": "preface", "box": "box", "table": "table", "front": "front matter",
            "back": "back matter"}


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
    citation_en: str = ""  # the same place in English: "… Plan Outline, ch. 5, sec. 3, line 382"

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
            "citation_en": self.citation_en,
            "text": self.text,
        }


@dataclass
class Draft:
    """A paragraph's span while its place in the tree may still move (lead sections are opened
    after the whole file is read)."""

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
    `drafts` holds paragraph spans while the plan is being read; it is empty once read_plan returns.
    """

    kind: str
    label: str
    title: str | None
    line: int | None
    number: int | None = None
    missing: bool = False
    inline: bool = False
    # nesting rank of a heading known by its form (kind "heading"); others rank by kind
    rank: float | None = None
    children: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list, repr=False, compare=False)

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
            m = NUMBER_PREFIX.match(t)
            if m:
                t = t[m.end():]
        return t.strip(" \u3000")

    @property
    def label_en(self) -> str:
        """The citation label in English ("ch. 5", "sec. 3", "item 1", "(2)", "box")."""
        if not self.label:
            return ""
        if self.kind in EN_NUMBERED and self.number is not None:
            return EN_NUMBERED[self.kind].format(n=self.number)
        return EN_FIXED.get(self.kind, "")

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
        lines = [p.line for p in self.paragraphs] + [d.line for d in self.drafts]
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
