"""Shapefile, always zipped: one shapefile per table (a layer, or one per geometry family of a
layer that mixes them, named as the GeoPackage tables), UTF-8 with .cpg, 10-character field names
(FIELD_MAP), 32-bit integers (ArcGIS's Long), text cut at 254 bytes on a character boundary with
"…", the full passages in passages.csv keyed by place id, and a README.txt with the field
mapping. The DBF and passages.csv are opened in spreadsheets, so their text is formula-guarded."""

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
from layers.export.frames import layer_tables
from layers.export.metadata import readme_text
from layers.export.safe_text import SPREADSHEET, is_text, safe_frame
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
PASSAGE_COLUMNS = ("layer_id", "place_id", "plan_id", "year", "line", "citation", "text")
_MAPPING = "\n".join(f"  {k} -> {v}" for k, v in FIELD_MAP.items())
NOTE = (
    "One shapefile per layer (<layer>.shp, hyphens of layer ids written as underscores); a "
    "layer whose places mix points, lines and areas is split by geometry family "
    "(<layer>_points.shp, _lines.shp, _polygons.shp): a shapefile holds one geometry type. "
    "Text is UTF-8 (.cpg); integers are 32-bit (Long).\n"
    "Field names (property -> shapefile field, at most 10 characters):\n"
    f"{_MAPPING}\n"
    "Text longer than 254 bytes is cut between characters and ends with '…'. The "
    "full policy text of every place is in passages.csv (place_id = the id field), "
    "and on the planmap site at detail_url. Text cells that begin with = + - @ or a tab/CR "
    "are prefixed with an apostrophe so spreadsheets do not run them as formulas."
)


def cut_bytes(text: str, limit: int = TEXT_BYTES) -> str:
    """Text within `limit` UTF-8 bytes, cut between characters and marked with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len("…".encode())
    out = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return out + "…"


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
          base_url: str | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="planmap-shp-") as tmp:
        folder = Path(tmp)
        passages_rows = []
        for lid in layer_ids:
            counts[lid] = 0
            for table in layer_tables(store, lid, crs, base_url):
                gdf = table.frame
                for pid, text in zip(gdf["id"], gdf["passages"], strict=True):
                    for p in json.loads(text):
                        passages_rows.append({"layer_id": lid, "place_id": pid,
                                              **{k: p[k] for k in PASSAGE_COLUMNS[2:]}})
                gdf = safe_frame(gdf.drop(columns=["passages"]), SPREADSHEET)
                for col in gdf.columns:
                    if is_text(gdf, col):
                        gdf[col] = gdf[col].map(
                            lambda v: cut_bytes(v) if isinstance(v, str) else v)
                counts[lid] += len(gdf)
                if table.family is None:
                    continue  # an empty layer: no geometry type to give a shapefile
                pyogrio.write_dataframe(gdf.rename(columns=FIELD_MAP),
                                        folder / f"{table.name}.shp",
                                        driver="ESRI Shapefile", encoding="UTF-8")
        passages = pd.DataFrame(passages_rows, columns=list(PASSAGE_COLUMNS))
        safe_frame(passages, SPREADSHEET).to_csv(folder / "passages.csv", index=False,
                                                 encoding="utf-8-sig")
        (folder / "README.txt").write_text(
            readme_text(store, layer_ids, FORMAT, crs, counts, base_url), encoding="utf-8")
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
