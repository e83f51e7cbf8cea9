"""The HTML pages: the atlas, one place, one plan, one layer.

Handlers gather data from the app's store (layers.protocol.PlanStore) and hand plain values to
Jinja templates with autoescaping on: no document or data text is ever marked safe, so a name or a
paragraph containing `<script>` is shown as text.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from geo import geometry_out
from geo.crs_names import WGS84
from geo.gazetteer import Place
from layers.protocol import PlanStore
from webmap import downloads, i18n, maps
from webmap.api import layer_summary, place_json
from webmap.page_cache import cached_page
from webmap.permalink import PARAMS, parse_view, with_query
from webmap.sources import get_store

blueprint = Blueprint("pages", __name__)


def page_context(lang: str, **extra: Any) -> dict[str, Any]:
    other = "en" if lang == "zh" else "zh"
    query = {**request.args.to_dict(), "lang": other}
    return {
        "lang": lang,
        "t": i18n.strings(lang),
        "kind_label": lambda k: i18n.kind_label(k, lang),
        "precision_label": lambda p: i18n.precision_label(p, lang),
        "other_lang_url": with_query(
            url_for(request.endpoint or "pages.atlas", **(request.view_args or {})), query),
        "lang_q": "?lang=en" if lang == "en" else "",
        **extra,
    }


def _layers(store: PlanStore, lang: str) -> list[dict[str, Any]]:
    return [maps.layer_config(layer_summary(store, layer), lang) for layer in store.layers]


def atlas_config(args: Any, lang: str, *, chrome: bool = True) -> dict[str, Any]:
    """The atlas's map configuration for a permalink; `chrome=False` drops the page controls.

    The atlas and /embed both call this, so one link shows one view in both.
    """
    store = get_store()
    layers = [layer for layer in _layers(store, lang) if layer["group"] != "plan"]
    view = parse_view(args, {layer["id"] for layer in layers}, current_app.config["MAX_ZOOM"])
    if view.place is not None:
        store.place_record(view.place)  # an unknown place is a 404, not a silent empty popup
    config = maps.base_config(lang)
    defaults = [layer.id for layer in store.layers if layer.default_visible
                and layer.group != "plan"]
    config.update(
        layers=layers,
        visible=view.layers if view.layers is not None else defaults,
        place=view.place,
        control=chrome,
        legend=True,
        search=chrome,
        permalink=chrome,
    )
    if view.center:
        config["center"] = view.center
    if view.zoom is not None:
        config["zoom"] = view.zoom
    if view.basemap:
        config["basemap"] = view.basemap
    if config["basemap"] not in {b["id"] for b in config["basemaps"]}:
        config["basemap"] = "vector"
    return config


@blueprint.get("/")
@cached_page(*PARAMS)
def atlas():
    lang = i18n.choose_lang()
    m = maps.build_map(atlas_config(request.args, lang))
    return render_template("atlas.html", map=maps.map_parts(m), **page_context(lang))


def _passages_by_plan(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Passages come in time order; group consecutive ones of the same plan."""
    groups = []
    for plan_id, group in groupby(passages, key=lambda p: p["plan_id"]):
        items = list(group)
        groups.append({
            "plan_id": plan_id,
            "plan_title": items[0].get("plan_title", plan_id),
            "year": items[0].get("year"),
            "passages": [dict(p, segments=_segments(p["text"], p.get("mentions", [])))
                         for p in items],
        })
    return groups


def _segments(text: str, spans: list[list[int]]) -> list[tuple[str, bool]]:
    """Text cut into (piece, is_mention) so the template can mark mentions without |safe."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < pos or end > len(text):
            continue
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _place_link(place: Place, lang: str) -> dict[str, Any]:
    return {"id": place.id, "name": place.label, "kind": i18n.kind_label(place.kind, lang),
            "located": place.geometry is not None}


@blueprint.get("/places/<place_id>")
@cached_page("lang")
def place_page(place_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    record = place_json(store, place_id, WGS84)
    gaz = store.gazetteer
    layer_ids = {layer.id: layer for layer in store.layers}
    related: dict[str, list[dict[str, str]]] = {"parent": [], "children": [], "same_layer": []}
    if record.get("parent") and record["parent"] in gaz:
        related["parent"].append(_place_link(gaz.get(record["parent"]), lang))
    related["children"] = [_place_link(p, lang) for p in gaz.children(place_id)]
    same: list[dict[str, Any]] = []
    for lid in record.get("layers", []):
        layer = layer_ids.get(lid)
        if layer is None or layer.group != "structure":
            continue
        names = [f["properties"] for f in store.features(lid)
                 if f["properties"].get("id") != place_id]
        same.append({"layer": layer.title[lang], "layer_id": lid, "places": names})
    config = maps.base_config(lang)
    if record.get("geometry"):
        config.update(
            inline={"type": "FeatureCollection", "features": [{
                "type": "Feature", "id": place_id, "geometry": record["geometry"],
                "properties": {"id": place_id, "name": record.get("name"),
                               "precision": record.get("precision"),
                               "kind": record.get("kind")}}]},
            fit=True,
        )
    m = maps.build_map(config)
    layers = [{"id": lid, "title": layer_ids[lid].title[lang]}
              for lid in record.get("layers", []) if lid in layer_ids]
    return render_template(
        "place.html",
        place=record,
        groups=_passages_by_plan(record.get("passages", [])),
        related=related,
        same=same,
        layers=layers,
        map=maps.map_parts(m),
        **page_context(lang),
    )


@blueprint.get("/plans/<plan_id>")
@cached_page("lang")
def plan_page(plan_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    document = store.plan_document(plan_id)
    paragraphs = [{"line": p.line, "citation": p.citation, "heading": p.heading,
                   "segments": p.segments()} for p in document.paragraphs]
    place_ids = store.plan_places(plan_id)
    gaz = store.gazetteer
    named = [_place_link(gaz.get(pid), lang) for pid in place_ids if pid in gaz]
    config = maps.base_config(lang)
    plan_layer = f"plan-{plan_id}"
    if any(layer.id == plan_layer for layer in store.layers):
        config.update(layers=[maps.layer_config(layer_summary(store, store.layer(plan_layer)),
                                                lang)], visible=[plan_layer], fit=True)
    else:
        features = [{"type": "Feature", "id": p.id, "geometry": geometry_out.geojson(p.geometry),
                     "properties": {"id": p.id, "name": p.label, "precision": p.precision,
                                    "kind": p.kind}}
                    for p in (gaz.get(pid) for pid in place_ids if pid in gaz)
                    if p.geometry is not None]
        config.update(inline={"type": "FeatureCollection", "features": features}, fit=True)
    m = maps.build_map(config)
    return render_template("plan.html", plan=document.meta, paragraphs=paragraphs,
                           outline=document.outline, named=named, map=maps.map_parts(m),
                           **page_context(lang))


@blueprint.get("/plans")
@cached_page("lang")
def plans_page():
    lang = i18n.choose_lang()
    return render_template("plans.html", plans=get_store().plans(), **page_context(lang))


@blueprint.get("/layers")
@cached_page("lang")
def layers_page():
    lang = i18n.choose_lang()
    store = get_store()
    return render_template("layers.html", layers=_layers(store, lang), **page_context(lang))


@blueprint.get("/layers/<layer_id>")
@cached_page("lang")
def layer_page(layer_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    layer = store.layer(layer_id)
    summary = layer_summary(store, layer)
    features = [f["properties"] for f in store.features(layer_id)]
    config = maps.base_config(lang)
    config.update(layers=[maps.layer_config(summary, lang)], visible=[layer_id], fit=True)
    m = maps.build_map(config)
    return render_template(
        "layer.html",
        layer=layer,
        summary=summary,
        features=features,
        downloads=downloads.links(layer_id),
        map=maps.map_parts(m),
        **page_context(lang),
    )


