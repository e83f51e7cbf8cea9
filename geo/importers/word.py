"""Word .docx files (python-docx): paragraphs in order, headings by their style, tables by cell.

Word says which paragraphs are headings: the built-in styles Heading 1…9 (shown as 标题 1… in a
Chinese Word), a custom style named so, or an outline level set on the paragraph or its style.
Those become heading levels in the layout, so a heading without a number ("总体要求") still
opens a section. The Title and Subtitle styles are the document's title (front matter). Tables
are written cell by cell, a row's end marked as in data/plans, so the reader keeps them as
tables. Numbers Word generates itself (automatic list numbering) are not part of the text and
do not appear.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from geo.importers.model import Block, Imported, UnreadableDocument, assemble

_HEADING_STYLE = re.compile(r"^(heading|标题)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "subtitle", "标题", "副标题"}


def _outline_level(element: Any) -> int | None:
    ppr = element.find(qn("w:pPr"))
    if ppr is None:
        return None
    lvl = ppr.find(qn("w:outlineLvl"))
    if lvl is None:
        return None
    value = int(lvl.get(qn("w:val"), "9"))
    return value + 1 if value < 9 else None


def _style_level(style: Any) -> tuple[str, int]:
    """("heading", level), ("title", 0) or ("paragraph", 0) from a paragraph style and the
    styles it is based on."""
    depth = 0
    while style is not None and depth < 10:
        name = (style.name or "").strip()
        m = _HEADING_STYLE.match(name)
        if m:
            return "heading", int(m.group(2))
        if name.lower() in _TITLE_STYLES:
            return "title", 0
        level = _outline_level(style.element)
        if level is not None:
            return "heading", level
        style = style.base_style
        depth += 1
    return "paragraph", 0


def _paragraph_blocks(para: Paragraph) -> list[Block]:
    kind, level = _style_level(para.style)
    own = _outline_level(para._p)
    if own is not None:
        kind, level = "heading", own
    # a manual line break inside a body paragraph separates paragraphs as a planner reads them
    texts = [para.text] if kind != "paragraph" else para.text.split("\n")
    return [Block(t, kind, level) for t in texts if t.strip()]


def _table_blocks(table: Table) -> list[Block]:
    blocks: list[Block] = []
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            blocks.append(Block(" ".join(p.text for p in cell.paragraphs), "cell"))
        blocks.append(Block("", "row"))
    return blocks


def read_docx(data: bytes, name: str) -> Imported:
    try:
        document: Document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableDocument(f"{name}: not a readable Word .docx file ({error}); an old "
                                 ".doc file must be saved as .docx first") from None
    blocks: list[Block] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.extend(_paragraph_blocks(Paragraph(child, document)))
        elif child.tag == qn("w:tbl"):
            blocks.extend(_table_blocks(Table(child, document)))
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    dense = {level: i for i, level in enumerate(levels, start=1)}
    for b in blocks:
        if b.kind == "heading":
            b.level = dense[b.level]
    props = document.core_properties
    hints: dict[str, str] = {}
    if props.title and props.title.strip():
        hints["title"] = props.title.strip()
    if props.created is not None:
        hints["file_date"] = props.created.date().isoformat()
    return assemble(blocks, "docx", name, hints=hints)
