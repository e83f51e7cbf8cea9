"""The GeoJSON bodies the API serves: slim layers, the vector basemap, and their GCJ-02 twins.

Each body is serialised once per (store version, id, crs) with its ETag and gzip form, because
the atlas fetches every visible layer on each page load and the bodies only change when the data
does; the bodies are kept in the app's cache (webmap.sources.app_cache), never the process's.
GCJ-02 bodies exist for one reason: AMap tiles are drawn in GCJ-02, so overlays on them must be
shifted (by geo.crs, which owns that arithmetic) or they land about 540 m off. Coordinates are
written as geo.geometry_out writes them everywhere (7 decimals, RFC 7946 orientation); the
basemap's display-only district outlines keep 5.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from geo import geometry_out
from geo.crs import wgs84_to_gcj02
from geo.crs_names import GCJ02, WGS84, CrsDef, parse_crs
from geo.errors import BadRequest
from layers.protocol import PlanStore
from webmap.sources import app_cache

# What /api answers in: WGS-84 for everything, GCJ-02 for overlays on AMap tiles.
API_CRSES: tuple[CrsDef, ...] = (WGS84, GCJ02)
SLIM = ("id", "name", "name_en", "kind", "precision", "layer", "mention_count")


@dataclass(frozen=True)
class Body:
    data: bytes
    gzipped: bytes
    etag: str


def make_body(obj: Any) -> Body:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Body(data, gzip.compress(data, 6, mtime=0), hashlib.sha1(data).hexdigest()[:20])


def check_crs(crs: str | None) -> CrsDef:
    """`?crs=` in any spelling geo.crs_names knows (4326, EPSG:4326, wgs84, gcj02, GCJ-02, the
    URI); a CRS the API does not answer in is a 400 naming the ones it does."""
    try:
        return parse_crs(crs, default=WGS84, offered=API_CRSES)
    except BadRequest as exc:
        raise BadRequest(f"{exc.message} (the JSON API answers in WGS-84 or GCJ-02; the layer "
                         "downloads also offer 4490 and 4548)") from None


def _in_crs(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    return wgs84_to_gcj02(geom) if crs is GCJ02 else geom


def geometry_json(geometry: dict | None, crs: CrsDef,
                  decimals: int = geometry_out.DEGREE_DECIMALS) -> dict | None:
    """A WGS-84 GeoJSON geometry as the API writes it in `crs`."""
    if geometry is None:
        return None
    return geometry_out.geojson(_in_crs(shape(geometry), crs), decimals)


def slim_feature(feature: dict, crs: CrsDef) -> dict:
    props = feature.get("properties") or {}
    return {
        "type": "Feature",
        "id": feature.get("id", props.get("id")),
        "geometry": geometry_json(feature.get("geometry"), crs),
        "properties": {k: props.get(k) for k in SLIM if k in props},
    }


def layer_body(store: PlanStore, layer_id: str, crs: CrsDef) -> Body:
    cache = app_cache("layer-bodies")
    key = (store.version, layer_id, crs.id)
    body = cache.get(key)
    if body is None:
        fc = store.feature_collection(layer_id)
        features = [slim_feature(f, crs) for f in fc.get("features", []) if f.get("geometry")]
        body = cache[key] = make_body({"type": "FeatureCollection", "features": features})
    return body


# ---------------------------------------------------------------- the vector basemap

def basemap_collection(store: PlanStore, crs: CrsDef = WGS84) -> dict:
    """The store's vector basemap as GeoJSON, each feature with its label point. District
    outlines keep 5 decimals (about a metre): they are most of the bytes and only drawn."""
    features = []
    for f in store.basemap_features():
        outline = f.role in {"district", "haidian"}
        decimals = geometry_out.DISPLAY_DECIMALS if outline else geometry_out.DEGREE_DECIMALS
        at = f.label_at
        features.append({
            "type": "Feature",
            "geometry": geometry_out.geojson(_in_crs(f.geometry, crs), decimals),
            "properties": {
                "role": f.role, "name": f.name, "name_en": f.name_en,
                "label_at": None if at is None else geometry_out.point_xy(
                    _in_crs(Point(at.x, at.y), crs)),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def basemap_body(store: PlanStore, crs: CrsDef) -> Body:
    cache = app_cache("basemap-bodies")
    key = (store.version, crs.id)
    body = cache.get(key)
    if body is None:
        body = cache[key] = make_body(basemap_collection(store, crs))
    return body
