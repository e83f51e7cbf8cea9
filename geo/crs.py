"""Coordinate systems: WGS-84 for storage, EPSG:4548 for measuring, GCJ-02/BD-09 for overlays on
Chinese web maps.

GCJ-02 (AMap, Tencent) and BD-09 (Baidu, GCJ-02 shifted once more) are obfuscation algorithms, not
pyproj CRSs, so they are applied vertex by vertex with `prcoords`; the inverses are iterative
(`*_bored`, round trip under 2 mm in Haidian), because the one-step inverses drift by about two
metres. The providers apply them in mainland China only: Hong Kong, Macao, Taiwan and every other
country are drawn in plain WGS-84. Where that is decided by the real outline of mainland China
(`data/boundaries/china-mainland.geojson`, extracted by scripts/extract_china_outline.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import prcoords
import shapely
from pyproj import Geod, Transformer
from shapely import transform
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.paths import PROJECT_ROOT

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
GK117 = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E: the measuring CRS for Beijing
GK39 = "EPSG:4527"  # the same zone with the zone number 39 before the easting (survey data)
WEB_MERCATOR = "EPSG:3857"
GCJ02 = "GCJ-02"
BD09 = "BD-09"

# Shipped with the code, not with the district's data: PLANMAP_DATA does not move it.
MAINLAND_FILE = PROJECT_ROOT / "data" / "boundaries" / "china-mainland.geojson"

_GEOD = Geod(ellps="GRS80")

_Shift = Callable[[prcoords.Coords], prcoords.Coords]
_FORWARD: dict[str, _Shift] = {
    GCJ02: lambda c: prcoords.wgs_gcj(c, False),
    BD09: lambda c: prcoords.wgs_bd(c, False),
}
_INVERSE: dict[str, _Shift] = {
    GCJ02: lambda c: prcoords.gcj_wgs_bored(c, False),
    BD09: lambda c: prcoords.bd_wgs_bored(c, False),
}
OFFSET_CRSES: frozenset[str] = frozenset(_FORWARD)


@lru_cache(maxsize=1)
def mainland_china() -> BaseGeometry:
    """Mainland China (no Hong Kong, Macao, Taiwan), prepared for fast `intersects`."""
    data = json.loads(MAINLAND_FILE.read_text(encoding="utf-8"))
    geom = shape(data["features"][0]["geometry"])
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _vertexwise(geom: BaseGeometry, func: _Shift) -> BaseGeometry:
    def apply(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        for i, (lon, lat) in enumerate(coords[:, :2]):
            c = func(prcoords.Coords(lat, lon))
            out[i, 0], out[i, 1] = c.lon, c.lat
        return out

    return transform(geom, apply)


def offset(geom: BaseGeometry, crs: str) -> BaseGeometry:
    """WGS-84 → GCJ-02 or BD-09. A geometry wholly outside mainland China is returned as it is
    (as AMap and Baidu draw it); one that reaches into it is shifted whole, so it is never torn
    at the border."""
    if not geom.intersects(mainland_china()):
        return geom
    return _vertexwise(geom, _FORWARD[crs])


def unoffset(geom: BaseGeometry, crs: str) -> BaseGeometry:
    """GCJ-02 or BD-09 → WGS-84 (iterative; millimetres in Beijing). The border test is made on
    the offset coordinates: half a kilometre of doubt along the border only."""
    if not geom.intersects(mainland_china()):
        return geom
    return _vertexwise(geom, _INVERSE[crs])


def wgs84_to_gcj02(geom: BaseGeometry) -> BaseGeometry:
    return offset(geom, GCJ02)


def gcj02_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    return unoffset(geom, GCJ02)


def project(geom: BaseGeometry, dst: str, src: str = WGS84) -> BaseGeometry:
    """Reproject between pyproj CRSs; GCJ-02 and BD-09 are handled as the special cases they
    are (through WGS-84)."""
    if src == dst:
        return geom
    if dst in OFFSET_CRSES:
        return offset(project(geom, WGS84, src), dst)
    if src in OFFSET_CRSES:
        return project(unoffset(geom, src), dst, WGS84)
    t = _transformer(src, dst)
    return transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def area_km2(geom: BaseGeometry) -> float:
    """Area measured in EPSG:4548, the figure planners quote."""
    return project(geom, GK117).area / 1e6


def length_km(geom: BaseGeometry) -> float:
    """Length measured in EPSG:4548 (perimeter for polygons)."""
    return project(geom, GK117).length / 1e3


def geodesic_area_km2(geom: BaseGeometry) -> float:
    """Area on the GRS80 ellipsoid, as a cross-check of the projected figure."""
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6
