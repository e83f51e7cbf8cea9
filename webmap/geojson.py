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
from geo.errors import BadRequest
from geo.gazetteer import default_gazetteer
from layers.basemap import basemap_features

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

def basemap_collection() -> dict:
    """The shared vector basemap (layers.basemap) as GeoJSON, each feature with its label point.
    District outlines are rounded to 5 decimals (about a metre): they are most of the bytes."""
    features = []
    for f in basemap_features(default_gazetteer()):
        geometry = mapping(f.geometry)
        if f.role in {"district", "haidian"}:
            geometry = {"type": geometry["type"], "coordinates": _round(geometry["coordinates"], 5)}
        at = f.label_at
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"role": f.role, "name": f.name, "name_en": f.name_en,
                           "label_at": [round(at.x, 6), round(at.y, 6)] if at else None},
        })
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
