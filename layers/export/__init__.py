"""Downloads: layers written in the formats and coordinate systems GIS users work in.

Every file is written by geopandas/pyogrio (GDAL's drivers), never by hand, so what QGIS and
ArcGIS read is what GDAL wrote. Each format is one module holding its writer and its record
(`ExportFormat`: id, title, extension, media type, several layers per file or a ZIP of one file
per layer, refused CRSs); `registry.FORMATS` lists them for the CLI and the web downloads.
Shared parts: `frames` (a layer as a projected GeoDataFrame), `text` (excerpts, the formula
guard), `metadata` (CRS notes, README, layer_metadata), `run` (checks, temp folder, rename).

GCJ-02 is not a pyproj CRS: coordinates are shifted with geo.crs.project and written as plain
lon/lat with no CRS, and each file says in its own metadata that they are GCJ-02.
"""

from layers.export.formats import ExportFormat
from layers.export.frames import layer_frame, table_name
from layers.export.registry import FORMATS, export_crs, export_format, offered
from layers.export.run import ExportResult, export
from layers.export.shapefile import FIELD_MAP, cut_bytes
from layers.export.text import excerpt, excerpts_text, neutralise

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
    "neutralise",
    "offered",
    "table_name",
]
