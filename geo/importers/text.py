"""Plain text files: UTF-8 or GBK/GB18030 (geo.importers.encoding), one paragraph per line.

A text file is kept line for line, blank lines included, so that "第N行" in a citation is line N
of the file the planner holds, as for the plans in data/plans. Only the line ends are made
LF (a CRLF file counts lines the same way), and full-width ASCII forms (，（一）) ASCII, as in
data/plans.
"""

from __future__ import annotations

from geo.importers.encoding import decode_text
from geo.importers.model import Imported, UnreadableDocument, half_width
from geo.layout import Layout


def read_text_file(data: bytes, name: str) -> Imported:
    text, encoding = decode_text(data, name)
    text = half_width(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not any(ch.isalnum() for ch in text):
        raise UnreadableDocument(f"{name}: holds no text")
    if not text.endswith("\n"):
        text += "\n"
    return Imported(text=text, layout=Layout(source="text"), source="text", encoding=encoding)
