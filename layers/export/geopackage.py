"""GeoPackage: every requested layer in one file, one table per layer and geometry family
(ArcGIS-safe table names; `heritage_points`, `heritage_polygons` for a layer that mixes them, so
QGIS and GDAL type every table right), the `layer_metadata` table with titles, descriptions, CRS
notes and what was left out, and QGIS's `layer_styles` table, so QGIS opens each table styled as
the atlas draws it. GCJ-02/BD-09 are written as a named custom CRS (geo.crs_names.CrsDef.wkt)
registered under the organisation `planmap`."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyogrio

from geo.crs_names import CRSES, CrsDef
from layers.export import gis_styles
from layers.export.formats import ExportFormat
from layers.export.frames import Table, layer_tables
from layers.export.metadata import credit_note, crs_note, family_title, layer_metadata
from layers.export.safe_text import DATABASE, safe_frame
from layers.protocol import PlanStore

# Our number for each offset system in gpkg_spatial_ref_sys (organization = "planmap").
OFFSET_CODES = {c.id: i for i, c in enumerate((c for c in CRSES if c.offset), start=1)}
GEOMETRY_COLUMN = "geom"

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


def _style_row(store: PlanStore, table: Table) -> dict[str, object]:
    """A row of QGIS's layer_styles table (the columns QGIS creates it with)."""
    layer = store.layer(table.layer_id)
    title = f"{layer.title['zh']}{family_title(table, 'zh')} / " \
            f"{layer.title['en']}{family_title(table, 'en')}"
    return {
        "f_table_catalog": "", "f_table_schema": "", "f_table_name": table.name,
        "f_geometry_column": GEOMETRY_COLUMN, "styleName": table.name,
        "styleQML": gis_styles.qml(layer.style, table.family),
        "styleSLD": gis_styles.sld(layer.style, table.family, table.name, title),
        "useAsDefault": True, "description": f"planmap atlas style: {title}",
        "owner": "", "ui": None, "update_time": datetime.now(UTC).replace(tzinfo=None),
    }


def _label_offset_srs(path: Path, crs: CrsDef) -> None:
    """Register the custom CRS GDAL wrote (organization NONE) as planmap's, with a description
    saying what it is for: what QGIS and ogrinfo show beside the name."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "UPDATE gpkg_spatial_ref_sys SET organization = 'planmap', "
            "organization_coordsys_id = ?, description = ? WHERE srs_name = ?",
            (OFFSET_CODES[crs.id], crs_note(crs), f"{crs.id} ({crs.overlay_for} overlay; "
                                                  "not WGS-84)"))


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
          base_url: str | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    styles = []
    with _unsynchronised():
        first = True
        for lid in layer_ids:
            layer = store.layer(lid)
            counts[lid] = 0
            for table in layer_tables(store, lid, crs, base_url):
                # GeoPackage 1.2 so that older GDAL (Debian's 3.6), QGIS and ArcGIS open it
                # without a version warning.
                pyogrio.write_dataframe(
                    safe_frame(table.frame, DATABASE), path, driver="GPKG", layer=table.name,
                    dataset_options={"VERSION": "1.2"} if first else None,
                    layer_options={
                        "IDENTIFIER": f"{layer.title['zh']}{family_title(table, 'zh')} "
                                      f"({table.name})",
                        "DESCRIPTION": f"{layer.title['en']}{family_title(table, 'en')}. "
                        f"{layer.description['en']} {crs_note(crs)} "
                        f"{credit_note(store, [lid])}".rstrip(),
                        "GEOMETRY_NAME": GEOMETRY_COLUMN,
                    },
                )
                first = False
                counts[lid] += len(table.frame)
                styles.append(_style_row(store, table))
        meta = layer_metadata(store, layer_ids, crs, counts)
        pyogrio.write_dataframe(meta, path, driver="GPKG", layer="layer_metadata")
        frame = pd.DataFrame(styles)
        frame["useAsDefault"] = frame["useAsDefault"].astype(bool)
        pyogrio.write_dataframe(frame, path, driver="GPKG", layer="layer_styles")
    if crs.offset:
        _label_offset_srs(path, crs)
    return counts


FORMAT = ExportFormat(
    id="gpkg",
    title="GeoPackage: all layers in one file, a table per geometry type, QGIS styles",
    extension=".gpkg",
    media_type="application/geopackage+sqlite3",
    multi_layer=True,
    write=write,
    aliases=("geopackage",),
)
