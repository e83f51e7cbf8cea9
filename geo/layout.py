"""What a document's own form says about its lines, beyond their words.

A plan read from a text file has only its words: headings are known by their numbering
(第X章, 一、 …). A PDF or a Word file says more: a heading is set in a larger font or carries a
heading style even when it has no number ("总体要求"), and a PDF has pages, which is what a
planner holding the printed plan looks for. The importers (`geo.importers`) write each document
as text, one paragraph, heading or table cell per line, as the plans in data/plans are, and
record this `Layout` beside it; the reader (`geo.reader`) takes its headings and pages from it.

Lines are numbered from 1, as in citations. A heading level is 1 for the outermost heading the
document's form shows (Word's Heading 1, a PDF's largest heading size), 2 for the next, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SOURCES = ("text", "pdf", "docx", "html")


@dataclass(frozen=True)
class Layout:
    source: str
    headings: Mapping[int, int] = field(default_factory=dict)
    # line -> (first page, last page) of the paragraph on that line; PDFs only
    pages: Mapping[int, tuple[int, int]] = field(default_factory=dict)

    def page_label(self, line: int) -> tuple[str, str] | None:
        """The page part of a citation in Chinese and English ("第12页", "p. 12"), None for a
        document without pages."""
        span = self.pages.get(line)
        if span is None:
            return None
        first, last = span
        if first == last:
            return f"第{first}页", f"p. {first}"
        return f"第{first}–{last}页", f"pp. {first}–{last}"

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source,
                "headings": {str(k): v for k, v in sorted(self.headings.items())},
                "pages": {str(k): list(v) for k, v in sorted(self.pages.items())}}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Layout:
        return cls(source=str(raw.get("source", "text")),
                   headings={int(k): int(v) for k, v in (raw.get("headings") or {}).items()},
                   pages={int(k): (int(v[0]), int(v[1]))
                          for k, v in (raw.get("pages") or {}).items()})
