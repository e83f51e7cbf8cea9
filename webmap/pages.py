"""The HTML pages: the atlas, one place, one plan, one layer, and the lists of plans and layers.

Handlers gather data from the app's store (layers.protocol.PlanStore) and hand plain values to
Jinja templates with autoescaping on: no document or data text is ever marked safe, so a name or a
paragraph containing `<script>` is shown as text. A page is a function of the store, the language
and the query parameters only, so it can be cached per data version.

Data text keeps its own language: in the English interface a Chinese name, passage or heading is
shown as written and marked `lang="zh-CN"` (screen readers switch voice; the English-UI test
knows it is a quotation, not an untranslated label).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from geo import extents
from geo.crs_names import WGS84
from geo.gazetteer import Place
from layers import focus
from layers.protocol import PlanStore
from webmap import basemaps, downloads, i18n, maps
from webmap.api import layer_summary, place_json
from webmap.page_cache import cached_page
from webmap.page_parts import (
    cite,
    download_table,
    figure_links,
    plan_text,
    segments,
    show_name,
)
from webmap.permalink import PARAMS, parse_view, with_query
from webmap.sources import get_store

blueprint = Blueprint("pages", __name__)


def page_context(lang: str, **extra: Any) -> dict[str, Any]:
    other = "en" if lang == "zh" else "zh"
    query = {**request.args.to_dict(), "lang": other}
    return {
        "lang": lang,
        "t": i18n.strings(lang),
        "tx": lambda key, **values: i18n.text(key, lang, **values),
        "kind_label": lambda k: i18n.kind_label(k, lang),
        "precision_label": lambda p: i18n.precision_label(p, lang),
        "cite": lambda p: cite(p, lang),
        "other_lang_url": with_query(
            url_for(request.endpoint or "pages.atlas", **(request.view_args or {})), query),
        "lang_q": "?lang=en" if lang == "en" else "",
        "lang_amp": "&lang=en" if lang == "en" else "",
        **extra,
    }


def _layers(store: PlanStore, lang: str) -> list[dict[str, Any]]:
    return [maps.layer_config(layer_summary(store, layer), lang) for layer in store.layers]


def atlas_config(args: Any, lang: str, *, chrome: bool = True) -> dict[str, Any]:
    """The atlas's map configuration for a permalink; `chrome=False` drops the page controls.

    The atlas and /embed both call this, so one link shows one view in both.
    """
    store = get_store()
    layers = _layers(store, lang)
    view = parse_view(args, {layer["id"] for layer in layers}, current_app.config["MAX_ZOOM"],
                      basemaps.all_ids(current_app.config))
    if view.place is not None:
        store.place_record(view.place)  # an unknown place is a 404, not a silent empty popup
    config = maps.base_config(lang)
    defaults = [layer.id for layer in store.layers if layer.default_visible]
    config.update(
        layers=layers,
        visible=view.layers if view.layers is not None else defaults,
        place=view.place,
        # a link naming a place but no view (a place page's "show on the atlas") frames it
        fit_place=view.place is not None and view.center is None and view.zoom is None,
        plans=[{"id": p.id, "title": p.short_title or p.title, "year": p.year}
               for p in store.plans()],
        about=maps.about_config(lang) if chrome else None,
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


def passages_by_plan(store: PlanStore, passages: list[dict[str, Any]], lang: str
                     ) -> list[dict[str, Any]]:
    """Passages come in time order; group consecutive ones of the same plan."""
    groups = []
    for plan_id, group in groupby(passages, key=lambda p: p["plan_id"]):
        items = list(group)
        meta = store.plan(plan_id)
        groups.append({
            "plan_id": plan_id,
            "plan_title": plan_text(meta, lang)["short_title"],
            "year": items[0].get("year"),
            "passages": [dict(p, segments=segments(p["text"], p.get("mentions", [])))
                         for p in items],
        })
    return groups


def place_link(place: Place, lang: str) -> dict[str, Any]:
    name, name_lang = show_name(place.label, place.name_en, lang)
    return {"id": place.id, "name": name, "name_lang": name_lang,
            "kind": i18n.kind_label(place.kind, lang), "located": place.geometry is not None}


@blueprint.get("/places/<place_id>")
@cached_page("lang")
def place_page(place_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    record = place_json(store, place_id, WGS84)
    gaz = store.gazetteer
    layer_ids = {layer.id: layer for layer in store.layers}
    related: dict[str, list[dict[str, Any]]] = {"parent": [], "children": []}
    if record.get("parent") and record["parent"] in gaz:
        related["parent"].append(place_link(gaz.get(record["parent"]), lang))
    related["children"] = [place_link(p, lang) for p in gaz.children(place_id)]
    same: list[dict[str, Any]] = []
    for lid in record.get("layers", []):
        layer = layer_ids.get(lid)
        if layer is None or layer.group != "structure":
            continue
        others = [place_link(gaz.get(pid), lang) for pid in store.member_ids(lid)
                  if pid != place_id and pid in gaz]
        same.append({"layer": layer.title[lang], "layer_id": lid, "places": others})
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
    name, name_lang = show_name(record["name"], record.get("name_en") or "", lang)
    located = bool(record.get("geometry"))
    return render_template(
        "place.html",
        place=record,
        name=name,
        name_lang=name_lang,
        accuracy=record.get(f"accuracy_{lang}") or "",
        explained=i18n.precision_explained(record.get("precision") or "", lang),
        error_words=i18n.distance(record["error_m"], lang) if record.get("error_m") else "",
        groups=passages_by_plan(store, record.get("passages", []), lang),
        related=related,
        same=same,
        layers=layers,
        downloads=download_table(downloads.place_links(place_id, lang)) if located else None,
        figures=figure_links("figures.place_figure", lang, place_id=place_id)
        if located else [],
        map=maps.map_parts(m),
        **page_context(lang),
    )


def plan_map_config(store: PlanStore, plan_id: str, lang: str) -> tuple[dict[str, Any], list]:
    """The plan page's map: the plan's layer, framed on its places in and around Haidian; and
    the far places (Xiong'an, Tongzhou…) the frame leaves out, for the page to name."""
    config = maps.base_config(lang)
    plan_layer = f"plan-{plan_id}"
    config.update(layers=[maps.layer_config(layer_summary(store, store.layer(plan_layer)),
                                            lang)], visible=[plan_layer], fit=True, legend=True)
    seen = focus.focus(store, store.plan_places(plan_id))
    far: list[Place] = []
    if seen is not None:
        if seen.bounds is not None:
            config["home_bounds"] = extents.leaflet_bounds(seen.bounds)
        far = [store.gazetteer.get(pid) for pid in seen.far]
    return config, far


@blueprint.get("/plans/<plan_id>")
@cached_page("lang")
def plan_page(plan_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    document = store.plan_document(plan_id)
    paragraphs = [{"line": p.line, "heading": p.heading, "segments": p.segments()}
                  for p in document.paragraphs]
    gaz = store.gazetteer
    named = [place_link(gaz.get(pid), lang) for pid in store.plan_places(plan_id) if pid in gaz]
    config, far = plan_map_config(store, plan_id, lang)
    m = maps.build_map(config)
    plan_layer = f"plan-{plan_id}"
    others = [{"id": p.id, "title": plan_text(p, lang)["short_title"], "year": p.year}
              for p in store.plans() if p.id != plan_id]
    return render_template(
        "plan.html",
        plan=document.meta,
        plan_words=plan_text(document.meta, lang),
        paragraphs=paragraphs,
        outline=document.outline,
        named=named,
        far=[place_link(p, lang) for p in far],
        others=others,
        plan_layer={"id": plan_layer, "title": store.layer(plan_layer).title[lang]},
        downloads=download_table(downloads.links(plan_layer, lang)),
        figures=figure_links("figures.plan_figure", lang, plan_id=plan_id),
        map=maps.map_parts(m),
        **page_context(lang),
    )


@blueprint.get("/plans")
@cached_page("lang")
def plans_page():
    lang = i18n.choose_lang()
    store = get_store()
    plans = [{"id": p.id, "year": p.year, "date": p.date, "period": p.period,
              "count": len(store.plan_places(p.id)), **plan_text(p, lang)}
             for p in store.plans()]
    return render_template("plans.html", plans=plans, **page_context(lang))


@blueprint.get("/layers")
@cached_page("lang")
def layers_page():
    lang = i18n.choose_lang()
    store = get_store()
    themes: dict[str, dict[str, Any]] = {}
    for layer in store.layers:
        entry = themes.setdefault(layer.theme, {"title": store.theme_title(layer.theme, lang),
                                                "layers": []})
        entry["layers"].append({"id": layer.id, "title": layer.title[lang],
                                "count": len(store.member_ids(layer.id))})
    return render_template("layers.html", themes=list(themes.values()), **page_context(lang))


@blueprint.get("/layers/<layer_id>")
@cached_page("lang")
def layer_page(layer_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    layer = store.layer(layer_id)
    summary = layer_summary(store, layer)
    features = []
    for f in store.features(layer_id):
        props = f["properties"]
        name, name_lang = show_name(props.get("name") or "", props.get("name_en") or "", lang)
        features.append({**props, "show": name, "show_lang": name_lang})
    config = maps.base_config(lang)
    config.update(layers=[maps.layer_config(summary, lang)], visible=[layer_id], fit=True,
                  legend=True)
    m = maps.build_map(config)
    defined_by = layer.defined_by_en if lang == "en" else layer.defined_by
    return render_template(
        "layer.html",
        layer=layer,
        summary=summary,
        defined_by=defined_by,
        features=features,
        downloads=download_table(downloads.links(layer_id, lang)),
        figures=figure_links("figures.layers_figure", lang, ids=layer_id),
        map=maps.map_parts(m),
        **page_context(lang),
    )
