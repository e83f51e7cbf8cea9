"""GeoPackage: every requested layer in one file, one table each (ArcGIS-safe table names),
plus the `layer_metadata` table with titles, descriptions, CRS notes and styles."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyogrio

from geo.crs_names import CrsDef
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame, table_name
from layers.export.metadata import credit_note, crs_note, layer_metadata
from layers.protocol import PlanStore

# OGR_SQLITE_SYNCHRONOUS is a process-wide GDAL setting, and exports run in parallel threads
# (web downloads): it is switched off while any GeoPackage is being written and restored after
# the last one.
_sync_guard = threading.Lock()
_sync_writers = 0
_sync_previous: str | None = None


@contextmanager
def _unsynchronised() -> Iterator[None]:
    """SQLite need not fsync after every table: the file is private until export() moves it
    into place (three times faster for --all)."""
    global _sync_writers, _sync_previous
    with _sync_guard:
        if _sync_writers == 0:
            _sync_previous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
            pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
        _sync_writers += 1
    try:
        yield
    finally:
        with _sync_guard:
            _sync_writers -= 1
            if _sync_writers == 0:
                pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": _sync_previous})


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path
          ) -> dict[str, int]:
    counts: dict[str, int] = {}
    with _unsynchronised():
        for i, lid in enumerate(layer_ids):
            gdf = layer_frame(store, lid, crs, nested=False)
            layer = store.layer(lid)
            # GeoPackage 1.2 so that older GDAL (Debian's 3.6), QGIS and ArcGIS open it
            # without a version warning.
            pyogrio.write_dataframe(
                gdf, path, driver="GPKG", layer=table_name(lid),
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                layer_options={
                    "IDENTIFIER": f"{layer.title['zh']} ({lid})",
                    "DESCRIPTION": f"{layer.title['en']}. {layer.description['en']} "
                    f"{crs_note(crs)} {credit_note(store, [lid])}".rstrip(),
                },
            )
            counts[lid] = len(gdf)
        meta = layer_metadata(store, layer_ids, crs, counts)
        pyogrio.write_dataframe(meta, path, driver="GPKG", layer="layer_metadata")
    return counts


FORMAT = ExportFormat(
    id="gpkg",
    title="GeoPackage: all layers in one file + layer_metadata table",
    extension=".gpkg",
    media_type="application/geopackage+sqlite3",
    multi_layer=True,
    write=write,
    aliases=("geopackage",),
)
