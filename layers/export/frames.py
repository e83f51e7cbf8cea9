"""A layer as the tables every writer starts from: one row per place, properties in the order of
FEATURE_PROPERTIES (+ `excerpts`, `detail_url`), geometry projected and rounded for the target
CRS, places outside a projection's area of use left out, and, for the formats that hold one
geometry type per table, one table per geometry family."""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import geopandas as gpd
import pandas as pd
from shapely import box
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84, project
from geo.crs_names import CrsDef
from geo.errors import BadRequest
from geo.geometry_out import for_output
from layers.excerpts import excerpts_text
from layers.protocol import PlanStore
from layers.store import FEATURE_PROPERTIES

INTEGER_COLUMNS = ("error_m", "mention_count", "first_year", "last_year")
FLAT_EXTRA = ("excerpts", "detail_url")
# A projected CRS is meant for its area of use; a place reaching a little beyond is kept (the
# municipality of Beijing reaches 115.42°E, 0.08° west of EPSG:4548's zone), one further out is
# left out of the export and counted.
AREA_MARGIN_DEG = 0.1
# Geometry family of each type, in the order tables are written; names are plural as in
# `heritage_points`.
FAMILIES = {"Point": "points", "MultiPoint": "points", "LineString": "lines",
            "MultiLineString": "lines", "Polygon": "polygons", "MultiPolygon": "polygons"}
FAMILY_ORDER = ("points", "lines", "polygons")

# Projected geometries of each store, kept as long as the store lives: (place id, crs id) ->
# geometry. Plan layers repeat places, and the GCJ-02 shift is computed vertex by vertex.
_PROJECTED: weakref.WeakKeyDictionary[PlanStore, dict[tuple[str, str], BaseGeometry]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class Table:
    """One table (GeoPackage) or file (FlatGeobuf, shapefile) of one geometry family."""

    layer_id: str
    name: str
    family: str | None  # None: an empty layer, whose table has no features to type it
    frame: gpd.GeoDataFrame
    split: bool = False  # one of several tables of a layer that mixes geometry families


def table_name(layer_id: str) -> str:
    """GeoPackage table and shapefile name of a layer: ArcGIS accepts only letters, digits and
    underscores in table names, so the layer id's hyphens become underscores."""
    return layer_id.replace("-", "_")


def check_base_url(base_url: str | None) -> str | None:
    """The site address `detail_url` starts with, without a trailing slash; BadRequest unless
    it is an http(s) address with a host."""
    if base_url is None or not base_url.strip():
        return None
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise BadRequest(f"base URL {base_url!r} is not an http(s) address such as "
                         "https://planmap.example.org")
    return base_url.strip().rstrip("/")


def detail_url(base_url: str | None, place_id: str) -> str | None:
    """The place page, absolute (a file leaves the site it came from); None with no base URL."""
    if base_url is None:
        return None
    return f"{base_url}/places/{quote(place_id, safe='')}"


def _area(crs: CrsDef) -> BaseGeometry | None:
    if crs.geographic or crs.area_of_use is None:
        return None
    return box(*crs.area_of_use).buffer(AREA_MARGIN_DEG, join_style="mitre")


def in_area_of_use(geom: BaseGeometry, crs: CrsDef) -> bool:
    area = _area(crs)
    return area is None or geom.within(area)


def left_out(store: PlanStore, layer_id: str, crs: CrsDef) -> list[str]:
    """Ids of the layer's places outside `crs`'s area of use: not exported in it."""
    if _area(crs) is None:
        return []
    return [f["id"] for f in store.features(layer_id)
            if not in_area_of_use(shape(f["geometry"]), crs)]


def _kept(store: PlanStore, layer_id: str, crs: CrsDef) -> list[dict]:
    out = set(left_out(store, layer_id, crs))
    return [f for f in store.features(layer_id) if f["id"] not in out]


def _geometry(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    """Projected, then rounded and oriented as every planmap writer emits geometries.

    Places wholly outside mainland China stay unshifted in GCJ-02/BD-09 (geo.crs), as AMap and
    Baidu draw them."""
    return for_output(project(geom, crs.id, WGS84), crs.decimals)


def frame_crs(crs: CrsDef) -> str:
    """The CRS a GeoDataFrame (and so the file GDAL writes) carries: the EPSG code, or the
    named custom definition of an offset system."""
    return crs.wkt or crs.pyproj


def layer_frame(store: PlanStore, layer_id: str, crs: CrsDef, nested: bool = True,
                base_url: str | None = None) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in the target CRS, without the places outside its area of
    use.

    nested=True keeps plans/years/passages as lists (GeoJSON); otherwise they are flattened:
    plans and years as comma-separated text, passages as JSON text, plus `excerpts`. Every
    frame has `detail_url` (None without a base URL).
    """
    feats = _kept(store, layer_id, crs)
    rows = []
    for f in feats:
        props = {k: f["properties"].get(k) for k in FEATURE_PROPERTIES}
        if not nested:
            props["plans"] = ", ".join(props["plans"])
            props["years"] = ", ".join(str(y) for y in props["years"])
            props["excerpts"] = excerpts_text(props["passages"])
            props["passages"] = json.dumps(props["passages"], ensure_ascii=False)
        props["detail_url"] = detail_url(base_url, f["id"])
        rows.append(props)
    columns = [*FEATURE_PROPERTIES, *(FLAT_EXTRA if not nested else ("detail_url",))]
    frame = pd.DataFrame(rows, columns=columns)
    for col in INTEGER_COLUMNS:
        # 32-bit: GDAL writes them as Integer (a shapefile N(9,0), ArcGIS's Long), not
        # Integer64 (N(18,0), which ArcGIS reads as Double).
        frame[col] = pd.array(frame[col], dtype="Int32")
    cache = _PROJECTED.setdefault(store, {})
    geoms = []
    for f in feats:
        key = (f["id"], crs.id)
        if key not in cache:
            cache[key] = _geometry(shape(f["geometry"]), crs)
        geoms.append(cache[key])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index),
                            crs=frame_crs(crs))


def families(store: PlanStore, layer_id: str, crs: CrsDef) -> list[str]:
    """The geometry families of the layer's places exported in `crs`, in FAMILY_ORDER."""
    found = {FAMILIES[f["geometry"]["type"]] for f in _kept(store, layer_id, crs)}
    return [fam for fam in FAMILY_ORDER if fam in found]


def table_names(store: PlanStore, layer_id: str, crs: CrsDef) -> list[str]:
    """The tables (files) a layer is written as: its own name when its places are of one
    geometry family (or none), `<name>_points`, `_lines`, `_polygons` when they mix."""
    found = families(store, layer_id, crs)
    if len(found) <= 1:
        return [table_name(layer_id)]
    return [f"{table_name(layer_id)}_{fam}" for fam in found]


def layer_tables(store: PlanStore, layer_id: str, crs: CrsDef, base_url: str | None = None
                 ) -> list[Table]:
    """The layer's flat frame, one Table per geometry family (named as table_names says)."""
    frame = layer_frame(store, layer_id, crs, nested=False, base_url=base_url)
    names = table_names(store, layer_id, crs)
    kinds = frame.geometry.geom_type.map(FAMILIES)
    found = [fam for fam in FAMILY_ORDER if (kinds == fam).any()]
    if not found:
        return [Table(layer_id, names[0], None, frame)]
    return [Table(layer_id, name, fam, frame[kinds == fam].reset_index(drop=True),
                  split=len(found) > 1)
            for name, fam in zip(names, found, strict=True)]
