"""Layer downloads: every format × CRS that layers.export writes, served as files.

layers.export owns the writing (GDAL through pyogrio) and refuses impossible combinations
(KML in metres); this module lists the combinations for the layer page, runs the export once per
(layer, format, CRS) into a per-app cache directory, and serves the file with its media type and
a sensible file name.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, send_file, url_for

from geo.errors import BadRequest
from webmap.sources import get_store

blueprint = Blueprint("downloads", __name__)

MIMETYPES = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv",
    "shp": "application/zip",
    "fgb": "application/flatgeobuf",
}
# short URL spelling -> what layers.export.normalise_crs accepts
CRS_PARAMS = {"4326": "EPSG:4326", "4490": "EPSG:4490", "4548": "EPSG:4548", "gcj02": "GCJ-02"}
_lock = threading.Lock()


def _export_module() -> Any:
    from layers import export

    return export


def combinations() -> list[tuple[str, str]]:
    """(format, crs param) pairs offered: every pair layers.export accepts."""
    export = _export_module()
    out = []
    for fmt in export.FORMATS:
        for crs_param, crs in CRS_PARAMS.items():
            if fmt == "kml" and crs == export.GK117:
                continue  # KML is longitude/latitude by definition
            out.append((fmt, crs_param))
    return out


def links(layer_id: str) -> list[dict[str, Any]]:
    export = _export_module()
    return [
        {
            "format": fmt,
            "format_title": export.FORMATS[fmt],
            "crs": CRS_PARAMS[crs],
            "crs_title": export.CRSES.get(CRS_PARAMS[crs], CRS_PARAMS[crs]),
            "url": url_for("downloads.download", layer_id=layer_id, fmt=fmt, crs=crs),
        }
        for fmt, crs in combinations()
    ]


def _cache_dir() -> Path:
    ext = current_app.extensions
    if "planmap.downloads" not in ext:
        ext["planmap.downloads"] = Path(tempfile.mkdtemp(prefix="planmap-downloads-"))
    return ext["planmap.downloads"]


@blueprint.get("/layers/<layer_id>/download.<fmt>")
def download(layer_id: str, fmt: str):
    from flask import request

    export = _export_module()
    store = get_store()
    store.layer(layer_id)
    if fmt not in export.FORMATS:
        raise BadRequest(f"unknown format {fmt!r} (choose from {', '.join(export.FORMATS)})")
    crs_param = request.args.get("crs", "4326")
    if crs_param not in CRS_PARAMS:
        raise BadRequest(f"unknown crs {crs_param!r} (choose from {', '.join(CRS_PARAMS)})")
    suffix = export.EXTENSIONS[fmt]
    name = f"{layer_id}-{crs_param}{suffix}"
    path = _cache_dir() / name
    with _lock:
        if not path.exists():
            export.export(store, [layer_id], fmt, CRS_PARAMS[crs_param], path)
    return send_file(path, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name,
                     max_age=current_app.config["CACHE_MAX_AGE"])
