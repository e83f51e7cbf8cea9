"""Saved web pages (.html): the article, without the site's menus, footers and share buttons.

The main text is found by trafilatura (a maintained extractor that scores the page's blocks);
its XML output keeps headings (h1…h6), paragraphs, list items and table cells, which become
blocks here. A page's h1 equal to its title is the title (front matter); the other heading
levels in use are numbered 1, 2, … from the outermost. A paragraph holding line breaks (a
government page often puts the whole article in one <p> with <br>) is split at them.
The page's metadata (title, publication date, site name) is kept as hints for the form.
"""

from __future__ import annotations

from typing import Any

import trafilatura
from lxml import etree

from geo.importers.encoding import decode_text
from geo.importers.model import Block, Imported, UnreadableDocument, assemble


def _decode(data: bytes, name: str) -> str:
    """The page as text: a declared charset wins; else the strict cascade of text files."""
    head = data[:4096].lower()
    for declared, codec in ((b"charset=gb2312", "gb18030"), (b"charset=\"gb2312", "gb18030"),
                            (b"charset=gbk", "gb18030"), (b"charset=\"gbk", "gb18030"),
                            (b"charset=gb18030", "gb18030"), (b"charset=\"gb18030", "gb18030")):
        if declared in head:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    return decode_text(data, name)[0]


def _text_parts(element: Any) -> list[str]:
    """An element's text split at its line breaks (<lb/>)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("")
        else:
            parts[-1] += "".join(child.itertext())
        parts[-1] += child.tail or ""
    return [p for p in parts if p.strip()]


def _walk(element: Any, blocks: list[Block]) -> None:
    for child in element:
        tag = child.tag
        if tag == "head":
            rend = child.get("rend") or "h2"
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            blocks.append(Block("".join(child.itertext()), "heading", level))
        elif tag in ("p", "item", "quote"):
            blocks.extend(Block(t) for t in _text_parts(child))
        elif tag == "table":
            for row in child.iter("row"):
                for cell in row.iter("cell"):
                    blocks.append(Block("".join(cell.itertext()), "cell"))
                blocks.append(Block("", "row"))
        else:
            _walk(child, blocks)


def read_html(data: bytes, name: str) -> Imported:
    page = _decode(data, name)
    extracted = trafilatura.extract(page, output_format="xml", include_tables=True,
                                    include_comments=False, include_links=False,
                                    include_images=False, deduplicate=False)
    if not extracted:
        raise UnreadableDocument(f"{name}: no article text found in the page (save the page "
                                 "itself, not a frame or a search result)")
    root = etree.fromstring(extracted.encode("utf-8"))
    main = root.find("main")
    blocks: list[Block] = []
    _walk(main if main is not None else root, blocks)
    meta = trafilatura.extract_metadata(page)
    hints: dict[str, str] = {}
    if meta is not None:
        for key, value in (("title", meta.title), ("file_date", meta.date),
                           ("site", meta.sitename), ("author", meta.author)):
            if value and str(value).strip():
                hints[key] = str(value).strip()
    title = hints.get("title", "")
    for b in blocks:
        if b.kind == "heading" and b.level == 1 and title and b.text.strip() == title:
            b.kind, b.level = "title", 0
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    dense = {level: i for i, level in enumerate(levels, start=1)}
    for b in blocks:
        if b.kind == "heading":
            b.level = dense[b.level]
    return assemble(blocks, "html", name, hints=hints)
