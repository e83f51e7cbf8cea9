"""What every exported file says about itself: its coordinates, its layers, what was left out,
where the policy text comes from, and the credit the licence of any open data in it asks for
(OpenStreetMap's stations and lines are ODbL). An offset system (GCJ-02, BD-09) is a custom CRS
no GIS knows what to do with, so the words say what it is for."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pandas as pd

from geo.crs_names import CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import AREA_MARGIN_DEG, Table, left_out, table_names
from layers.protocol import PlanStore

PASSAGE_POLICY = (
    "passages: every paragraph (one line of the plan text) that names the place, with its "
    "citation (plan, year, chapter/section, line) and the character offsets of each mention; "
    "in time order (plan date, then line). excerpts: the sentence naming the place from the "
    "first passages."
)


def crs_note(crs: CrsDef) -> str:
    """The sentence each file carries about its coordinates."""
    if crs.offset:
        return (
            f"Coordinates are {crs.id}, the {crs.overlay_for} offset of WGS-84 (about 540 m "
            f"in Haidian{', plus Baidu’s own shift' if crs.id == 'BD-09' else ''}), for "
            f"overlays on {crs.overlay_for} only: NOT WGS-84, do not mix with GPS, OSM or "
            f"survey data. The file's CRS is the custom \"{crs.id} ({crs.overlay_for} overlay; "
            "not WGS-84)\"; places outside mainland China (Hong Kong, Macao, Taiwan, abroad) "
            f"are unshifted, as the provider draws them. {crs.title['zh']}。"
        )
    note = f"Coordinates are {crs.id}: {crs.title['en']}."
    if crs.area_of_use and not crs.geographic:
        w, s, e, n = crs.area_of_use
        note += (f" Places outside its area of use ({w:g}–{e:g}°E, {s:g}–{n:g}°N, give or "
                 f"take {AREA_MARGIN_DEG:g}°) are left out.")
    return note


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
        outside = left_out(store, lid, crs)
        rows.append(
            {
                "layer_id": lid,
                "table_name": ", ".join(table_names(store, lid, crs)),
                "title_zh": layer.title["zh"],
                "title_en": layer.title["en"],
                "description_zh": layer.description["zh"],
                "description_en": layer.description["en"],
                "layer_group": layer.group,
                "theme": layer.theme,
                "defined_by": layer.defined_by,
                "feature_count": counts.get(lid, 0),
                "left_out_count": len(outside),
                "left_out_ids": ", ".join(outside),
                "crs": crs.id,
                "crs_note": crs_note(crs),
                "style": json.dumps(layer.style, ensure_ascii=False),
                "generated": _now(),
                "passage_policy": PASSAGE_POLICY,
                "attribution": credit_note(store, [lid]),
            }
        )
    return pd.DataFrame(rows)


def url_note(base_url: str | None) -> str:
    if base_url:
        return f"detail_url: the place's page on {base_url}, with all its passages and maps."
    return ("detail_url: empty, as this file was exported without a site address "
            "(planmap export --base-url).")


def readme_text(store: PlanStore, layer_ids: Sequence[str], fmt: ExportFormat, crs: CrsDef,
                counts: dict[str, int], base_url: str | None = None, extra: str = "") -> str:
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
        outside = left_out(store, lid, crs)
        gone = f", {len(outside)} outside {crs.id}'s area of use left out" if outside else ""
        lines.append(f"  {lid}: {layer.title['zh']} / {layer.title['en']} "
                     f"({counts.get(lid, 0)} features{gone}){cite}")
    lines += ["", PASSAGE_POLICY, url_note(base_url)]
    credit = credit_note(store, layer_ids)
    if credit:
        lines += ["", "licence: " + credit]
    note = "\n".join(t for t in (fmt.readme_note, extra) if t)
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


FAMILY_TITLES = {
    "points": {"zh": "（点）", "en": " (points)"},
    "lines": {"zh": "（线）", "en": " (lines)"},
    "polygons": {"zh": "（面）", "en": " (areas)"},
}


def family_title(table: Table, lang: str) -> str:
    """What a table title adds for a layer split by geometry family: `历史文化（点）`."""
    return FAMILY_TITLES[table.family][lang] if table.split and table.family else ""
