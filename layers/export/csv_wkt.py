"""CSV with WKT geometry: what a spreadsheet user opens. One layer per file, UTF-8 with a BOM
so Excel reads the Chinese, GDAL's `.csvt` column types and `.prj` beside it, and every text cell
a spreadsheet would run as a formula defused (layers.export.safe_text). GCJ-02 and BD-09 are
refused: the .prj is the only place a CSV can name them, and it is easily lost."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyogrio

from geo.crs_names import CRSES, CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame
from layers.export.safe_text import SPREADSHEET, safe_frame
from layers.protocol import PlanStore

CSV_NOTE = (
    "CSV: geometry as WKT in the first column; plans and years comma-separated; passages as "
    "JSON text; text cells that begin with = + - @ or a tab/CR are prefixed with an apostrophe "
    "so spreadsheets do not run them as formulas. UTF-8 with a byte-order mark, so Excel "
    "reads the Chinese text correctly. The coordinate system is in the .prj file beside it."
)


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
          base_url: str | None) -> dict[str, int]:
    (lid,) = layer_ids
    gdf = safe_frame(layer_frame(store, lid, crs, nested=False, base_url=base_url), SPREADSHEET)
    pyogrio.write_dataframe(gdf, path, driver="CSV", layer=lid,
                            layer_options={"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES",
                                           "WRITE_BOM": "YES"})
    return {lid: len(gdf)}


FORMAT = ExportFormat(
    id="csv",
    title="CSV with WKT geometry (formula-injection safe)",
    extension=".csv",
    media_type="text/csv",
    multi_layer=False,
    write=write,
    readme_note=CSV_NOTE,
    readme_beside=True,
    refuses=tuple(c.id for c in CRSES if c.offset),
    refusal="CSV declares its coordinate system only in a .prj beside it, which a download or "
            "a spreadsheet loses, so a GCJ-02 or BD-09 CSV would be taken for WGS-84 (gpkg, shp "
            "and fgb carry it as a named CRS)",
)
