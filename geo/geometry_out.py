"""How a geometry leaves planmap: rounded to what its coordinates can honestly claim and with
polygon rings oriented as RFC 7946 asks. Every writer (GeoJSON API, OGC API, exports, the
gazetteer files) goes through here, so a place has the same coordinates in every format.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

# Decimal places: 7 for degrees (about 1 cm, enough for data stored at 6 after a datum shift),
# 3 for metres; display-only outlines (the basemap's districts) keep 5 (about 1 m).
DEGREE_DECIMALS = 7
METRE_DECIMALS = 3
DISPLAY_DECIMALS = 5
# The gazetteer files store 6 decimals (about 0.1 m), snapped to this grid so that shared borders
# stay shared; writers round the data further only for output.
STORAGE_GRID = 1e-6


def rounded(geom: BaseGeometry, decimals: int = DEGREE_DECIMALS) -> BaseGeometry:
    """Coordinates rounded half-to-even to `decimals` places, vertex by vertex (no snapping to a
    grid that could merge vertices or change topology)."""
    return shapely.transform(geom, lambda xy: xy.round(decimals))


def oriented(geom: BaseGeometry) -> BaseGeometry:
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946 section 3.1.6)."""
    return shapely.orient_polygons(geom, exterior_cw=False)


def for_output(geom: BaseGeometry, decimals: int = DEGREE_DECIMALS) -> BaseGeometry:
    """The geometry as every writer emits it: rounded, then oriented."""
    return oriented(rounded(geom, decimals))


def geojson(geom: BaseGeometry | None, decimals: int = DEGREE_DECIMALS) -> dict[str, Any] | None:
    """A GeoJSON geometry object (or None) as every writer emits it."""
    if geom is None:
        return None
    return dict(mapping(for_output(geom, decimals)))


def point_xy(point: Any, decimals: int = DEGREE_DECIMALS) -> list[float]:
    """[x, y] of a shapely point, rounded like the geometries around it."""
    return [round(float(point.x), decimals), round(float(point.y), decimals)]
