"""GeoJSON: RFC 7946 when the CRS is WGS-84 (the default). In any other CRS the file is the older
2008 GeoJSON with a `crs` member (EPSG codes) or none (GCJ-02), and a `description` saying so,
because an unlabelled non-WGS-84 GeoJSON is a silent error. Nested lists (plans, years, passages)
stay nested: JSON can hold them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from geo.crs_names import WGS84, CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame
from layers.export.metadata import credit_note, crs_note
from layers.protocol import PlanStore


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path
          ) -> dict[str, int]:
    (lid,) = layer_ids
    gdf = layer_frame(store, lid, crs, nested=True)
    layer = store.layer(lid)
    data = gdf.to_geo_dict(na="null", drop_id=True)
    for feature, pid in zip(data["features"], gdf["id"], strict=True):
        feature["id"] = pid
    doc: dict[str, object] = {"type": "FeatureCollection", "name": lid}
    if crs.id.startswith("EPSG:") and crs != WGS84:
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
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return {lid: len(gdf)}


FORMAT = ExportFormat(
    id="geojson",
    title="GeoJSON (RFC 7946 in WGS-84)",
    extension=".geojson",
    media_type="application/geo+json",
    multi_layer=False,
    write=write,
    aliases=("json",),
)
