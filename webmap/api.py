"""The JSON API the pages use and scripts may call: thin adapters over the app's store.

Every handler validates its parameters, asks the store, and shapes the answer; the store raises
the typed errors (NotFound, BadRequest) that webmap.errors turns into 4xx JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.corpus import PlanMeta
from geo.crs_names import CrsDef
from geo.errors import BadRequest
from geo.geometry_out import point_xy
from layers.definitions import LayerDef
from layers.protocol import PlanStore
from webmap import geojson
from webmap.page_cache import cached_page
from webmap.responses import cached
from webmap.sources import get_store

blueprint = Blueprint("api", __name__, url_prefix="/api")


def layer_summary(store: PlanStore, layer: LayerDef) -> dict[str, Any]:
    return {
        "id": layer.id,
        "title": dict(layer.title),
        "description": dict(layer.description),
        "group": layer.group,
        "theme": layer.theme,
        "theme_title": {lang: store.theme_title(layer.theme, lang) for lang in ("zh", "en")},
        "style": dict(layer.style),
        "default_visible": layer.default_visible,
        "defined_by": layer.defined_by,
        "url": url_for("api.layer_geojson", layer_id=layer.id),
        "page": url_for("pages.layer_page", layer_id=layer.id),
    }


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def anchor(geom: BaseGeometry) -> list[float]:
    """[lon, lat] of a point on the feature itself (a line's midpoint, a point inside a
    polygon), where a popup opens: a bbox centre can fall outside a bent road or a ring."""
    if geom.geom_type in {"LineString", "MultiLineString"}:
        merged = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        point = merged.interpolate(0.5, normalized=True)
    else:
        point = geom.representative_point()
    return point_xy(point)


def place_json(store: PlanStore, place_id: str, crs: CrsDef) -> dict[str, Any]:
    record = dict(store.place_record(place_id))
    geometry = geojson.geometry_json(record["geometry"], crs)
    record["geometry"] = geometry
    record["bbox"] = list(shape(geometry).bounds) if geometry else None
    record["anchor"] = anchor(shape(geometry)) if geometry else None
    record["crs"] = crs.id
    record["page"] = url_for("pages.place_page", place_id=place_id)
    return record


@blueprint.get("/layers")
@cached_page(per_lang=False)
def layers():
    store = get_store()
    return jsonify(layers=[layer_summary(store, layer) for layer in store.layers])


@blueprint.get("/layers/<layer_id>.geojson")
def layer_geojson(layer_id: str):
    crs = geojson.check_crs(request.args.get("crs"))
    store = get_store()
    store.layer(layer_id)  # NotFound before any work
    return cached(geojson.layer_body(store, layer_id, crs))


@blueprint.get("/basemap.geojson")
def basemap_geojson():
    crs = geojson.check_crs(request.args.get("crs"))
    return cached(geojson.basemap_body(get_store(), crs))


@blueprint.get("/places")
@cached_page("q", "limit", per_lang=False)
def places():
    q = request.args.get("q", "").strip()
    if not q:
        raise BadRequest("q is required: a name, alias, English name or pinyin")
    if len(q) > 100:
        raise BadRequest("q is longer than 100 characters")
    limit = int_arg("limit", current_app.config["SEARCH_LIMIT"], 1, 50)
    store = get_store()
    results = store.search(q, limit=limit)
    # nothing matched, not even a close spelling: the nearest names, as the CLI suggests
    nearest = [] if results else store.nearest(q, limit=min(limit, 5))
    for r in [*results, *nearest]:
        r["page"] = url_for("pages.place_page", place_id=r["id"])
    return jsonify(query=q, results=results, nearest=nearest)


@blueprint.get("/places/<place_id>")
@cached_page("crs", per_lang=False)
def place(place_id: str):
    crs = geojson.check_crs(request.args.get("crs"))
    return jsonify(place_json(get_store(), place_id, crs))


def plan_summary(meta: PlanMeta) -> dict[str, Any]:
    d = meta.as_dict()
    d["page"] = url_for("pages.plan_page", plan_id=meta.id)
    d["url"] = url_for("api.plan", plan_id=meta.id)
    return d


@blueprint.get("/plans")
@cached_page(per_lang=False)
def plans():
    return jsonify(plans=[plan_summary(meta) for meta in get_store().plans()])


@blueprint.get("/plans/<plan_id>")
@cached_page(per_lang=False)
def plan(plan_id: str):
    store = get_store()
    d = plan_summary(store.plan(plan_id))
    d["places"] = store.plan_places(plan_id)
    return jsonify(d)
