"""Which encoding a plan's text file is in: UTF-8, or GB18030 (which contains GBK and GB2312).

Planners' text files come from two worlds: UTF-8 (web pages, new tools) and GBK/GB18030 (Windows
Notepad in a Chinese locale, older government systems); Big5 turns up with Hong Kong and Taiwan
sources. A statistical detector guesses wrong on short texts (three characters of GBK read as
Big5), so this is a strict cascade that needs no guess in the common cases: a byte-order mark
decides; else bytes that are valid UTF-8 are UTF-8 (GBK text is almost never valid UTF-8); else
GB18030, unless the bytes are also valid Big5 and read as far more ordinary Chinese in Big5.
Anything else is refused in one line rather than read as mojibake.
"""

from __future__ import annotations

import codecs

from geo.errors import BadRequest

BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))
# Characters a text file never holds (NUL and other C0 controls but tab, LF, CR, FF).
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f"}


def _ordinary(text: str, encoding: str) -> float:
    """Share of the CJK characters that are common characters of that encoding's script:
    GB2312 level 1 for GB18030 (the 3755 most used simplified characters), Big5's frequent
    range for Big5. Text decoded with the wrong one of the two reads as rare characters."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return 0.0
    codec, low, high = ("gb2312", 0xB0, 0xD7) if encoding == "gb18030" else ("big5", 0xA4, 0xC6)
    common = 0
    for c in cjk:
        try:
            raw = c.encode(codec)
        except UnicodeEncodeError:
            continue
        if low <= raw[0] <= high:
            common += 1
    return common / len(cjk)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, name: str = "the file") -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes; a BOM is not part of the text.

    Raises BadRequest naming `name` when the bytes are no text in a supported encoding."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], encoding)
            if text is None:
                raise BadRequest(f"{name}: starts with a {encoding} byte-order mark but is not "
                                 f"valid {encoding}")
            return _checked(text, name), encoding
    text = _strict(data, "utf-8")
    if text is not None:
        return _checked(text, name), "utf-8"
    gb = _strict(data, "gb18030")
    big5 = _strict(data, "big5")
    if gb is not None and (big5 is None or _ordinary(gb, "gb18030") >= _ordinary(big5, "big5")):
        return _checked(gb, name), "gb18030"
    if big5 is not None:
        return _checked(big5, name), "big5"
    raise BadRequest(f"{name}: not text in UTF-8, GBK/GB18030 or Big5 (save it as UTF-8 and "
                     "try again)")


def _checked(text: str, name: str) -> str:
    if any(c in _CONTROL for c in text[:100_000]):
        raise BadRequest(f"{name}: holds control characters, so it is not a text file (PDF, "
                         "Word .docx and .html files are read by their own importers)")
    return text
