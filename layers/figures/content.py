"""What a figure shows, taken from the store: the groups of features (layers, a place among its
neighbours, the places of a plan), the frame they call for, the basemap around them and the
facts the note prints.

Everything comes from the store object handed in (its gazetteer, corpus, layers, features and
place records), so a figure drawn from a two-plan store shows two plans' places and says so.
Features are clipped to Beijing and projected to EPSG:4548 here, once, so the drawing code
works in metres.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shapely import box as shapely_box
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo import vocabulary
from geo.crs import GK117, project
from geo.errors import BadRequest
from layers import focus as plan_focus
from layers.basemap import BasemapFeature
from layers.figures.spec import BEIJING_AREA, INSET_REACH, WITHIN_REACH, Bounds, FigureSpec
from layers.figures.text import data_date, t
from layers.protocol import PlanStore

LARGE_M2 = 1.0e9  # 1,000 km², over twice Haidian: drawn as context, not what the map frames
# A far place up to this size is a dot in the inset (Xiong'an, 1,770 km²); a province is not.
INSET_MAX_M2 = 5.0e9
HIGHLIGHT = "#d7191c"
NEARBY_STYLE: dict[str, Any] = {"color": "#6b7280", "fill_color": "#9ca3af",
                                "fill_opacity": 0.18, "weight": 1.5, "dash_array": "5 4"}


@dataclass
class Item:
    """One feature to draw, already clipped to the map and projected to EPSG:4548."""

    id: str
    name: str
    precision: str
    geom: BaseGeometry
    priority: float


@dataclass
class Group:
    """One legend entry: features drawn in one style."""

    title: str
    style: dict[str, Any]
    items: list[Item] = field(default_factory=list)
    highlight: bool = False
    muted: bool = False


class BaseShape(NamedTuple):
    """A basemap feature (layers.basemap) in EPSG:4548."""

    role: str
    name: str
    name_en: str
    geom: BaseGeometry
    place_id: str = ""


@dataclass(frozen=True)
class Sources:
    """What the note says the figure is drawn from."""

    plans: int
    years: str
    date: str


@dataclass
class FarPlace:
    """A place the frame leaves out, shown in the inset: where it is and how it is drawn."""

    id: str
    name: str
    at: BaseGeometry  # EPSG:4548
    style: dict[str, Any]


@dataclass
class Content:
    title: str
    groups: list[Group]
    focus: Bounds   # EPSG:4548 bounds the extent must show
    outside: int = 0
    min_span_m: float = 3000.0
    subtitle: str = ""
    margin: float = 1.12
    basemap: tuple[BaseShape, ...] = ()
    sources: Sources = Sources(0, "", "")
    credits: tuple[str, ...] = ()  # what the licences of the data drawn ask the note to say
    far: list[FarPlace] = field(default_factory=list)  # drawn in an inset


def gather(store: PlanStore, spec: FigureSpec) -> Content:
    """The figure's content from the store: groups to draw, a default title, the focus, the
    basemap and the sources."""
    base = basemap(store)
    if spec.layers:
        content = _gather_layers(store, spec.layers, spec.lang, base)
    elif spec.place is not None:
        content = _gather_place(store, spec.place, spec.lang)
    else:
        content = _gather_plan(store, str(spec.plan), spec.lang, base)
    if spec.bbox is not None:  # the atlas's current view: frame it, no margin
        content.focus = project(shapely_box(*spec.bbox), GK117).bounds
        content.min_span_m, content.margin = 500.0, 1.0
    content.basemap = base
    content.sources = sources(store)
    content.credits = credits(store, content)
    return content


def credits(store: PlanStore, content: Content) -> tuple[str, ...]:
    """The credits owed for what the figure draws: its features, and the basemap's lines and
    stations around its focus (the frame grows from the focus to fit the page, so a margin of
    half the focus's span, at least the smallest span, is taken)."""
    x0, y0, x1, y1 = content.focus
    pad = max(x1 - x0, y1 - y0, content.min_span_m) / 2
    window = shapely_box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    ids = {item.id for group in content.groups for item in group.items}
    ids |= {b.place_id for b in content.basemap if b.place_id and b.geom.intersects(window)}
    return tuple(a.text for a in store.attributions(sorted(ids)))


def _gather_layers(store: PlanStore, layer_ids: Sequence[str], lang: str,
                   base: Sequence[BaseShape]) -> Content:
    groups, outside = [], 0
    for layer_id in dict.fromkeys(layer_ids):
        layer = store.layer(layer_id)
        items, out = _items(store.features(layer_id), lang)
        outside += out
        groups.append(Group(_layer_title(layer, lang), dict(layer.style), items))
    everything = [i for g in groups for i in g.items]
    title = ("、" if lang == "zh" else ", ").join(g.title for g in groups)
    subtitle = ""
    if len(groups) == 1:
        layer = store.layer(layer_ids[0])
        subtitle = str(layer.description.get(lang) or "")
        if layer.defined_by:
            subtitle = (subtitle + " " + str(layer.defined_by)).strip()
    return Content(title, groups, _with_haidian(_bounds(everything), base), outside,
                   subtitle=_shorten(subtitle, 110))


def _gather_place(store: PlanStore, place_id: str, lang: str) -> Content:
    record = store.place_record(place_id)
    if not record.get("geometry"):
        raise BadRequest(f"place {place_id!r} is not located, so it has no figure")
    feature = {"id": place_id, "geometry": record["geometry"], "properties": record}
    items, _ = _items([feature], lang)
    if not items:
        raise BadRequest(f"place {place_id!r} lies outside Beijing; figures cover Beijing")
    focus = _bounds(items)
    layer_ids = {layer.id for layer in store.layers}
    first = next((lid for lid in record.get("layers", []) if lid in layer_ids
                  and not lid.startswith("plan-")), None)
    style = dict(store.layer(first).style) if first else {}
    style.update(color=HIGHLIGHT, fill_color=HIGHLIGHT, fill_opacity=0.25,
                 weight=max(3, int(str(style.get("weight", 2))) + 1))
    place = Group(_label(record, lang), style, items, highlight=True)
    nearby = Group(t("nearby", lang), dict(NEARBY_STYLE), _neighbours(store, record, focus, lang),
                   muted=True)
    subtitle = " · ".join(x for x in (
        vocabulary.kind_label(record.get("kind"), lang),
        vocabulary.precision_label(record.get("precision"), lang),
        record.get("name_en") if lang == "zh" else record.get("name")) if x)
    accuracy = record.get(f"accuracy_{lang}")
    if accuracy:  # where the position comes from and how far it may be off
        subtitle += "\n" + str(accuracy)
    return Content(t("around", lang, name=place.title), [nearby, place], focus, 0,
                   min_span_m=4000.0, subtitle=subtitle)


def _neighbours(store: PlanStore, record: dict[str, Any], focus: Bounds, lang: str) -> list[Item]:
    """Located places drawn near a place, but not the areas that merely contain it."""
    x0, y0, x1, y1 = focus
    span = max(x1 - x0, y1 - y0, 3000.0)
    window = shapely_box(x0 - span, y0 - span, x1 + span, y1 + span)
    skip = {record["id"], record.get("parent")}
    candidates = [{"id": p.id, "geometry": p.geometry.__geo_interface__,
                   "properties": {"id": p.id, "name": p.label, "name_en": p.name_en,
                                  "precision": p.precision}}
                  for p in store.gazetteer if p.geometry is not None and p.id not in skip
                  and p.precision != "area-only" and p.drawn_as is None
                  and p.kind not in {"district", "region"}]
    nearby: list[Item] = []
    for item in _items(candidates, lang)[0]:
        if not item.geom.intersects(window) or item.geom.area > window.area * 0.25:
            continue
        # every candidate is one of the store's gazetteer places, so the store knows it
        item.priority = float(store.place_record(item.id).get("mention_count") or 0)
        nearby.append(item)
    return nearby


def _gather_plan(store: PlanStore, plan_id: str, lang: str, base: Sequence[BaseShape]) -> Content:
    """A plan's places by layer, framed on those in and around Haidian (layers.focus, as the
    plan page's map); the far ones (the sub-centre, the airports, Xiong'an) go to an inset."""
    meta = store.corpus.get(plan_id)
    layer_id = f"plan-{plan_id}"
    by_layer: dict[str, list[dict[str, Any]]] = {}
    for f in store.features(layer_id):
        by_layer.setdefault(str(f["properties"].get("layer") or layer_id), []).append(f)
    known = {layer.id: layer for layer in store.layers}
    groups: list[Group] = []
    order = [lid for lid in known if lid in by_layer] + \
        sorted(lid for lid in by_layer if lid not in known)
    style_of: dict[str, dict[str, Any]] = {}
    for lid in order:
        layer = known.get(lid) or store.layer(layer_id)
        items, _ = _items(by_layer[lid], lang)
        for f in by_layer[lid]:
            style_of[str(f["id"])] = dict(layer.style)
        if items:
            groups.append(Group(_layer_title(layer, lang), dict(layer.style), items))
    if not groups:
        raise BadRequest(f"plan {plan_id!r} names no located place inside Beijing")
    everything = [i for g in groups for i in g.items]
    seen = plan_focus.focus(store, store.plan_places(plan_id))
    far: list[FarPlace] = []
    if seen is not None and seen.bounds is not None:
        frame = project(shapely_box(*seen.bounds), GK117).bounds
        far = _far_places(store, seen.far, style_of, lang)
    else:
        frame = _with_haidian(_bounds(everything), base)
    drawn = {i.id for i in everything if i.geom.intersects(shapely_box(*frame))}
    outside = sum(1 for f in store.features(layer_id)
                  if f["id"] not in drawn and f["id"] not in {p.id for p in far}
                  and f["properties"].get("precision") != "area-only")
    words = meta.in_lang(lang)
    return Content(t("plan_title", lang, title=words["short_title"]), groups, frame, outside,
                   subtitle=_shorten(f"{words['issuer']} · {meta.date}", 110), far=far)


def _far_places(store: PlanStore, ids: Sequence[str], style_of: dict[str, dict[str, Any]],
                lang: str) -> list[FarPlace]:
    """Far places small enough to show as a dot in the inset (Xiong'an, not Hebei)."""
    out = []
    for pid in ids:
        record = store.place_record(pid)
        if not record.get("geometry"):
            continue
        geom = shape(record["geometry"])
        if not INSET_REACH.contains(geom):
            continue
        projected = project(geom, GK117)
        if projected.area > INSET_MAX_M2:
            continue
        out.append(FarPlace(pid, _label(record, lang), projected.representative_point(),
                            style_of.get(pid, {})))
    return out


def sources(store: PlanStore) -> Sources:
    years = sorted({meta.year for meta in store.corpus})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return Sources(len(store.corpus), span, data_date(store))


# ------------------------------------------------------------------ features


def _items(features: Iterable[dict[str, Any]], lang: str) -> tuple[list[Item], int]:
    """Features inside Beijing, clipped and projected; and how many were left off."""
    items, outside = [], 0
    for f in features:
        if not f.get("geometry"):
            continue
        geom = shape(f["geometry"])
        if not geom.intersects(BEIJING_AREA) or not WITHIN_REACH.contains(geom):
            outside += 1  # elsewhere, or larger than the city (河北, 京津冀): not this map
            continue
        props = f.get("properties") or {}
        items.append(Item(
            id=str(f.get("id") or props.get("id")),
            name=_label(props, lang),
            precision=str(props.get("precision") or "surveyed"),
            geom=project(geom, GK117),
            priority=float(props.get("mention_count") or 0),
        ))
    return items, outside


def _bounds(items: Sequence[Item]) -> Bounds:
    """Bounds of what the figure is about. Area-only places are drawn as the whole area they
    lie in (a district, a science city), so they frame the map only when nothing else does."""
    located = ([i for i in items if i.precision != "area-only" and i.geom.area < LARGE_M2]
               or [i for i in items if i.precision != "area-only"] or list(items))
    bs = [i.geom.bounds for i in located if not i.geom.is_empty]
    if not bs:
        raise BadRequest("nothing to draw: no located feature inside Beijing")
    return (min(b[0] for b in bs), min(b[1] for b in bs),
            max(b[2] for b in bs), max(b[3] for b in bs))


def _with_haidian(focus: Bounds, base: Sequence[BaseShape]) -> Bounds:
    """Layer and plan figures show the whole district when their content spreads over much of
    it: a reader locates scattered places against the district's outline. A compact structure
    (三山五园, 清河七大节点) keeps its own close frame."""
    haidian = next((b.geom for b in base if b.role == "haidian"), None)
    frame = shapely_box(*focus)
    if haidian is None or not frame.intersects(haidian):
        return focus
    hx0, hy0, hx1, hy1 = haidian.bounds
    if frame.area < 0.2 * (hx1 - hx0) * (hy1 - hy0):
        return focus
    return (min(focus[0], hx0), min(focus[1], hy0), max(focus[2], hx1), max(focus[3], hy1))


def _label(props: dict[str, Any], lang: str) -> str:
    if lang == "en" and props.get("name_en"):
        return str(props["name_en"])
    return str(props.get("name") or props.get("id") or "")


def _layer_title(layer: Any, lang: str) -> str:
    return str(layer.title.get(lang) or layer.title.get("zh") or layer.id)


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ------------------------------------------------------------------ the basemap

# Projected basemaps, kept beside the store they were drawn from (and dropped with it).
_PROJECTED: weakref.WeakKeyDictionary[
    PlanStore, tuple[tuple[BasemapFeature, ...], tuple[BaseShape, ...]]
] = weakref.WeakKeyDictionary()
_PROJECTED_LOCK = threading.Lock()


def basemap(store: PlanStore) -> tuple[BaseShape, ...]:
    """The atlas's vector basemap for the store's gazetteer, in EPSG:4548, within reach of
    Beijing."""
    features = store.basemap_features()
    with _PROJECTED_LOCK:
        hit = _PROJECTED.get(store)
    if hit is not None and hit[0] is features:
        return hit[1]
    shapes = tuple(BaseShape(f.role, f.name, f.name_en, project(f.geometry, GK117), f.place_id)
                   for f in features
                   if f.role in {"district", "haidian"} or f.geometry.intersects(BEIJING_AREA))
    with _PROJECTED_LOCK:
        _PROJECTED[store] = (features, shapes)
    return shapes
