"""Geometry families: one geometry type per published collection.

QGIS and GDAL type an OGC API layer by its first features and then skip or mis-file every
feature of another type, so a planmap layer that mixes points, lines and areas is published as
one collection per family. Within a family a collection still has a single type: when single
and multi parts mix (Polygon and MultiPolygon), every geometry is written as the multi type, so
a GeoPackage table made from it by `ogr2ogr` passes GDAL's own validator.

A place is filed by the geometry it is drawn with, not by what it is: an area-only place (drawn
as its area's polygon though the thing itself is a point) is a polygon here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

FAMILIES: tuple[str, ...] = ("points", "lines", "polygons")
FAMILY_OF: dict[str, str] = {
    "Point": "points", "MultiPoint": "points",
    "LineString": "lines", "MultiLineString": "lines",
    "Polygon": "polygons", "MultiPolygon": "polygons",
}
MULTI: dict[str, str] = {"Point": "MultiPoint", "LineString": "MultiLineString",
                         "Polygon": "MultiPolygon"}
# The words a collection title gets, and the JSON Schema format of OGC API Part 5
# (`format: geometry-point` …) for each single geometry type.
FAMILY_TITLES: dict[str, tuple[str, str]] = {
    "points": ("点", "points"), "lines": ("线", "lines"), "polygons": ("面", "areas"),
}
SCHEMA_FORMATS: dict[str, str] = {
    "Point": "geometry-point", "MultiPoint": "geometry-multipoint",
    "LineString": "geometry-linestring", "MultiLineString": "geometry-multilinestring",
    "Polygon": "geometry-polygon", "MultiPolygon": "geometry-multipolygon",
}


def family(geometry: Mapping | None) -> str | None:
    """"points", "lines" or "polygons" for a GeoJSON geometry; None when there is none.

    A GeometryCollection has no single family; planmap's gazetteer has none, and a store that
    did would be refused here rather than published under a type its features do not have.
    """
    if not geometry:
        return None
    kind = str(geometry.get("type"))
    if kind not in FAMILY_OF:
        raise ValueError(f"geometry type {kind} has no family (one type per collection)")
    return FAMILY_OF[kind]


def split_by_family(features: Sequence[Mapping]) -> dict[str, list[Mapping]]:
    """The features of each family present, in FAMILIES order. Features without a geometry go
    with the first family present (or form their own group, keyed "none", when no feature has
    a geometry), so none is lost."""
    groups: dict[str, list[Mapping]] = {}
    loose: list[Mapping] = []
    for f in features:
        fam = family(f.get("geometry"))
        if fam is None:
            loose.append(f)
        else:
            groups.setdefault(fam, []).append(f)
    ordered = {fam: groups[fam] for fam in FAMILIES if fam in groups}
    if loose:
        if ordered:
            first = next(iter(ordered))
            ordered[first] = ordered[first] + loose
        else:
            ordered["none"] = loose
    return ordered


def one_type(geometries: Sequence[BaseGeometry | None]) -> tuple[str | None, list]:
    """The single geometry type of a collection and its geometries in that type: unchanged when
    they already share one type, singles made multi when single and multi parts mix. Geometries
    of several families have no single type: (None, unchanged); the OGC catalog never publishes
    such a collection (it splits layers with `split_by_family` first)."""
    present = {g.geom_type for g in geometries if g is not None}
    if not present:
        return None, list(geometries)
    if len(present) == 1:
        return next(iter(present)), list(geometries)
    families = {FAMILY_OF[t] for t in present}
    if len(families) != 1:
        return None, list(geometries)
    multi = next(t for t in present if t.startswith("Multi"))
    out = [g if g is None or g.geom_type == multi else _as_multi(g, multi) for g in geometries]
    return multi, out


def _as_multi(geom: BaseGeometry, multi: str) -> BaseGeometry:
    if multi == "MultiPoint":
        return shapely.MultiPoint([geom])
    if multi == "MultiLineString":
        return shapely.MultiLineString([geom])
    return shapely.MultiPolygon([geom])
