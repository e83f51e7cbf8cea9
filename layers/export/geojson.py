"""GeoJSON: RFC 7946 when the CRS is WGS-84 (the default). In another EPSG CRS the file is the
older 2008 GeoJSON with a `crs` member and a `description` saying so, because an unlabelled
non-WGS-84 GeoJSON is a silent error. GCJ-02 and BD-09 are refused: GeoJSON has no way to declare
a custom CRS, and every reader would take the file for WGS-84 (550 m off in Beijing). Nested
lists (plans, years, passages) stay nested: JSON can hold them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from geo.crs_names import CRSES, WGS84, CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame
from layers.export.metadata import credit_note, crs_note
from layers.export.safe_text import DATABASE, safe_frame
from layers.protocol import PlanStore


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
          base_url: str | None) -> dict[str, int]:
    (lid,) = layer_ids
    gdf = layer_frame(store, lid, crs, nested=True, base_url=base_url)
    layer = store.layer(lid)
    data = safe_frame(gdf, DATABASE).to_geo_dict(na="null", drop_id=True)
    for feature, pid in zip(data["features"], gdf["id"], strict=True):
        feature["id"] = pid
    doc: dict[str, object] = {"type": "FeatureCollection", "name": lid}
    if crs != WGS84:
        code = crs.id.split(":")[1]
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{code}"}}
    description = f"{layer.title['zh']} / {layer.title['en']}. {layer.description['en']}"
    if crs != WGS84:
        description += " NOT RFC 7946 (which requires WGS-84). " + crs_note(crs)
    credit = credit_note(store, [lid])
    if credit:  # a foreign member GIS clients show as layer metadata, and in the description
        doc["attribution"] = credit
        description += " " + credit
    doc["description"] = description
    doc["features"] = data["features"]
    with path.open("w", encoding="utf-8") as out:
        json.dump(doc, out, ensure_ascii=False)
    return {lid: len(gdf)}


FORMAT = ExportFormat(
    id="geojson",
    title="GeoJSON (RFC 7946 in WGS-84)",
    extension=".geojson",
    media_type="application/geo+json",
    multi_layer=False,
    write=write,
    aliases=("json",),
    refuses=tuple(c.id for c in CRSES if c.offset),
    refusal="GeoJSON cannot declare a GCJ-02 or BD-09 coordinate system, so every reader "
            "would take the file for WGS-84 (gpkg, shp and fgb carry it as a named CRS)",
)
