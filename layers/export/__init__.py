"""Downloads: layers written in the formats and coordinate systems GIS users work in.

GeoPackage, shapefile, FlatGeobuf and CSV are written by geopandas/pyogrio (GDAL's drivers), so
what QGIS and ArcGIS read is what GDAL wrote; KML, QML and SLD are XML documents written with the
standard library, each checked against its readers in the tests. Each format is one module
holding its writer and its record (`ExportFormat`: id, title, extension, media type, several
layers per file or a ZIP of one file per layer, refused CRSs); `registry.FORMATS` lists them for
the CLI and the web downloads. Shared parts: `frames` (a layer as projected tables, one per
geometry family, places outside the CRS's area of use left out), `text` (excerpts),
`safe_text` (escaping and the formula guard, for every writer), `gis_styles` (QML/SLD),
`metadata` (CRS notes, README, layer_metadata), `run` (checks, temp folder, fsync, rename).

GCJ-02 and BD-09 are not pyproj CRSs: coordinates are shifted with geo.crs.project and written
with a named custom CRS (geo.crs_names.CrsDef.wkt) in the formats that can declare one; GeoJSON
and KML, which cannot, refuse them.
"""

from layers.excerpts import excerpt, excerpts_text
from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame, layer_tables, table_name, table_names
from layers.export.registry import FORMATS, export_crs, export_format, offered
from layers.export.run import ExportResult, export, output_suffix
from layers.export.safe_text import neutralise
from layers.export.shapefile import FIELD_MAP, cut_bytes

__all__ = [
    "FIELD_MAP",
    "FORMATS",
    "ExportFormat",
    "ExportResult",
    "cut_bytes",
    "excerpt",
    "excerpts_text",
    "export",
    "export_crs",
    "export_format",
    "layer_frame",
    "layer_tables",
    "neutralise",
    "offered",
    "output_suffix",
    "table_name",
    "table_names",
]
