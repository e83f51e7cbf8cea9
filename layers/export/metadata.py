"""What every exported file says about itself: its coordinates, its layers, where the policy
text comes from, and the credit the licence of any open data in it asks for (OpenStreetMap's
stations and lines are ODbL). GCJ-02 in particular has no CRS a GIS could read, so the words are
all there is."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pandas as pd

from geo.crs_names import CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import table_name
from layers.protocol import PlanStore

PASSAGE_POLICY = (
    "passages: every paragraph (one line of the plan text) that names the place, with its "
    "citation (plan, year, chapter/section, line) and the character offsets of each mention; "
    "in time order (plan date, then line). excerpts: the sentence naming the place from the "
    "first passages."
)


def crs_note(crs: CrsDef) -> str:
    """The sentence each file carries about its coordinates."""
    if crs.engine == "gcj02":
        return (
            "Coordinates are GCJ-02 (the AMap/Gaode/Tencent offset of WGS-84, about 540 m in "
            "Haidian), written as plain longitude/latitude with no CRS: overlay them on GCJ-02 "
            "basemaps only. 坐标为GCJ-02(火星坐标),仅适用于高德等GCJ-02底图。"
        )
    return f"Coordinates are {crs.id}: {crs.title['en']}."


def credit_note(store: PlanStore, layer_ids: Iterable[str]) -> str:
    """The credits owed for the features of these layers, as one paragraph ("" when all of it
    is our own data). Written into every format, so the credit travels with the file."""
    ids = dict.fromkeys(pid for lid in layer_ids for pid in store.member_ids(lid))
    return " ".join(
        f"Contains data {a.text} ({a.title}, {a.url}): the features from "
        f"{', '.join(a.files)}; data derived from them stays under that licence."
        for a in store.attributions(ids))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def layer_metadata(store: PlanStore, layer_ids: Iterable[str], crs: CrsDef,
                   counts: dict[str, int]) -> pd.DataFrame:
    """The GeoPackage `layer_metadata` table: what gpkg_contents has no column for."""
    rows = []
    for lid in layer_ids:
        layer = store.layer(lid)
        rows.append(
            {
                "layer_id": lid,
                "table_name": table_name(lid),
                "title_zh": layer.title["zh"],
                "title_en": layer.title["en"],
                "description_zh": layer.description["zh"],
                "description_en": layer.description["en"],
                "layer_group": layer.group,
                "theme": layer.theme,
                "defined_by": layer.defined_by,
                "feature_count": counts.get(lid, 0),
                "crs": crs.id,
                "crs_note": crs_note(crs),
                "style": json.dumps(layer.style, ensure_ascii=False),
                "generated": _now(),
                "passage_policy": PASSAGE_POLICY,
                "attribution": credit_note(store, [lid]),
            }
        )
    return pd.DataFrame(rows)


def readme_text(store: PlanStore, layer_ids: Sequence[str], fmt: ExportFormat, crs: CrsDef,
                counts: dict[str, int], extra: str = "") -> str:
    """README.txt for formats with no room for notes inside (CSV, the ZIPs): the layers, the
    coordinates, the format's own note and any `extra` words."""
    lines = [
        "planmap export",
        f"format: {fmt.id} ({fmt.title})",
        f"crs: {crs.id}",
        crs_note(crs),
        "",
        "layers:",
    ]
    for lid in layer_ids:
        layer = store.layer(lid)
        cite = f" — defined by {layer.defined_by}" if layer.defined_by else ""
        lines.append(f"  {lid}: {layer.title['zh']} / {layer.title['en']} "
                     f"({counts.get(lid, 0)} features){cite}")
    lines += ["", PASSAGE_POLICY]
    credit = credit_note(store, layer_ids)
    if credit:
        lines += ["", "licence: " + credit]
    note = "\n".join(t for t in (fmt.readme_note, extra) if t)
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"
