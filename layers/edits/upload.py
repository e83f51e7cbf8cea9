"""A geometry from an uploaded GIS file: GeoJSON, GeoPackage, zipped shapefile, KML or KMZ, in
any coordinate system planmap speaks (GCJ-02 and BD-09 included) or any the file declares.

Surveyors hand over their own files, and a file's CRS is often missing or wrong: GCJ-02 and
BD-09 coordinates copied from AMap or Baidu are routinely labelled WGS-84 (they are latitude and
longitude too, 500 m off). So the user may choose the CRS; the choice wins over a file that says
WGS-84 or nothing, and a file that names another CRS and a choice that contradicts it is refused
rather than guessed. The result is WGS-84 inside Beijing, checked like any drawn correction.

The file is read by GDAL (pyogrio) from a temporary folder, after its kind is recognised from its
first bytes (never from its name) and its size, the size of a zip's contents and the number of
features are bounded; every refusal is one line (`BadRequest`, or `TooLarge`: 413).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError
from shapely.geometry import MultiLineString, MultiPoint, mapping
from shapely.geometry.base import BaseGeometry

from geo import crs as crs_math
from geo.crs_names import BD09, CRSES, GCJ02, GK117, WGS84, CrsDef, parse_crs
from geo.errors import BadRequest, PlanmapError
from layers.edits.changes import check_geometry

MAX_BYTES = 10 * 1024 * 1024  # an uploaded file
MAX_UNZIPPED = 50 * 1024 * 1024  # what a zip may hold once unpacked
MAX_FEATURES = 2000
MAX_LAYERS = 20
MAX_VERTICES = 200_000
FORMATS = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "shp": "zipped shapefile",
           "kml": "KML", "kmz": "KMZ"}
_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.GeometryError, pyogrio.errors.FieldError,
                pyogrio.errors.FeatureError, pyogrio.errors.CRSError)


_TEMP_PATH = re.compile(r"(/vsizip/)?'?/[^ ']*planmap-upload-[^ ']*'?")


class TooLarge(PlanmapError):
    """An upload beyond the limits (bytes, unpacked bytes, features, vertices)."""

    http_status = 413
    code = "PayloadTooLarge"


@dataclass(frozen=True)
class Upload:
    """What was read: the geometry (GeoJSON, WGS-84, checked) and how it was read."""

    geometry: dict[str, Any]
    format: str
    crs: str  # the CRS the coordinates were read in (id, or the file's CRS name)
    crs_from: str  # "chosen", "file" or "default" (no CRS in the file: WGS-84)
    features: int  # features in the file
    used: int  # features that make the geometry
    moved_m: float  # how far reading it in WGS-84 moved its centre from the raw coordinates

    def as_dict(self) -> dict[str, Any]:
        return {"geometry": self.geometry, "format": self.format, "crs": self.crs,
                "crs_from": self.crs_from, "features": self.features, "used": self.used,
                "moved_m": round(self.moved_m, 1)}


def choices() -> list[CrsDef]:
    """The CRSs a user may choose for a file (the empty choice: the file's own)."""
    return list(CRSES)


def sniff(data: bytes) -> str:
    """The kind of file, from its first bytes."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "geojson"
    if head.startswith(b"<") and b"<kml" in data[:4096]:
        return "kml"
    raise BadRequest("the file is not GeoJSON, GeoPackage, a zipped shapefile, KML or KMZ")


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise BadRequest("the zip file cannot be read") from None
    if sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise TooLarge(f"the zip file unpacks to more than {MAX_UNZIPPED // 2**20} MB")
    names = [i.filename.lower() for i in infos if not i.is_dir()]
    shapefiles = [n for n in names if n.endswith(".shp")]
    if len(shapefiles) == 1:
        stem = shapefiles[0][:-4]
        missing = [ext for ext in (".dbf", ".shx") if stem + ext not in names]
        if missing:
            raise BadRequest(f"the zipped shapefile lacks its {' and '.join(missing)} file")
        return "shp"
    if len(shapefiles) > 1:
        raise BadRequest("the zip file holds several shapefiles: zip one")
    if any(n.endswith(".kml") for n in names):
        return "kmz"
    raise BadRequest("the zip file holds no shapefile (.shp with .dbf and .shx) and no KML")


def _path(folder: Path, kind: str, data: bytes) -> str:
    suffix = {"geojson": ".geojson", "gpkg": ".gpkg", "shp": ".zip", "kml": ".kml",
              "kmz": ".kmz"}[kind]
    path = folder / f"upload{suffix}"
    path.write_bytes(data)
    return f"/vsizip/{path}" if kind == "shp" else str(path)


def _file_crs(crs: CRS | None) -> CrsDef | CRS | None:
    """The file's CRS as one of ours where it is one (offset systems by their custom names),
    else pyproj's CRS; None when the file names none."""
    if crs is None:
        return None
    name = crs.name or ""
    for offset in (GCJ02, BD09):
        if offset.id in name:
            return offset
    epsg = crs.to_epsg(min_confidence=90)
    if epsg == 4326 or name in ("WGS 84", "WGS 84 (CRS84)"):
        return WGS84
    for known in CRSES:
        if known.id == f"EPSG:{epsg}":
            return known
    return crs


def _label(crs: CrsDef | CRS) -> str:
    return crs.id if isinstance(crs, CrsDef) else (crs.name or "the file's CRS")


def _source(chosen: CrsDef | None, declared: CrsDef | CRS | None) -> tuple[str | CRS, str,
                                                                              str]:
    """(CRS to read in, its name, where it came from)."""
    if chosen is None:
        if declared is None:
            return WGS84.id, WGS84.id, "default"
        src = declared.id if isinstance(declared, CrsDef) else declared
        return src, _label(declared), "file"
    if declared is None or declared is WGS84 or declared is chosen:
        return chosen.id, chosen.id, "chosen"
    raise BadRequest(f"the file says its coordinates are in {_label(declared)}, but "
                     f"{chosen.id} was chosen: choose the file's own CRS, or correct the file")


def _features(path: str) -> tuple[list[tuple[BaseGeometry, dict[str, Any]]], list[Any]]:
    """Every feature with a geometry, with its attributes, and the CRS of each layer."""
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except _GDAL_ERRORS as error:
        raise BadRequest(f"the file cannot be read as GIS data ({_first_line(error)})") from None
    if len(layers) > MAX_LAYERS:
        raise TooLarge(f"the file holds {len(layers)} layers; at most {MAX_LAYERS} are read")
    out: list[tuple[BaseGeometry, dict[str, Any]]] = []
    crses: list[Any] = []
    for layer in layers:
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, max_features=MAX_FEATURES + 1)
        except _GDAL_ERRORS as error:
            raise BadRequest(f"layer {layer!r} cannot be read ({_first_line(error)})") from None
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        if frame.empty:
            continue
        crses.append(frame.crs)
        attributes = frame.drop(columns=frame.geometry.name).to_dict("records")
        out.extend(zip(frame.geometry, attributes, strict=True))
        if len(out) > MAX_FEATURES:
            raise TooLarge(f"the file holds more than {MAX_FEATURES} features")
    if not out:
        raise BadRequest("the file holds no feature with a geometry")
    return out, crses


def _first_line(error: Exception) -> str:
    """GDAL's message, first sentence, without the temporary path it names."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else "unreadable"
    line = _TEMP_PATH.sub("the file", line).split("; ")[0].replace("the file not ", "not ")
    return line[:200]


def _pick(features: list[tuple[BaseGeometry, dict[str, Any]]], place_id: str | None,
          names: tuple[str, ...]) -> list[BaseGeometry]:
    """The features naming the place (by `id`, or `name` among its names) if some do, else
    all of them."""
    if len(features) > 1:
        named = [geom for geom, attrs in features
                 if (place_id and str(attrs.get("id") or "") == place_id)
                 or (names and str(attrs.get("name") or attrs.get("Name") or "") in names)]
        if named:
            return named
    return [geom for geom, _ in features]


def _family(geom: BaseGeometry) -> str:
    return {"Point": "point", "MultiPoint": "point", "LineString": "line",
            "MultiLineString": "line"}.get(geom.geom_type, "polygon")


def _combine(geoms: list[BaseGeometry]) -> BaseGeometry:
    """One geometry of one family: a place is a point, a line or an area, possibly in parts."""
    geoms = [shapely.force_2d(g) for g in geoms]
    families = {_family(g) for g in geoms}
    if len(families) > 1 or any(g.geom_type == "GeometryCollection" for g in geoms):
        raise BadRequest("the file mixes points, lines and areas; a place is one of them: "
                         "upload only the features of the place")
    if len(geoms) == 1:
        return geoms[0]
    family = families.pop()
    if family == "polygon":
        return shapely.union_all(geoms)
    parts = [p for g in geoms for p in getattr(g, "geoms", [g])]
    return MultiPoint(parts) if family == "point" else MultiLineString(parts)


def read_geometry(data: bytes, crs_choice: str | None = None, place_id: str | None = None,
                  names: tuple[str, ...] = ()) -> Upload:
    """The geometry of an uploaded file, in WGS-84 and checked (inside Beijing, valid).

    `crs_choice`: a CRS spelling (`gcj02`, `4548`, …), or empty/`auto` for the file's own.
    With several features, those whose `id` is `place_id` or whose `name` is one of `names`
    are taken if there are any, else all; they must be of one family (points, lines, areas).
    """
    if len(data) > MAX_BYTES:
        raise TooLarge(f"the file is larger than {MAX_BYTES // 2**20} MB")
    if not data:
        raise BadRequest("the file is empty")
    choice = (crs_choice or "").strip()
    chosen = None if choice.lower() in ("", "auto") else parse_crs(choice)
    kind = sniff(data)
    with tempfile.TemporaryDirectory(prefix="planmap-upload-") as folder:
        features, crses = _features(_path(Path(folder), kind, data))
    declared_all = {repr(_file_crs(c)) for c in crses}
    if len(declared_all) > 1:
        raise BadRequest("the file's layers are in different CRSs: upload one layer")
    declared = _file_crs(crses[0])
    src, label, where = _source(chosen, declared)
    raw = _combine(_pick(features, place_id, names))
    if shapely.get_num_coordinates(raw) > MAX_VERTICES:
        raise TooLarge(f"the geometry has more than {MAX_VERTICES} vertices")
    try:
        wgs84 = crs_math.project(raw, WGS84.id, src=src if isinstance(src, str)
                                 else src.to_wkt())
    except ProjCRSError as error:
        raise BadRequest(f"the file's CRS cannot be used ({_first_line(error)})") from None
    try:
        checked = check_geometry(dict(mapping(wgs84)))
    except BadRequest as error:
        if where != "chosen" and max(abs(v) for v in raw.bounds) > 360:
            raise BadRequest("the coordinates are metres, not degrees, and the file names no "
                             "CRS that fits them: choose the file's CRS") from None
        raise BadRequest(f"read in {label}, the {error.message[0].lower()}{error.message[1:]};"
                         " is that the file's CRS?") from None
    assert checked is not None
    return Upload(geometry=checked, format=FORMATS[kind], crs=label, crs_from=where,
                  features=len(features), used=len(_pick(features, place_id, names)),
                  moved_m=_moved(raw, wgs84, src))


def _moved(raw: BaseGeometry, wgs84: BaseGeometry, src: str | CRS) -> float:
    """Metres between the raw centre read as longitude/latitude and the converted centre: the
    ~550 m a GCJ-02 file is shifted back by in Beijing (0 for projected input)."""
    geographic = src in (WGS84.id, GCJ02.id, BD09.id) or (
        isinstance(src, CRS) and src.is_geographic) or (
        isinstance(src, str) and src in {c.id for c in CRSES if c.geographic})
    if not geographic:
        return 0.0
    a = crs_math.project(raw.centroid, GK117.id)
    b = crs_math.project(wgs84.centroid, GK117.id)
    return float(a.distance(b))
