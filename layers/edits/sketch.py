"""What a reviewer reads of a geometry: its size and shape in words, how far a correction moves
it, and a small drawing of several geometries in one frame (the history page's mini maps).

The drawings are SVG path data computed here, so a page shows a revision's shape without a map
library, a basemap or a request: a list of twenty revisions costs twenty short strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import GK117, area_km2, length_km, project

Geometry = dict[str, Any]


def _shape(geometry: Geometry | None) -> BaseGeometry | None:
    if not geometry:
        return None
    geom = shape(geometry)
    return None if geom.is_empty else geom


def describe(geometry: Geometry | None) -> dict[str, Any] | None:
    """Type, number of parts and vertices, area (km²) or length (km), centre (lon, lat)."""
    geom = _shape(geometry)
    if geom is None:
        return None
    family = geom.geom_type.replace("Multi", "")
    centre = geom.representative_point() if family == "Polygon" else geom.centroid
    return {
        "type": geom.geom_type,
        "parts": len(getattr(geom, "geoms", [geom])),
        "vertices": int(shapely.get_num_coordinates(geom)),
        "area_km2": round(area_km2(geom), 3) if family == "Polygon" else None,
        "length_km": round(length_km(geom), 3) if family == "LineString" else None,
        "centre": [round(centre.x, 6), round(centre.y, 6)],
    }


def moved_m(before: Geometry | None, after: Geometry | None) -> float | None:
    """How far the centre moves, in metres (EPSG:4548); None when either has no geometry."""
    a, b = _shape(before), _shape(after)
    if a is None or b is None:
        return None
    return round(float(project(a.centroid, GK117).distance(project(b.centroid, GK117))), 1)


def _ring(coords: Sequence[Sequence[float]], to_xy: Any, close: bool) -> str:
    points = [to_xy(x, y) for x, y, *_ in coords]
    text = "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points)
    return text + (" Z" if close else "")


def _path(geom: BaseGeometry, to_xy: Any, dot: float) -> str:
    parts = []
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type == "Point":
            x, y = to_xy(part.x, part.y)
            parts.append(f"M{x - dot:.1f} {y:.1f} a{dot} {dot} 0 1 0 {2 * dot} 0 "
                         f"a{dot} {dot} 0 1 0 {-2 * dot} 0")
        elif part.geom_type == "LineString":
            parts.append(_ring(part.coords, to_xy, False))
        elif part.geom_type == "Polygon":
            parts.append(" ".join(_ring(r.coords, to_xy, True)
                                  for r in (part.exterior, *part.interiors)))
    return " ".join(parts)


def sketch(geometries: Sequence[Geometry | None], width: int = 160, height: int = 120,
           pad: int = 8, dot: float = 3.0) -> list[str]:
    """SVG path data (`d`) of each geometry, all in one frame fitted to them together in a
    width × height box (y down, longitudes shortened by cos(latitude)); "" for none."""
    shapes = [_shape(g) for g in geometries]
    present = [s for s in shapes if s is not None]
    if not present:
        return ["" for _ in shapes]
    west, south, east, north = shapely.total_bounds(present)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 1e-5)
    span_y = max(north - south, 1e-5)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def to_xy(lon: float, lat: float) -> tuple[float, float]:
        return (off_x + (lon - west) * squeeze * scale, off_y + (north - lat) * scale)

    return [_path(s, to_xy, dot) if s is not None else "" for s in shapes]
