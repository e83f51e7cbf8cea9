"""The geometric operations behind the derived areas, each with its convention stated once.

Distances are taken in EPSG:4548 (metres), so township cells are fair in distance and band
offsets are true widths. Results are finished to the gazetteer's conventions (6 decimals, valid,
polygons only where a polygon is meant) and written in a form that does not depend on the
GEOS version: an overlay may start a ring at any vertex, so polygonal output is normalised
(each ring starting at its lowest vertex, parts in a fixed order) before it is oriented.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import orient, substring, unary_union

from geo.crs import GK117, WGS84, project
from geo.geometry_out import STORAGE_GRID, for_output

DECIMALS = 6
POLYGONAL = ("Polygon", "MultiPolygon")
GEOMETRY_TYPE = {"Point": "point", "MultiPoint": "point", "LineString": "line",
                 "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}


def finish(geom: BaseGeometry) -> BaseGeometry:
    """Snapped to the 6-decimal grid, made valid, and stripped of the points and slivers of line
    an overlay can leave beside a polygon."""
    geom = shapely.set_precision(geom, STORAGE_GRID)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        geom = unary_union([g for g in geom.geoms if g.geom_type in POLYGONAL])
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    return geom


def geojson(geom: BaseGeometry) -> dict[str, Any]:
    """The GeoJSON geometry as the gazetteer stores it. Lines keep their direction and part
    order (a measure may name part [0]); polygons are normalised so the same area is always
    written with the same bytes."""
    geom = shapely.set_precision(geom, STORAGE_GRID)
    if geom.geom_type in POLYGONAL:
        geom = shapely.normalize(geom)
    return dict(mapping(for_output(geom, DECIMALS)))


def voronoi_cells(seats: Sequence[tuple[str, Point]], district: BaseGeometry,
                  ) -> dict[str, BaseGeometry]:
    """The cell of each name (the part of the district nearer to one of its points than to any
    point of another name): a unit known by several points gets the union of their cells."""
    district_m = project(district, GK117)
    points = [(name, project(p, GK117)) for name, p in seats]
    cells = shapely.voronoi_polygons(MultiPoint([p for _, p in points]),
                                     extend_to=district_m.buffer(5000))
    parts: dict[str, list[BaseGeometry]] = {}
    for name, pm in points:
        parts.setdefault(name, []).append(next(c for c in cells.geoms if c.contains(pm)))
    return {name: finish(project(shapely.union_all(cs).intersection(district_m), WGS84, GK117))
            for name, cs in parts.items()}


def cut(district: BaseGeometry, line: LineString, corner: str) -> BaseGeometry:
    """The part of the district on the `corner` side of a cut line.

    The line starts beyond the district's west or east border and ends beyond its north or south
    border; it is closed round that corner of the bounding box (0.1° out), so the polygon holds
    everything between the line and the corner.
    """
    coords = list(line.coords)
    minx, miny, maxx, maxy = district.bounds
    y_side, x_side = corner.split("-")
    cx = minx - 0.1 if x_side == "west" else maxx + 0.1
    cy = maxy + 0.1 if y_side == "north" else miny - 0.1
    side: BaseGeometry = Polygon([(cx, coords[0][1]), *coords, (coords[-1][0], cy), (cx, cy)])
    if not side.is_valid:
        side = shapely.make_valid(side)
    return finish(district.intersection(side))


def band(line: LineString, north_m: float, south_m: float) -> BaseGeometry:
    """A corridor band between two offsets of its centre line (flat ends).

    shapely offsets positive distances to the left of the line's direction; which side is north
    depends on whether the line was drawn eastward or westward, so that is read from its ends.
    """
    lm = project(line, GK117)
    westward = lm.coords[-1][0] < lm.coords[0][0]
    north_sign = -1.0 if westward else 1.0  # drawn westward, north is on the right
    north = list(lm.offset_curve(north_sign * north_m).coords)
    south = list(lm.offset_curve(-north_sign * south_m).coords)
    poly: BaseGeometry = Polygon([*north, *reversed(south)])
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    return project(poly, WGS84, GK117)


def clip_line(line: BaseGeometry, area: BaseGeometry) -> BaseGeometry:
    """The part of a line inside an area (the points where it only touches are dropped)."""
    out = line.intersection(area)
    if out.geom_type == "GeometryCollection":
        out = MultiLineString([g for g in out.geoms if g.geom_type == "LineString"])
    return shapely.set_precision(out, STORAGE_GRID)


def line_from(line: LineString, start: BaseGeometry) -> LineString:
    """The line from its point nearest `start` (a station, say) to its end, on the storage
    grid."""
    lm = project(line, GK117)
    at = lm.project(project(start, GK117))
    part = project(substring(lm, at, lm.length), WGS84, GK117)
    return shapely.set_precision(part, STORAGE_GRID)


def lines(parts: Sequence[BaseGeometry]) -> BaseGeometry:
    """One line, or the parts in the given order (their indices are what measures name)."""
    if len(parts) == 1:
        return parts[0]
    return MultiLineString(list(parts))
