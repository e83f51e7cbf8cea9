"""Shapefile, always zipped: per layer one shapefile per geometry family (_point, _line,
_polygon: a shapefile holds one), UTF-8 with .cpg, 10-character field names (FIELD_MAP), text
cut at 254 bytes on a character boundary with "…", the full passages in passages.csv keyed by
place id, and a README.txt with the field mapping."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyogrio

from geo.crs_names import CrsDef
from layers.export.files import zip_folder
from layers.export.formats import ExportFormat
from layers.export.frames import is_text, layer_frame, table_name
from layers.export.metadata import readme_text
from layers.protocol import PlanStore

# Shapefile field names are at most 10 characters: property → field.
FIELD_MAP: dict[str, str] = {
    "id": "id", "name": "name", "name_en": "name_en", "kind": "kind",
    "precision": "precision", "error_m": "error_m", "accuracy_zh": "accur_zh",
    "accuracy_en": "accur_en", "layer": "layer", "mention_count": "mentions", "plans": "plans",
    "years": "years", "first_year": "first_year", "last_year": "last_year",
    "excerpts": "excerpts", "source": "source", "parent": "parent", "note": "note",
    "detail_url": "detail_url",
}
TEXT_BYTES = 254
_FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
             "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
_MAPPING = "\n".join(f"  {k} -> {v}" for k, v in FIELD_MAP.items())
NOTE = (
    "One shapefile per layer and geometry family (<layer>_point/_line/_polygon.shp, "
    "hyphens of layer ids written as underscores):"
    " a shapefile holds one geometry type. Text is UTF-8 (.cpg).\n"
    "Field names (property -> shapefile field, at most 10 characters):\n"
    f"{_MAPPING}\n"
    "Text longer than 254 bytes is cut between characters and ends with '…'. The "
    "full policy text of every place is in passages.csv (place_id = the id field), "
    "and on the planmap site at detail_url."
)


def cut_bytes(text: str, limit: int = TEXT_BYTES) -> str:
    """Text within `limit` UTF-8 bytes, cut between characters and marked with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len("…".encode())
    out = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return out + "…"


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path
          ) -> dict[str, int]:
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="planmap-shp-") as tmp:
        folder = Path(tmp)
        passages_rows = []
        for lid in layer_ids:
            gdf = layer_frame(store, lid, crs, nested=False)
            for pid, text in zip(gdf["id"], gdf["passages"], strict=True):
                for p in json.loads(text):
                    passages_rows.append({"layer_id": lid, "place_id": pid, **{
                        k: p[k] for k in ("plan_id", "year", "line", "citation", "text")}})
            gdf = gdf.drop(columns=["passages"])
            gdf["detail_url"] = "/places/" + gdf["id"]
            for col in gdf.columns:
                if is_text(gdf, col):
                    gdf[col] = gdf[col].map(lambda v: cut_bytes(v) if isinstance(v, str) else v)
            gdf = gdf.rename(columns=FIELD_MAP)
            families = gdf.geometry.geom_type.map(_FAMILIES)
            for family in ("point", "line", "polygon"):
                part = gdf[families == family]
                if len(part):
                    pyogrio.write_dataframe(part, folder / f"{table_name(lid)}_{family}.shp",
                                            driver="ESRI Shapefile", encoding="UTF-8",
                                            promote_to_multi=True)
            counts[lid] = len(gdf)
        pd.DataFrame(passages_rows, columns=[
            "layer_id", "place_id", "plan_id", "year", "line", "citation", "text",
        ]).to_csv(folder / "passages.csv", index=False, encoding="utf-8-sig")
        no_prj = "No .prj: GCJ-02 has no CRS definition." if crs.engine == "gcj02" else ""
        (folder / "README.txt").write_text(
            readme_text(store, layer_ids, FORMAT, crs, counts, extra=no_prj), encoding="utf-8")
        zip_folder(folder, path)
    return counts


FORMAT = ExportFormat(
    id="shp",
    title="zipped ESRI Shapefile, UTF-8 (.cpg)",
    extension=".zip",
    media_type="application/zip",
    multi_layer=True,
    write=write,
    aliases=("shapefile", "zip"),
    readme_note=NOTE,
    wrong_suffix=(".shp", "shapefile downloads are zipped (several files a layer): "
                          "give a .zip path"),
)
