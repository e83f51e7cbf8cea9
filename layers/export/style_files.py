"""The styles alone, as downloads: a QGIS style (.qml) and an OGC SLD 1.1 (.sld) per table,
named like the table (`parks.qml`, `heritage_points.qml`), so QGIS applies a .qml found beside
a shapefile or FlatGeobuf of the same name. A layer of one geometry family is one file; a layer
that mixes them, or several layers, a ZIP. The coordinate system does not change a style."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from geo.crs_names import CrsDef
from layers.export import gis_styles
from layers.export.files import zip_folder
from layers.export.formats import ExportFormat
from layers.export.frames import layer_tables
from layers.export.metadata import family_title
from layers.protocol import PlanStore


def _writer(kind: str):
    def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
              base_url: str | None) -> dict[str, int]:
        files: dict[str, str] = {}
        counts: dict[str, int] = {}
        for lid in layer_ids:
            layer = store.layer(lid)
            tables = layer_tables(store, lid, crs, base_url)
            counts[lid] = sum(len(t.frame) for t in tables)
            for t in tables:
                if kind == "qml":
                    files[f"{t.name}.qml"] = gis_styles.qml(layer.style, t.family)
                else:
                    title = (f"{layer.title['zh']}{family_title(t, 'zh')} / "
                             f"{layer.title['en']}{family_title(t, 'en')}")
                    files[f"{t.name}.sld"] = gis_styles.sld(layer.style, t.family, t.name, title)
        if len(files) == 1 and path.suffix != ".zip":
            path.write_text(next(iter(files.values())), encoding="utf-8")
            return counts
        with tempfile.TemporaryDirectory(prefix="planmap-styles-") as tmp:
            for name, text in files.items():
                (Path(tmp) / name).write_text(text, encoding="utf-8")
            zip_folder(Path(tmp), path)
        return counts

    return write


QML = ExportFormat(
    id="qml",
    title="QGIS style (.qml) of the atlas look, per layer and geometry type",
    extension=".qml",
    media_type="application/xml",
    multi_layer=True,
    write=_writer("qml"),
    table_files=True,
    style_only=True,
)
SLD = ExportFormat(
    id="sld",
    title="OGC SLD 1.1 style of the atlas look, per layer and geometry type",
    extension=".sld",
    media_type="application/vnd.ogc.sld+xml",
    multi_layer=True,
    write=_writer("sld"),
    table_files=True,
    style_only=True,
)
