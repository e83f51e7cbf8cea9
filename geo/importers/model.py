"""What an importer makes of a file: blocks in reading order, then one text with its layout.

Every format ends as the plans in data/plans are: one paragraph, heading or table cell per line,
so a paragraph is still `<plan>:<line>` and the reader (geo.reader) works on it unchanged. What
the text alone cannot carry (a heading known only by its style or font size, the pages a
paragraph stands on) goes into a `geo.layout.Layout` kept beside the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.errors import BadRequest
from geo.layout import Layout

# kinds of block: a paragraph, a heading (with its level), the document's title (front
# matter), a table cell, and the end of a table row
BLOCK_KINDS = ("paragraph", "heading", "title", "cell", "row")
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
# Full-width ASCII forms (，：（一）１２) as their ASCII letters, and the ideographic space as a
# space: the plans in data/plans are written so, and the reader's patterns and the finder's
# names expect it.
HALF_WIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


class UnreadableDocument(BadRequest):
    """A file planmap cannot take text from (a scanned PDF, a password, a broken file): said in
    one line, and nothing of it is kept."""

    http_status = 422
    code = "UnreadableDocument"


@dataclass
class Block:
    text: str
    kind: str = "paragraph"
    level: int = 0  # headings: 1 for the outermost heading the form shows
    pages: tuple[int, int] | None = None


@dataclass
class Imported:
    """A document read from a file: its text (one block per line), the layout the reader
    needs, the metadata the file itself states (`hints`: title, date, issuer, as found), and
    what the importer noticed (`warnings`, e.g. pages with no text)."""

    text: str
    layout: Layout
    source: str
    encoding: str | None = None
    pages: int | None = None
    hints: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def half_width(text: str) -> str:
    return text.translate(HALF_WIDTH)


def clean(text: str) -> str:
    """One line of text: full-width forms made ASCII, control characters dropped, runs of
    white space made one space."""
    return _SPACE.sub(" ", _CONTROL.sub("", half_width(text))).strip()


def join_lines(first: str, second: str) -> str:
    """Two pieces of one paragraph broken across lines: Chinese runs on without a space,
    Latin words keep one."""
    if not first:
        return second
    if not second:
        return first
    if first[-1].isascii() and first[-1].isalnum() and second[0].isascii() \
            and second[0].isalnum():
        return f"{first} {second}"
    if first.endswith("-") and second[0].isascii() and second[0].isalpha():
        return first[:-1] + second
    return first + second


def assemble(blocks: list[Block], source: str, name: str, *, encoding: str | None = None,
             pages: int | None = None, hints: dict[str, str] | None = None,
             warnings: list[str] | None = None) -> Imported:
    """The blocks as one text, a block per line, with the headings and pages they carry."""
    lines: list[str] = []
    headings: dict[int, int] = {}
    spans: dict[int, tuple[int, int]] = {}
    hints = dict(hints or {})
    title = " ".join(clean(b.text) for b in blocks if b.kind == "title" and clean(b.text))
    if title:
        hints["title_text"] = title
    for block in blocks:
        if block.kind == "row":
            if lines and lines[-1].endswith("|"):
                lines.append("|")
            continue
        text = clean(block.text)
        if not text:
            continue
        if block.kind == "cell":
            text = text.replace("|", "｜") + " |"
        elif text.endswith("|"):  # the reader would take it for a table cell
            text = text.rstrip("| ") or text.replace("|", "｜")
        lines.append(text)
        line = len(lines)
        if block.kind == "heading":
            headings[line] = max(1, block.level)
        if block.pages is not None:
            spans[line] = block.pages
    if not any(any(ch.isalnum() for ch in ln) for ln in lines):
        raise UnreadableDocument(f"{name}: holds no text")
    layout = Layout(source=source, headings=headings, pages=spans)
    return Imported(text="\n".join(lines) + "\n", layout=layout, source=source,
                    encoding=encoding, pages=pages, hints=hints,
                    warnings=list(warnings or []))
