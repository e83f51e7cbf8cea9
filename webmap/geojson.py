"""The GeoJSON bodies the API serves: slim layers, the vector basemap, and their GCJ-02 twins.

Each body is serialised once per (store, id, crs) with its ETag and gzip form, because the atlas
fetches every visible layer on each page load and the bodies only change when the data does.
GCJ-02 bodies exist for one reason: AMap tiles are drawn in GCJ-02, so overlays on them must be
shifted (by geo.crs, which owns that arithmetic) or they land about 540 m off.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shapely.geometry import mapping, shape

from geo.crs import wgs84_to_gcj02
from geo.errors import BadRequest, DataError
from geo.gazetteer import default_gazetteer
from geo.paths import data_dir

CRS_CHOICES = ("wgs84", "gcj02")
SLIM = ("id", "name", "name_en", "kind", "precision", "layer", "mention_count")


@dataclass(frozen=True)
class Body:
    data: bytes
    gzipped: bytes
    etag: str


def make_body(obj: Any) -> Body:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Body(data, gzip.compress(data, 6, mtime=0), hashlib.sha1(data).hexdigest()[:20])


def check_crs(crs: str | None) -> str:
    crs = (crs or "wgs84").lower()
    if crs not in CRS_CHOICES:
        raise BadRequest(f"crs must be one of {', '.join(CRS_CHOICES)}, not {crs!r}")
    return crs


def _round(coords: Any, decimals: int = 6) -> Any:
    """6 decimals (~0.1 m) for data; the basemap's display-only outlines use 5 (~1 m)."""
    if isinstance(coords, (int, float)):
        return round(float(coords), decimals)
    return [_round(c, decimals) for c in coords]


def shifted(geometry: dict | None, crs: str) -> dict | None:
    """The geometry as GeoJSON in the requested datum (WGS-84 unchanged)."""
    if geometry is None or crs == "wgs84":
        return geometry
    moved = mapping(wgs84_to_gcj02(shape(geometry)))
    return {"type": moved["type"], "coordinates": _round(moved["coordinates"])}


def slim_feature(feature: dict, crs: str) -> dict:
    props = feature.get("properties") or {}
    return {
        "type": "Feature",
        "id": feature.get("id", props.get("id")),
        "geometry": shifted(feature.get("geometry"), crs),
        "properties": {k: props.get(k) for k in SLIM if k in props},
    }


@lru_cache(maxsize=256)
def layer_body(store: Any, layer_id: str, crs: str) -> Body:
    fc = store.feature_collection(layer_id)
    features = [slim_feature(f, crs) for f in fc.get("features", []) if f.get("geometry")]
    return make_body({"type": "FeatureCollection", "features": features})


# ---------------------------------------------------------------- the vector basemap

BASEMAP_KINDS = {"road": "road", "water": "water", "rail": "rail"}


def _district_features() -> list[dict]:
    path = data_dir() / "boundaries" / "beijing-districts.geojson"
    out = []
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path.name}: not valid JSON ({exc})") from None
        for f in raw.get("features", []):
            p = f.get("properties") or {}
            if p.get("level") != "district":  # the city outline is the districts' union
                continue
            role = "haidian" if p.get("adcode") == "110108" else "district"
            geometry = {"type": f["geometry"]["type"],
                        "coordinates": _round(f["geometry"]["coordinates"], 5)}
            out.append(_basemap_feature(geometry, role, p.get("name", ""), p.get("name_en")))
        return out
    # Before the boundaries are committed: the gazetteer's own district entries.
    for place in default_gazetteer():
        if place.kind == "district" and place.geometry is not None:
            role = "haidian" if place.id in {"haidianqu", "haidian"} else "district"
            out.append(_basemap_feature(mapping(place.geometry), role, place.label, place.name_en))
    return out


def _basemap_feature(geometry: dict, role: str, name: str, name_en: str | None) -> dict:
    """A basemap feature with the point its label sits on: inside an area, halfway along a
    line (the longest part of a multi-line); points carry no label (their marker is small)."""
    geom = shape(geometry)
    point = None
    if geom.geom_type in {"Polygon", "MultiPolygon"}:
        point = geom.representative_point()
    elif geom.geom_type in {"LineString", "MultiLineString"}:
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        point = line.interpolate(0.5, normalized=True)
    label_at = [round(point.x, 6), round(point.y, 6)] if point is not None else None
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"role": role, "name": name, "name_en": name_en or "", "label_at": label_at},
    }


def basemap_collection() -> dict:
    """Beijing's districts, Haidian's outline, and the gazetteer's located roads, rail and water."""
    features = _district_features()
    for place in default_gazetteer():
        role = BASEMAP_KINDS.get(place.kind)
        if role and place.geometry is not None and place.precision != "area-only":
            features.append(_basemap_feature(mapping(place.geometry), role, place.label,
                                              place.name_en))
    order = {"city": 0, "district": 1, "haidian": 2, "water": 3, "rail": 4, "road": 5}
    features.sort(key=lambda f: order[f["properties"]["role"]])
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=4)
def basemap_body(crs: str) -> Body:
    fc = basemap_collection()
    if crs != "wgs84":
        fc = {
            "type": "FeatureCollection",
            "features": [
                {**f, "geometry": shifted(f["geometry"], crs),
                 "properties": {**f["properties"], "label_at": _shift_point(
                     f["properties"]["label_at"], crs)}}
                for f in fc["features"]
            ],
        }
    return make_body(fc)


def _shift_point(point: list[float] | None, crs: str) -> list[float] | None:
    if point is None:
        return None
    moved = shifted({"type": "Point", "coordinates": point}, crs)
    return moved["coordinates"] if moved else None
