"""FlatGeobuf: one file per table (a layer, or one per geometry family of a layer that mixes
them, named as the GeoPackage tables), with a spatial index; title and description in the
header. A single table is a bare .fgb (unless a .zip is asked for); several are a ZIP with a
README."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyogrio

from geo.crs_names import CrsDef
from layers.export.files import zip_folder
from layers.export.formats import ExportFormat
from layers.export.frames import Table, layer_tables
from layers.export.metadata import credit_note, crs_note, family_title, readme_text
from layers.export.safe_text import DATABASE, safe_frame
from layers.protocol import PlanStore


def _write_table(store: PlanStore, table: Table, crs: CrsDef, path: Path) -> None:
    layer = store.layer(table.layer_id)
    pyogrio.write_dataframe(
        safe_frame(table.frame, DATABASE), path, driver="FlatGeobuf", layer=table.name,
        layer_options={
            "TITLE": f"{layer.title['zh']}{family_title(table, 'zh')}",
            "DESCRIPTION": f"{layer.title['en']}{family_title(table, 'en')}. "
                           f"{layer.description['en']} {crs_note(crs)} "
                           f"{credit_note(store, [table.layer_id])}".rstrip(),
        },
    )


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
          base_url: str | None) -> dict[str, int]:
    tables = [t for lid in layer_ids for t in layer_tables(store, lid, crs, base_url)]
    counts = {lid: sum(len(t.frame) for t in tables if t.layer_id == lid) for lid in layer_ids}
    if len(tables) == 1 and path.suffix != ".zip":
        _write_table(store, tables[0], crs, path)
        return counts
    with tempfile.TemporaryDirectory(prefix="planmap-fgb-") as tmp:
        folder = Path(tmp)
        for table in tables:
            _write_table(store, table, crs, folder / f"{table.name}.fgb")
        (folder / "README.txt").write_text(
            readme_text(store, layer_ids, FORMAT, crs, counts, base_url), encoding="utf-8")
        zip_folder(folder, path)
    return counts


FORMAT = ExportFormat(
    id="fgb",
    title="FlatGeobuf (one file per layer and geometry type)",
    extension=".fgb",
    media_type="application/flatgeobuf",
    multi_layer=True,
    write=write,
    aliases=("flatgeobuf",),
    table_files=True,
    readme_note="FlatGeobuf holds one geometry type per file: a layer whose places mix points, "
                "lines and areas is written as <layer>_points.fgb, _lines.fgb, _polygons.fgb "
                "(hyphens of layer ids as underscores).",
)
