"""Short excerpts of the policy passages, as one flat text: what survives where nesting is lost.

A table cell (CSV, DBF, GeoPackage) and a GIS client reading OGC API – Features (QGIS drops the
nested `passages` array) both need the passages as plain text. One function writes it for
every writer and for the OGC features, so the text reads the same wherever a user meets it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

EXCERPTS_SHOWN = 3
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]?")


def excerpt(passage: dict, limit: int = 160) -> str:
    """The sentence of a passage that names the place, with its citation: short enough for a
    table cell, the whole paragraph staying in `passages`."""
    text = passage["text"]
    start = passage["mentions"][0][0] if passage["mentions"] else 0
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < max(m.end(), m.start() + 1):
            sentence = m.group(0).strip()
            break
    else:
        sentence = text
    if len(sentence) > limit:
        sentence = sentence[: limit - 1] + "…"
    return f"{passage['citation']}:{sentence}"


def excerpts_text(passages: Sequence[dict], shown: int = EXCERPTS_SHOWN) -> str:
    lines = [excerpt(p) for p in passages[:shown]]
    if len(passages) > shown:
        lines.append(f"(另有{len(passages) - shown}段 / {len(passages) - shown} more passages)")
    return "\n".join(lines)
