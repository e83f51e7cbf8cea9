"""Text as each kind of output must receive it: the one place where exported text is made safe.

Plan and gazetteer text is data, and whatever it holds (a name starting with "=", a passage
quoting "<script>") must reach the reader as that text, never as a formula or markup. Each writer
names the kind of reader it writes for and passes every text value through this module:

- `SPREADSHEET` (CSV, the shapefile's DBF, passages.csv): opened in Excel/WPS, which run a cell
  starting with = + - @ (or a tab/CR before one) as a formula: such cells get a leading
  apostrophe.
- `MARKUP` (KML): KML viewers (Google Earth, Maps) render names, descriptions and data values
  as HTML, so every text is HTML-escaped (< > & " '); the XML writer escapes once more for XML.
- `DATABASE` (GeoPackage, FlatGeobuf, GeoJSON): stored as it is.

All three drop the control characters XML 1.0 forbids and DBF/SQLite readers stumble on (NUL,
and C0 codes other than tab, newline and carriage return). HTML pages are escaped by Jinja's
autoescape, not here.
"""

from __future__ import annotations

import html
import re
from enum import Enum

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class Sink(Enum):
    SPREADSHEET = "spreadsheet"
    MARKUP = "markup"
    DATABASE = "database"


SPREADSHEET = Sink.SPREADSHEET
MARKUP = Sink.MARKUP
DATABASE = Sink.DATABASE


def clean(text: str) -> str:
    """Without the control characters no output format may carry."""
    return _CONTROL.sub("", text)


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (CSV
    injection); anything that is not text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def markup(text: str) -> str:
    """Text for a KML viewer, which reads it as HTML: shown, never run."""
    return html.escape(clean(text), quote=True)


def safe(value: object, sink: Sink) -> object:
    """`value` as `sink` must receive it; non-text values are returned as they are."""
    if not isinstance(value, str):
        return value
    text = clean(value)
    if sink is SPREADSHEET:
        return neutralise(text)
    if sink is MARKUP:
        return html.escape(text, quote=True)
    return text


def is_text(frame: pd.DataFrame, col: str) -> bool:
    if col == "geometry":
        return False
    dtype = frame[col].dtype
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def safe_frame(frame: pd.DataFrame, sink: Sink) -> pd.DataFrame:
    """A copy of `frame` with every text column passed through `safe`."""
    out = frame.copy()
    for col in out.columns:
        if is_text(out, col):
            out[col] = out[col].map(lambda v: safe(v, sink))
    return out
