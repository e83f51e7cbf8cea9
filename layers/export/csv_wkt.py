"""CSV with WKT geometry: what a spreadsheet user opens. One layer per file, UTF-8 with a BOM
so Excel reads the Chinese, GDAL's `.csvt` column types beside it, and every text cell a
spreadsheet would run as a formula defused (layers.export.text.neutralise)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyogrio

from geo.crs_names import CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import is_text, layer_frame
from layers.export.text import neutralise
from layers.protocol import PlanStore

CSV_NOTE = (
    "CSV: geometry as WKT in the first column; plans and years comma-separated; passages as "
    "JSON text; text cells that begin with = + - @ or a tab/CR are prefixed with an apostrophe "
    "so spreadsheets do not run them as formulas. UTF-8 with a byte-order mark, so Excel "
    "reads the Chinese text correctly."
)


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path
          ) -> dict[str, int]:
    (lid,) = layer_ids
    gdf = layer_frame(store, lid, crs, nested=False)
    for col in gdf.columns:
        if is_text(gdf, col):
            gdf[col] = gdf[col].map(neutralise)
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
)
