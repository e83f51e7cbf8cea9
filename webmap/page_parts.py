"""Small pieces the pages share: names and citations in the page's language, download tables,
figure links, and text cut around its marked mentions.

Kept apart from the handlers (webmap.pages, webmap.compare) so each page module stays a list of
routes; nothing here reads the request.
"""

from __future__ import annotations

import re
from typing import Any

from flask import url_for

from geo.corpus import PlanMeta
from webmap import i18n
from webmap.permalink import with_query

# Chinese characters (CJK ideographs, CJK punctuation and full-width forms): a name or text with
# any of these is shown marked as Chinese in the English interface.
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def show_name(name: str, name_en: str, lang: str) -> tuple[str, str]:
    """The name a page shows and its language tag: the English name in the English interface
    when there is one, else the name as written (tagged zh-CN when it is Chinese)."""
    if lang == "en" and name_en:
        return name_en, "en"
    return name, "zh-CN" if CJK.search(name) else ""


def plan_text(meta: PlanMeta, lang: str) -> dict[str, str]:
    return meta.in_lang(lang)


def cite(passage: Any, lang: str) -> str:
    """A passage's citation in the page's language ("… ch. 5, line 382" / "…(第382行)")."""
    get = passage.get if isinstance(passage, dict) else lambda k: getattr(passage, k, None)
    if lang == "en" and get("citation_en"):
        return str(get("citation_en"))
    return str(get("citation") or "")


def segments(text: str, spans: list[list[int]]) -> list[tuple[str, bool]]:
    """Text cut into (piece, is_mention) so the template can mark mentions without |safe."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < pos or end > len(text):
            continue
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def excerpt(text: str, spans: list[list[int]], before: int = 50, after: int = 80,
            longest: int = 160) -> list[tuple[str, bool]]:
    """The stretch of a paragraph around its first mention, cut into segments as `segments`
    does, with "…" where it was cut: a comparison shows many passages side by side, and the
    citation leads to the whole paragraph."""
    if len(text) <= longest or not spans:
        return segments(text, spans)
    first = min(spans, key=lambda s: int(s[0]))
    start = max(0, int(first[0]) - before)
    end = min(len(text), int(first[1]) + after)
    inner = [[int(a) - start, int(b) - start] for a, b in spans
             if int(a) >= start and int(b) <= end]
    out = segments(text[start:end], inner)
    if start > 0:
        out.insert(0, ("…", False))
    if end < len(text):
        out.append(("…", False))
    return out


def download_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Download links (webmap.downloads rows) as a table: a row per format, a column per CRS,
    an empty cell where the format cannot hold the CRS (KML in metres)."""
    crs_ids = list(dict.fromkeys(r["crs"] for r in rows))
    titles = {r["crs"]: r["crs_title"] for r in rows}
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = table.setdefault(r["format"], {"format": r["format"], "title": r["format_title"],
                                               "cells": {}})
        entry["cells"][r["crs"]] = r["url"]
    return {
        "crs": [{"id": c, "title": titles[c]} for c in crs_ids],
        "rows": [{**e, "cells": [e["cells"].get(c) for c in crs_ids]} for e in table.values()],
    }


FIGURES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("png", "figure_png", {}), ("svg", "figure_svg", {}),
    ("pdf", "figure_a4", {"paper": "A4", "landscape": "1"}),
)


def figure_links(endpoint: str, lang: str, **ids: str) -> list[dict[str, str]]:
    """The figure of a place, plan or layer in each format, in the page's language."""
    extra = {"lang": "en"} if lang == "en" else {}
    out = []
    for fmt, key, query in FIGURES:
        values: dict[str, Any] = {"fmt": fmt, **ids}
        out.append({"fmt": fmt, "label": i18n.text(key, lang),
                    "url": with_query(url_for(endpoint, **values), {**query, **extra})})
    return out
