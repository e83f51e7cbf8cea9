"""The vector basemap drawn from the project's own data, shared by the atlas and the figures.

With no tiles (intranets, print), a map still needs its context: Beijing's districts, the
Haidian outline, and the located rivers, rail, roads and stations of the gazetteer. The atlas
serves it as GeoJSON and the figures draw it in EPSG:4548; both take it from here so they always
agree.

These functions read the files each time they are called: the store (layers.protocol) keeps the
result, once per store, so nothing here outlives the data it was read from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from geo.errors import DataError
from geo.gazetteer import Gazetteer
from geo.paths import data_dir

HAIDIAN_ADCODE = "110108"
LINE_KINDS = ("water", "rail", "road", "station")  # gazetteer kinds the basemap draws
# drawing order: areas first, then water under rail under roads, stations on top
ROLE_ORDER = {"district": 1, "haidian": 2, "water": 3, "rail": 4, "road": 5, "station": 6}
LABELLED_POINTS = frozenset({"station"})  # point roles whose names are shown (at high zoom)


@dataclass(frozen=True)
class BasemapFeature:
    role: str  # district | haidian | water | rail | road | station
    name: str
    name_en: str
    geometry: BaseGeometry  # WGS-84
    place_id: str = ""  # the gazetteer entry drawn ("" for the district extract)

    @cached_property
    def label_at(self) -> Point | None:
        """Where a label sits: inside an area, halfway along a line (its longest part), at a
        station. Other points carry no label: their marker is small."""
        geom = self.geometry
        if self.role in LABELLED_POINTS:
            return geom.centroid if geom.geom_type == "MultiPoint" else geom
        if geom.geom_type in {"Polygon", "MultiPolygon"}:
            return geom.representative_point()
        if geom.geom_type in {"LineString", "MultiLineString"}:
            line = geom if geom.geom_type == "LineString" else max(geom.geoms,
                                                                   key=lambda g: g.length)
            return line.interpolate(0.5, normalized=True)
        return None


def _districts(directory: Path) -> tuple[BasemapFeature, ...]:
    path = directory / "boundaries" / "beijing-districts.geojson"
    if not path.exists():
        return ()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path.name}: not valid JSON ({exc})") from None
    out = []
    for f in raw.get("features", []):
        p = f.get("properties") or {}
        if p.get("level") != "district":  # the city outline is the districts' union
            continue
        role = "haidian" if p.get("adcode") == HAIDIAN_ADCODE else "district"
        out.append(BasemapFeature(role, str(p.get("name", "")), str(p.get("name_en") or ""),
                                  shape(f["geometry"])))
    return tuple(out)


def haidian_outline(directory: Path | None = None,
                    features: tuple[BasemapFeature, ...] | None = None) -> BaseGeometry | None:
    """Haidian's outline: from basemap features already read (a store's), else from the
    boundary file of `directory` (default: the data directory)."""
    for f in features if features is not None else _districts(directory or data_dir()):
        if f.role == "haidian":
            return f.geometry
    return None


def basemap_features(gazetteer: Gazetteer, directory: Path | None = None
                     ) -> tuple[BasemapFeature, ...]:
    """Districts (from the boundary extract; the gazetteer's district entries stand in when it
    is absent), then the gazetteer's located lines. Area-only entries are left out: a copy of
    an area is not a river or a road."""
    out = list(_districts(directory or data_dir()))
    if not out:
        for p in gazetteer:
            if p.kind == "district" and p.geometry is not None:
                role = "haidian" if p.id == "haidianqu" else "district"
                out.append(BasemapFeature(role, p.label, p.name_en, p.geometry, p.id))
    for p in gazetteer:
        if p.kind in LINE_KINDS and p.geometry is not None and p.precision != "area-only":
            out.append(BasemapFeature(p.kind, p.label, p.name_en, p.geometry, p.id))
    out.sort(key=lambda f: ROLE_ORDER[f.role])
    return tuple(out)
