"""对比分析: two plans side by side — the places named in both, only in the first, only in the
second, each with the passages that name it in each plan, and a map of the three groups.

A planner comparing the 2016 and the 2021 plan asks what is new, what was dropped and what both
keep; the answer is three lists of places with the words of each plan beside each other. All of it
comes from the store (`plan_places`, `place_record`, the plan layers' features), so a page is a
function of the store, the two plan ids and the language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request, url_for

from geo import extents
from geo.errors import BadRequest
from layers import focus
from layers.protocol import PlanStore
from webmap import geojson, i18n, maps
from webmap.page_parts import excerpt, plan_text, show_name
from webmap.pages import page_context
from webmap.responses import cached
from webmap.sources import app_cache, get_store

blueprint = Blueprint("compare", __name__)

GROUPS = ("both", "only_a", "only_b")
# Colours told apart with the common colour-vision deficiencies (ColorBrewer PuOr ends, a blue).
STYLES: dict[str, dict[str, Any]] = {
    "both": {"color": "#5e3c99", "fill_color": "#5e3c99", "fill_opacity": 0.12, "weight": 2},
    "only_a": {"color": "#b35806", "fill_color": "#e66101", "fill_opacity": 0.12, "weight": 2},
    "only_b": {"color": "#0b5394", "fill_color": "#0571b0", "fill_opacity": 0.12, "weight": 2},
}
PASSAGES_SHOWN = 2  # per place and plan, as excerpts; the place page has them all


@dataclass
class Comparison:
    a: str
    b: str
    groups: dict[str, list[str]] = field(default_factory=dict)  # group -> place ids


def compare_plans(store: PlanStore, a: str, b: str) -> Comparison:
    """The places of two plans in three groups: both (in the first plan's order), only in the
    first (its order), only in the second (the second plan's order of first mention)."""
    first, second = store.plan_places(a), store.plan_places(b)
    in_first, in_second = set(first), set(second)
    return Comparison(a, b, {
        "both": [p for p in first if p in in_second],
        "only_a": [p for p in first if p not in in_second],
        "only_b": [p for p in second if p not in in_first],
    })


def _plan_arg(store: PlanStore, name: str) -> str:
    value = request.args.get(name, "")
    known = [p.id for p in store.plans()]
    if value not in known:
        raise BadRequest(f"{name} must be a plan id ({', '.join(known)}), not {value!r}")
    return value


def _chosen(store: PlanStore) -> tuple[str, str] | None:
    """The two plans asked for; None when the page is opened without a choice."""
    if "a" not in request.args and "b" not in request.args:
        return None
    return _plan_arg(store, "a"), _plan_arg(store, "b")


def _entry(store: PlanStore, pid: str, a: str, b: str, lang: str) -> dict[str, Any]:
    record = store.place_record(pid)
    name, name_lang = show_name(record["name"], record.get("name_en") or "", lang)
    sides = []
    for plan_id in (a, b):
        passages = [p for p in record.get("passages", []) if p["plan_id"] == plan_id]
        sides.append({
            "plan_id": plan_id,
            "count": len(passages),
            "passages": [dict(p, segments=excerpt(p["text"], p.get("mentions", [])))
                         for p in passages[:PASSAGES_SHOWN]],
        })
    return {"id": pid, "name": name, "name_lang": name_lang, "kind": record.get("kind"),
            "precision": record.get("precision"), "located": record.get("geometry") is not None,
            "sides": sides}


def _group_title(group: str, lang: str, titles: tuple[str, str], n: int) -> str:
    if group == "both":
        words = i18n.text("in_both", lang)
    else:
        words = i18n.text("only_in", lang, title=titles[0 if group == "only_a" else 1])
    return f"{words} ({n})"


def _map(store: PlanStore, comparison: Comparison, lang: str, titles: tuple[str, str]
         ) -> dict[str, str]:
    config = maps.base_config(lang)
    layers = []
    for group in GROUPS:
        ids = comparison.groups[group]
        layers.append({
            "id": f"compare-{group}",
            "title": _group_title(group, lang, titles, len(ids)),
            "group": "compare", "theme": "compare", "theme_title": i18n.text("compare", lang),
            "style": STYLES[group],
            "url": url_for("compare.group_geojson", group=group, a=comparison.a,
                           b=comparison.b),
            "page": url_for("compare.compare_page", a=comparison.a, b=comparison.b),
        })
    # the page lists the three groups with their swatches: no legend over a phone-sized map
    config.update(layers=layers, visible=[la["id"] for la in layers], fit=True, legend=False)
    seen = focus.focus(store, [p for ids in comparison.groups.values() for p in ids])
    if seen is not None and seen.bounds is not None:
        config["home_bounds"] = extents.leaflet_bounds(seen.bounds)
    return maps.map_parts(maps.build_map(config))


@blueprint.get("/compare")
def compare_page():
    lang = i18n.choose_lang()
    store = get_store()
    plans = [{"id": p.id, "year": p.year, **plan_text(p, lang)} for p in store.plans()]
    chosen = _chosen(store)
    context: dict[str, Any] = {"plans": plans, "chosen_a": None, "chosen_b": None,
                               "comparison": None, "map": None}
    if chosen is not None:
        a, b = chosen
        metas = (store.plan(a), store.plan(b))
        titles = (plan_text(metas[0], lang)["short_title"],
                  plan_text(metas[1], lang)["short_title"])
        context.update(chosen_a=a, chosen_b=b, titles=titles,
                       years=(metas[0].year, metas[1].year))
        if a != b:
            comparison = compare_plans(store, a, b)
            context["comparison"] = {
                group: {"title": _group_title(group, lang, titles, len(ids)),
                        "style": STYLES[group],
                        "places": [_entry(store, pid, a, b, lang) for pid in ids]}
                for group, ids in comparison.groups.items()
            }
            context["map"] = _map(store, comparison, lang, titles)
    return render_template("compare.html", passages_shown=PASSAGES_SHOWN,
                           **context, **page_context(lang))


@blueprint.get("/compare/<group>.geojson")
def group_geojson(group: str):
    """One group's located places as the slim GeoJSON the atlas scripts draw, in `?crs=`."""
    if group not in GROUPS:
        raise BadRequest(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    crs = geojson.check_crs(request.args.get("crs"))
    store = get_store()
    a, b = _plan_arg(store, "a"), _plan_arg(store, "b")
    cache = app_cache("compare-bodies")
    key = (store.version, a, b, group, crs.id)
    body = cache.get(key)
    if body is None:
        wanted = set(compare_plans(store, a, b).groups[group])
        features = {f["id"]: f for plan_id in (a, b)
                    for f in store.features(f"plan-{plan_id}") if f["id"] in wanted}
        body = cache[key] = geojson.make_body({
            "type": "FeatureCollection", **geojson.crs_member(crs),
            "features": [geojson.slim_feature(f, crs) for f in features.values()],
        })
    return cached(body)
