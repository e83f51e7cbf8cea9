"""New documents in: PDF (with a text layer), Word .docx, saved web pages and text files.

`import_document(data, filename)` tells the format from the bytes (then the name), reads it with
that format's importer and returns an `Imported`: the text one paragraph per line, the
`geo.layout.Layout` the reader takes headings and pages from, and hints for the metadata form
(`geo.importers.metadata.guess`). A file that cannot be read raises `UnreadableDocument` (or
BadRequest) with one line saying why; nothing is kept of it.

Modules: `encoding` (text files' encodings), `model` (blocks → text and layout), `pdf`, `word`,
`webpage`, `text` (one per format), `metadata` (title, issuer, date, kind from the document).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from geo.importers.metadata import Guess, checksum, guess
from geo.importers.model import Imported, UnreadableDocument

MAX_BYTES = 64 * 1024 * 1024  # a 300-page plan with figures stays well under this
FORMATS = ("pdf", "docx", "html", "text")
EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html",
              ".xhtml": "html", ".txt": "text", ".text": "text", ".md": "text"}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|meta|body)",
                         re.IGNORECASE | re.DOTALL)


def detect_format(data: bytes, filename: str) -> str:
    """The format of a file, from its first bytes (a PDF named .txt is still a PDF), then its
    name; formats planmap cannot read are refused with what to do instead."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:200_000] or filename.lower().endswith(".docx"):
            return "docx"
        raise UnreadableDocument(f"{filename}: a ZIP archive that is not a Word .docx file "
                                 "(unpack it and add the document itself)")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableDocument(f"{filename}: an old Word .doc (or other Office 97) file; "
                                 "save it as .docx and add that")
    if _HTML_START.match(head):
        return "html"
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in (".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".ppt", ".pptx"):
        raise UnreadableDocument(f"{filename}: {suffix} files are not read; save it as PDF, "
                                 ".docx or text")
    return EXTENSIONS.get(suffix, "text")


def _reader(fmt: str) -> Callable[[bytes, str], Imported]:
    # each format's library is imported only when a file of that format arrives
    if fmt == "pdf":
        from geo.importers.pdf import read_pdf
        return read_pdf
    if fmt == "docx":
        from geo.importers.word import read_docx
        return read_docx
    if fmt == "html":
        from geo.importers.webpage import read_html
        return read_html
    from geo.importers.text import read_text_file
    return read_text_file


def import_document(data: bytes, filename: str) -> Imported:
    if not data:
        raise UnreadableDocument(f"{filename}: the file is empty")
    if len(data) > MAX_BYTES:
        raise UnreadableDocument(f"{filename}: {len(data) // 1_048_576} MB is more than the "
                                 f"{MAX_BYTES // 1_048_576} MB a document may have")
    return _reader(detect_format(data, filename))(data, filename)


__all__ = ["EXTENSIONS", "FORMATS", "MAX_BYTES", "Guess", "Imported", "UnreadableDocument",
           "checksum", "detect_format", "guess", "import_document"]
