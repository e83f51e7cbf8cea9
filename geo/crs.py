"""Coordinate systems: WGS-84 for storage, EPSG:4548 for measuring, GCJ-02 for AMap overlays.

GCJ-02 is an obfuscation algorithm, not a pyproj CRS, so it is applied vertex by vertex with
`prcoords`; its inverse is iterative (`gcj_wgs_bored`, round trip under 2 mm in Haidian), because
the one-step inverses drift by about two metres.
"""

from __future__ import annotations

from functools import lru_cache

import prcoords
from pyproj import Geod, Transformer
from shapely import box, transform
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
GK117 = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E: the measuring CRS for Beijing
GCJ02 = "GCJ-02"

_GEOD = Geod(ellps="GRS80")

# prcoords' own "in China" box (sanity_in_china_p). GCJ-02 exists only there: AMap draws the
# rest of the world in WGS-84, and the formula applied far away gives nonsense shapes.
CHINA_BOX = box(72.004, 0.8293, 137.8347, 55.8271)


@lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _vertexwise(geom: BaseGeometry, func) -> BaseGeometry:
    def apply(coords):
        out = coords.copy()
        for i, (lon, lat) in enumerate(coords[:, :2]):
            c = func(prcoords.Coords(lat, lon))
            out[i, 0], out[i, 1] = c.lon, c.lat
        return out

    return transform(geom, apply)


def wgs84_to_gcj02(geom: BaseGeometry) -> BaseGeometry:
    """Shift WGS-84 lon/lat to GCJ-02. A geometry wholly outside China is returned as it is;
    one that reaches into China is shifted whole, so it is never torn at the border."""
    if not geom.intersects(CHINA_BOX):
        return geom
    return _vertexwise(geom, lambda c: prcoords.wgs_gcj(c, False))


def gcj02_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """Exact-enough inverse of the GCJ-02 shift (iterative; millimetres in Beijing)."""
    if not geom.intersects(CHINA_BOX):
        return geom
    return _vertexwise(geom, lambda c: prcoords.gcj_wgs_bored(c, False))


def project(geom: BaseGeometry, dst: str, src: str = WGS84) -> BaseGeometry:
    """Reproject between pyproj CRSs; GCJ-02 is handled as the special case it is."""
    if src == dst:
        return geom
    if dst == GCJ02:
        return wgs84_to_gcj02(project(geom, WGS84, src))
    if src == GCJ02:
        return project(gcj02_to_wgs84(geom), dst, WGS84)
    t = _transformer(src, dst)
    return transform(geom, lambda xy: _stack(t.transform(xy[:, 0], xy[:, 1])))


def _stack(xy):
    import numpy as np

    return np.column_stack(xy)


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
