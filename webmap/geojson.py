"""The GeoJSON bodies the API serves: slim layers, the vector basemap, in any offered CRS.

Each body is serialised once per (store version, id, crs) with its ETag and gzip form, because
the atlas fetches every visible layer on each page load and the bodies only change when the data
does; the bodies are kept in the app's cache (webmap.sources.app_cache), never the process's.
GCJ-02 bodies exist for one reason: AMap tiles are drawn in GCJ-02, so overlays on them must be
shifted (by geo.crs, which owns that arithmetic) or they land about 540 m off. The API takes the
same CRS spellings as the CLI and the downloads (geo.crs_names); a body in a CRS other than
WGS-84 is the pre-RFC 7946 GeoJSON with a `crs` member naming it, x always east. Coordinates are
written as geo.geometry_out writes them everywhere (7 decimals for degrees, 3 for metres, RFC 7946
orientation); the basemap's display-only district outlines keep 5.
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
from geo.crs import project
from geo.crs_names import CRSES, WGS84, CrsDef, parse_crs
from layers.protocol import PlanStore
from webmap.sources import app_cache

# What the atlas draws, labels, lists and filters by (plans and years: the atlas's filters).
SLIM = ("id", "name", "name_en", "kind", "precision", "layer", "mention_count", "plans", "years")


@dataclass(frozen=True)
class Body:
    data: bytes
    gzipped: bytes
    etag: str


def make_body(obj: Any) -> Body:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Body(data, gzip.compress(data, 6, mtime=0), hashlib.sha1(data).hexdigest()[:20])


def check_crs(crs: str | None) -> CrsDef:
    """`?crs=` in any spelling geo.crs_names knows (4548, EPSG:4548, the URI, gcj02, …); an
    unknown one is a 400 naming the choices."""
    return parse_crs(crs, default=WGS84, offered=CRSES)


def _in_crs(geom: BaseGeometry, crs: CrsDef) -> BaseGeometry:
    return project(geom, crs.id if crs.engine == "gcj02" else crs.pyproj)


def geometry_json(geometry: dict | None, crs: CrsDef, decimals: int | None = None
                  ) -> dict | None:
    """A WGS-84 GeoJSON geometry as the API writes it in `crs`."""
    if geometry is None:
        return None
    return geometry_out.geojson(_in_crs(shape(geometry), crs),
                                crs.decimals if decimals is None else decimals)


def crs_member(crs: CrsDef) -> dict[str, Any]:
    """The `crs` member of a body not in WGS-84, so no reader takes it for RFC 7946 GeoJSON."""
    if crs is WGS84:
        return {}
    name = crs.id if crs.engine != "pyproj" else "urn:ogc:def:crs:" + crs.id.replace(":", "::")
    return {"crs": {"type": "name", "properties": {"name": name}}}


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
        body = cache[key] = make_body({"type": "FeatureCollection", **crs_member(crs),
                                       "features": features})
    return body


# ---------------------------------------------------------------- the vector basemap

def basemap_collection(store: PlanStore, crs: CrsDef = WGS84) -> dict:
    """The store's vector basemap as GeoJSON, each feature with its label point. District
    outlines keep 5 decimals (about a metre): they are most of the bytes and only drawn."""
    features = []
    for f in store.basemap_features():
        outline = f.role in {"district", "haidian"}
        decimals = geometry_out.DISPLAY_DECIMALS if outline else crs.decimals
        if not crs.geographic and outline:
            decimals = 0  # a metre, like five decimals of a degree
        at = f.label_at
        features.append({
            "type": "Feature",
            "geometry": geometry_out.geojson(_in_crs(f.geometry, crs), decimals),
            "properties": {
                "role": f.role, "name": f.name, "name_en": f.name_en,
                "label_at": None if at is None else geometry_out.point_xy(
                    _in_crs(Point(at.x, at.y), crs), crs.decimals),
            },
        })
    return {"type": "FeatureCollection", **crs_member(crs), "features": features}


def basemap_body(store: PlanStore, crs: CrsDef) -> Body:
    cache = app_cache("basemap-bodies")
    key = (store.version, crs.id)
    body = cache.get(key)
    if body is None:
        body = cache[key] = make_body(basemap_collection(store, crs))
    return body
