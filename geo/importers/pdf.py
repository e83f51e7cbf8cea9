"""PDF files with a text layer, read with PDFium (pypdfium2): text, font sizes, pages.

A PDF has no paragraphs, only lines placed on pages; this module puts them back together the
way a reader of the printed plan sees them:

- running heads and page numbers (a line at the top or bottom of the page that repeats on many
  pages, or a bare page number) are dropped;
- the body size is the font size most characters are set in; a short line set larger is a
  heading, and the distinct heading sizes, largest first, are heading levels 1, 2, … (so a plan
  whose headings carry no 第X章 still gets its outline); the largest lines at the top of the first
  page, in a size used nowhere else, are the title;
- a paragraph runs on over line and page breaks until a line stops short of the right margin,
  the next line is indented or starts with a heading number, or a larger gap opens;
- each paragraph keeps the pages it stands on, for citations (第12页, 第12–13页).

PDFium rather than pdfminer-based extractors: a 100-page plan reads in about a second instead of
a quarter of a minute on this project's machines (benchmarks/bench_intake.py prints the read
alone), and the importer needs only characters, their boxes and font sizes. A file with no
text layer (a scan) or text without Unicode mapping is refused with "no text layer: run OCR
first"; nothing is imported.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from geo.importers.model import Block, Imported, UnreadableDocument, assemble, join_lines

BAND = 0.08  # share of the page height at top and bottom where running heads and folios sit
MIN_PAGE_TEXT = 10  # non-space characters a page needs to count as having text
MAX_HEADING = 60  # longer lines are never headings, whatever their size
HEADING_STEP = 1.0  # points larger than the body size for a line to be a heading
_PAGE_NUMBER = re.compile(r"^[-—–·\s]*(第\s*)?[0-9ivxlcIVXLC]{1,4}\s*(页)?[-—–·\s]*$|"
                          r"^\d{1,4}\s*/\s*\d{1,4}$|^[-—–]\s*\d{1,4}\s*[-—–]$")
# a line opening a numbered heading or item: it starts a new paragraph
_NUMBERED = re.compile(r"^(第[〇零一二三四五六七八九十百]+[章节条]|[〇一二三四五六七八九十]+、|"
                       r"[(（][〇一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.、．](?!\d))")
_BAD_CHARS = re.compile(r"[\ufffd\ue000-\uf8ff]")


@dataclass
class _Line:
    page: int
    text: str
    size: float
    left: float
    right: float
    top: float
    bottom: float
    page_height: float
    kind: str = "body"
    sizes: list[float] = field(default_factory=list, repr=False)


def _page_lines(page: pdfium.PdfPage, number: int) -> list[_Line]:
    """The page's text lines (PDFium marks line ends with generated CR LF) with their boxes
    and the font size most of their characters have."""
    textpage = page.get_textpage()
    height = page.get_height()
    lines: list[_Line] = []
    chars: list[str] = []
    sizes: list[float] = []
    boxes: list[tuple[float, float, float, float]] = []

    def flush() -> None:
        text = "".join(chars).strip()
        if text and boxes:
            size = Counter(round(s * 2) / 2 for s in sizes).most_common(1)[0][0] if sizes else 0
            lines.append(_Line(number, text, size, min(b[0] for b in boxes),
                               max(b[2] for b in boxes), max(b[3] for b in boxes),
                               min(b[1] for b in boxes), height))
        chars.clear()
        sizes.clear()
        boxes.clear()

    try:
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            ch = chr(code) if code else ""
            if ch in ("\r", "\n"):
                if ch == "\n":
                    flush()
                continue
            chars.append(ch)
            if ch.strip():
                sizes.append(pdfium_c.FPDFText_GetFontSize(textpage.raw, i))
                boxes.append(textpage.get_charbox(i))
        flush()
    finally:
        textpage.close()
    return lines


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableDocument(f"{name}: the PDF is password-protected; save a copy "
                                     "without the password first") from None
        raise UnreadableDocument(f"{name}: not a readable PDF ({error})") from None


def _drop_running(lines: list[_Line], pages: int) -> None:
    """Mark running heads, feet and page numbers: a line in the top or bottom band that is a
    page number, or whose text (digits aside) recurs there on at least 40% of the pages, or a
    short line at the top set smaller than the body (a running head on a short plan)."""
    def band(ln: _Line) -> str:
        if ln.top > ln.page_height * (1 - BAND):
            return "top"
        return "bottom" if ln.bottom < ln.page_height * BAND else ""

    weight: Counter[float] = Counter()
    for ln in lines:
        weight[ln.size] += len(ln.text)
    body = weight.most_common(1)[0][0] if weight else 0.0
    key = {id(ln): re.sub(r"\d+", "#", ln.text) for ln in lines}
    seen: dict[str, set[int]] = {}
    for ln in lines:
        if band(ln):
            seen.setdefault(key[id(ln)], set()).add(ln.page)
    repeat = max(2, int(pages * 0.4))
    for ln in lines:
        where = band(ln)
        if not where:
            continue
        if _PAGE_NUMBER.match(ln.text) or len(seen[key[id(ln)]]) >= repeat or (
                where == "top" and ln.size < body - 0.5 and len(ln.text) <= 40
                and not ln.text.endswith("。")):
            ln.kind = "running"


def _classify(lines: list[_Line]) -> tuple[float, dict[float, int]]:
    """Body size, and heading level per heading size; marks title and heading lines."""
    weight: Counter[float] = Counter()
    for ln in lines:
        if ln.kind == "body":
            weight[ln.size] += len(ln.text)
    if not weight:
        return 0.0, {}
    body = weight.most_common(1)[0][0]
    big = [ln for ln in lines if ln.kind == "body" and ln.size >= body + HEADING_STEP
           and len(ln.text) <= MAX_HEADING and not ln.text.endswith(("。", "；", ";"))]
    sizes = sorted({ln.size for ln in big}, reverse=True)
    # the title: the largest lines at the very start of page 1, in a size no other page uses
    if sizes:
        top = sizes[0]
        first_page_only = all(ln.page == 1 for ln in big if ln.size == top)
        leading = []
        for ln in lines:
            if ln.kind != "body":
                continue
            if ln.page == 1 and ln.size == top:
                leading.append(ln)
                continue
            break
        if first_page_only and leading:
            for ln in leading:
                ln.kind = "title"
            big = [ln for ln in big if ln.kind != "title"]
            sizes = sorted({ln.size for ln in big}, reverse=True)
    for ln in big:
        ln.kind = "heading"
    return body, {size: level for level, size in enumerate(sizes, start=1)}


def _paragraphs(lines: list[_Line], body: float, levels: dict[float, int]) -> list[Block]:
    """Lines joined into paragraphs, headings and title, in reading order."""
    body_lines = [ln for ln in lines if ln.kind == "body"]
    lefts = Counter(round(ln.left) for ln in body_lines)
    margin_left = lefts.most_common(1)[0][0] if lefts else 0.0
    rights = sorted(ln.right for ln in body_lines)
    margin_right = rights[int(len(rights) * 0.9)] if rights else 0.0
    em = body or 10.0
    blocks: list[Block] = []
    previous: _Line | None = None
    for ln in lines:
        if ln.kind == "running":
            continue
        if ln.kind in ("title", "heading"):
            level = levels.get(ln.size, 0)
            last = blocks[-1] if blocks else None
            same = (last is not None and previous is not None and last.kind == ln.kind
                    and last.level == level and previous.kind == ln.kind
                    and previous.page == ln.page and previous.bottom - ln.top < ln.size)
            if same and last is not None:  # a heading wrapped over two lines
                last.text = join_lines(last.text, ln.text)
            else:
                blocks.append(Block(ln.text, ln.kind, level, (ln.page, ln.page)))
            previous = ln
            continue
        starts = (previous is None or previous.kind != "body" or not blocks
                  or blocks[-1].kind != "paragraph"
                  or previous.right < margin_right - 1.5 * em
                  or ln.left > margin_left + 1.2 * em
                  or bool(_NUMBERED.match(ln.text))
                  or (previous.page == ln.page and previous.bottom - ln.top > 1.2 * em))
        if starts:
            blocks.append(Block(ln.text, "paragraph", 0, (ln.page, ln.page)))
        else:
            last = blocks[-1]
            last.text = join_lines(last.text, ln.text)
            assert last.pages is not None
            last.pages = (last.pages[0], ln.page)
        previous = ln
    return blocks


def read_pdf(data: bytes, name: str) -> Imported:
    pdf = _open(data, name)
    try:
        count = len(pdf)
        lines: list[_Line] = []
        empty: list[int] = []
        for number in range(1, count + 1):
            page = pdf[number - 1]
            try:
                page_lines = _page_lines(page, number)
            finally:
                page.close()
            if sum(len(ln.text.replace(" ", "")) for ln in page_lines) < MIN_PAGE_TEXT:
                empty.append(number)
            lines.extend(page_lines)
        meta = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    if count == 0 or len(empty) == count:
        raise UnreadableDocument(f"{name}: no text layer: run OCR first (the PDF holds only "
                                 "images of its pages)")
    text = "".join(ln.text for ln in lines)
    if len(_BAD_CHARS.findall(text)) > 0.2 * len(text):
        raise UnreadableDocument(f"{name}: no text layer: run OCR first (its fonts carry no "
                                 "Unicode mapping, so the text cannot be read)")
    _drop_running(lines, count)
    body, levels = _classify(lines)
    blocks = _paragraphs(lines, body, levels)
    warnings = []
    if empty:
        shown = ", ".join(str(n) for n in empty[:10]) + (" …" if len(empty) > 10 else "")
        warnings.append(f"{len(empty)} of {count} pages have no text (images only; run OCR "
                        f"for their text): {shown}")
    hints = {}
    if meta.get("Title") and statistics.mean(c.isprintable() for c in meta["Title"]) > 0.9:
        hints["title"] = meta["Title"].strip()
    if meta.get("CreationDate"):
        m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", meta["CreationDate"])
        if m:
            hints["file_date"] = "-".join(g for g in m.groups() if g)
    return assemble(blocks, "pdf", name, pages=count, hints=hints, warnings=warnings)
