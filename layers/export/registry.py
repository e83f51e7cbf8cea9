"""The download formats, one record each (layers.export.formats.ExportFormat), and the names a
user may give a format or a CRS. The CLI (`planmap export`), the web downloads and the docs test
all read this table; CRS names come from geo.crs_names, as everywhere else."""

from __future__ import annotations

from geo.crs_names import CRSES, CrsDef, parse_crs
from geo.errors import BadRequest
from layers.export import csv_wkt, flatgeobuf, geojson, geopackage, kml, shapefile, style_files
from layers.export.formats import ExportFormat

# In the order offered to users.
FORMATS: dict[str, ExportFormat] = {
    f.id: f
    for f in (geojson.FORMAT, geopackage.FORMAT, kml.FORMAT, csv_wkt.FORMAT, shapefile.FORMAT,
              flatgeobuf.FORMAT, style_files.QML, style_files.SLD)
}
_BY_NAME: dict[str, ExportFormat] = {
    name: f for f in FORMATS.values() for name in (f.id, *f.aliases)
}


def export_format(name: str | ExportFormat) -> ExportFormat:
    """The format a user named (`gpkg`, `.gpkg`, `GeoPackage`…); BadRequest listing the choices."""
    if isinstance(name, ExportFormat):
        return name
    found = _BY_NAME.get(name.strip().lower().lstrip("."))
    if found is None:
        raise BadRequest(f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    return found


def export_crs(name: str | CrsDef | None) -> CrsDef:
    """The CRS a user named, in any spelling geo.crs_names accepts (`EPSG:4548`, `4548`, the OGC
    URI, `gcj02`, `GCJ-02`, `wgs84`…); WGS-84 when none is given. The CLI and the web downloads
    both call this, so a spelling works the same on both and fails with the same words."""
    if isinstance(name, CrsDef):
        return name
    try:
        return parse_crs(name)
    except BadRequest:
        short = ", ".join(c.param for c in CRSES)
        raise BadRequest(f"unknown CRS {name!r} (choose from {short}; EPSG:n, the OGC URI and "
                         "names such as wgs84 or GCJ-02 work too)") from None


def offered() -> list[tuple[ExportFormat, CrsDef]]:
    """Every (format, CRS) pair shown to users, in order (a style once, in WGS-84)."""
    return [(f, crs) for f in FORMATS.values() for crs in CRSES if f.listed(crs)]
