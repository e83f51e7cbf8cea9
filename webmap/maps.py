"""Folium maps for the pages: the map frame in Python, the behaviour in /static/atlas/*.js.

folium builds the Leaflet map, its scale bar and full-screen control, and collects the asset
links (vendored, see webmap.assets). Everything that must react in the browser (lazy layer loading
with fetch(), popups fetched when opened, the GCJ-02 switch for AMap, search, legend, permalink,
the share panel) lives in the atlas scripts, configured by one JSON object, so the HTML stays
small however many features the layers hold.

The atlas scripts are plain scripts, one per concern, loaded in the order of `ATLAS_MODULES` in
the page head (folium's `default_js`): each registers itself into `window.Planmap`, and folium's
inline script at the end of the page calls `Planmap.init(map, config)`. Classic scripts run in
order before that inline call; ES modules would be deferred until after it. No build step.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import folium
from branca.element import Element, Figure
from flask import current_app, url_for
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen
from folium.template import Template

from geo import extents, vocabulary
from layers import styles
from webmap import basemaps, i18n
from webmap.assets import LOCAL, VENDOR_URL
from webmap.sources import get_store

GROUPED_JS = "leaflet.groupedlayercontrol.min.js"
GROUPED_CSS = "leaflet.groupedlayercontrol.min.css"

# webmap/static/atlas/<name>.js, in load order: core first (the namespace), start last (it shows
# the first view once every other module has set itself up).
ATLAS_MODULES = (
    "core", "style", "basemaps", "switch", "layers", "panel", "filters", "labels", "popups",
    "stack", "search", "browser", "share", "legend", "about", "permalink", "start",
)

# What the screen draws beside the rules shared with the figures: the stroke opacity and points
# as discs with a white ring (layers.styles, which the GIS styles read too), the basemap's point
# features (a spring, a station), the zoom from which the basemap shows rivers, roads and rail
# with their names, and a place page's own place, highlighted over its layers.
SCREEN_STYLES: dict[str, Any] = {
    "line_opacity": styles.LINE_OPACITY,
    "point": dict(styles.POINT_LOOK),
    "base_point": {"radius": 3, "weight": 1, "fill_opacity": 0.9},
    "minor_zoom": 13,
    "place": {"color": "#d7301f", "fill_color": "#fc8d59", "fill_opacity": 0.35, "weight": 3},
    # feature names: from this zoom, where the name fits the shape and no other name is there
    "label_zoom": 13,
    "label_font": "12px \"WenQuanYi Micro Hei\", \"Noto Sans CJK SC\", sans-serif",
    "label_gap": 4,
    # below this map width (px) the layer panel and the legend start closed (phones)
    "small_screen": 700,
    # a picked place is framed no closer than this zoom (a 400 m place fills a good part of it)
    "fit_max_zoom": 17,
    "popup_max_width": 380,
    # the data browser lists at most this many places (the rest: zoom in)
    "browser_rows": 200,
}


# The share panel's "static figure of this view" links (webmap.figures).
FIGURE_FORMATS: list[dict[str, Any]] = [
    {"format": "png", "label": "PNG", "query": {}},
    {"format": "svg", "label": "SVG", "query": {}},
    {"format": "pdf", "label": "PDF (A4)", "query": {"paper": "A4", "landscape": "1"}},
]
# A view reaching further than this beyond Beijing (degrees) is not passed to a figure as its
# frame: figures leave out what lies outside Beijing, so the figure frames its content instead.
FIGURE_VIEW_MARGIN = 1.0
VIEWPORT_TAG = re.compile(r'<meta name="viewport"[^>]*>\s*')


class PlanmapScript(JSCSSMixin):
    """Starts the atlas scripts on the folium map it is added to, with the page's configuration."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.Planmap.init({{ this._parent.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
        """
    )
    # The class-level lists folium reads; they are all local, so webmap.assets leaves them be.
    default_js = [  # noqa: RUF012
        (GROUPED_JS, VENDOR_URL + LOCAL[GROUPED_JS]),
        *((f"planmap_atlas_{name}", f"/static/atlas/{name}.js") for name in ATLAS_MODULES),
    ]
    default_css = [  # noqa: RUF012
        (GROUPED_CSS, VENDOR_URL + LOCAL[GROUPED_CSS]),
        ("planmap_atlas_css", "/static/atlas.css"),
    ]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PlanmapScript"
        self.config = config


def layer_config(summary: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "id": summary["id"],
        "title": summary["title"][lang],
        "group": summary["group"],
        "theme": summary["theme"],
        "theme_title": summary["theme_title"][lang],
        "style": summary["style"],
        "url": summary["url"],
        "page": summary["page"],
    }


def _has_route(rule: str) -> bool:
    """Whether another area's blueprint (the embed page) is registered in this app."""
    return any(r.rule == rule for r in current_app.url_map.iter_rules())


def map_styles() -> dict[str, Any]:
    """The `styles` of the config: every look the atlas scripts draw with (none is in the JS)."""
    return {**styles.browser_config(), **SCREEN_STYLES}


def figures_config() -> dict[str, Any] | None:
    """Where the share panel's figure links point, or None when the figure routes are absent."""
    if "figures.layers_figure" not in current_app.view_functions:
        return None
    west, south, east, north = extents.BEIJING
    m = FIGURE_VIEW_MARGIN
    return {
        "layers": url_for("figures.layers_figure", ids="__IDS__", fmt="__FMT__"),
        "formats": FIGURE_FORMATS,
        "within": extents.leaflet_bounds((west - m, south - m, east + m, north + m)),
    }


def attributions(lang: str) -> list[str]:
    """Who to credit for the data the maps draw, shown in every map's attribution line and the
    about panel: planmap's own sources, then the credits the licences of open data in the store
    ask for (OpenStreetMap's ODbL for the rail network the vector basemap draws on every map)."""
    return [i18n.strings(lang)["data_attribution"],
            *(a.text for a in get_store().attributions())]


def about_config(lang: str) -> dict[str, Any]:
    """What the about panel says: the map's purpose, how current its data is, and whose."""
    store = get_store()
    plans = store.plans()
    dates = sorted(p.date for p in plans if p.date)
    return {
        "version": store.version[:12],
        "data_date": dates[-1] if dates else None,
        "plans": [{"title": p.short_title or p.title, "issuer": p.issuer, "date": p.date}
                  for p in plans],
    }


def base_config(lang: str) -> dict[str, Any]:
    """The config every map page starts from; pages then set layers, visible, controls…"""
    cfg = current_app.config
    return {
        "lang": lang,
        "strings": i18n.strings(lang),
        "kinds": {k: i18n.kind_label(k, lang) for k in vocabulary.KINDS},
        "precisions": {k: i18n.precision_label(k, lang) for k in vocabulary.PRECISIONS},
        # the precisions a drawn shape can have (the filters offer these)
        "drawn_precisions": [k for k in vocabulary.PRECISIONS
                             if k in styles.PRECISION_LOOKS and k != "unlocated"],
        "basemaps": basemaps.offered(cfg, lang),
        "basemap": cfg["DEFAULT_BASEMAP"],
        "center": list(cfg["CENTER"]),
        "zoom": cfg["ZOOM"],
        "api": {
            "places": url_for("api.places"),
            "place": url_for("api.place", place_id="__ID__"),
            "basemap": url_for("api.basemap_geojson"),
            "place_page": url_for("pages.place_page", place_id="__ID__"),
            "layer_page": url_for("pages.layer_page", layer_id="__ID__"),
            "embed": "/embed" if _has_route("/embed") else None,
        },
        "figures": figures_config(),
        "styles": map_styles(),
        "attributions": attributions(lang),
        "about": None,
        "popup_passages": cfg["POPUP_PASSAGES"],
        # maps that fit their features prefer the ones in Beijing
        "home_bounds": extents.leaflet_bounds(extents.BEIJING),
        "layers": [],
        "visible": [],
        "place": None,
        "fit_place": False,
        "plans": [],
        "inline": None,
        "fit": False,
        "control": False,
        "legend": False,
        "search": False,
        "permalink": False,
    }


def build_map(config: dict[str, Any], *, fullscreen: bool = True) -> folium.Map:
    """A folium map with no tiles (the atlas scripts choose the basemap) and the atlas scripts."""
    m = folium.Map(
        location=config["center"],
        zoom_start=config["zoom"],
        tiles=None,
        control_scale=True,
        maxZoom=current_app.config["MAX_ZOOM"],
        minZoom=3,
    )
    if fullscreen:
        Fullscreen(
            position="topleft",
            title=config["strings"]["full_screen"],
            title_cancel=config["strings"]["exit_full_screen"],
        ).add_to(m)
    PlanmapScript(config).add_to(m)
    return m


def stable_ids(root: Element) -> None:
    """Number the elements in tree order instead of folium's 16 random bytes each: a page then
    renders to the same bytes every time, so every worker and server gives it one ETag
    (webmap.page_cache) and one Content-Security-Policy hash."""
    count = itertools.count()

    def visit(element: Element) -> None:
        items = list(element._children.items())
        element._children.clear()
        for key, child in items:
            before = child.get_name()
            child._id = f"{next(count):032x}"
            visit(child)
            element._children[child.get_name() if key == before else key] = child

    visit(root)


def map_parts(m: folium.Map) -> dict[str, str]:
    """The map as three fragments (head links, div, script) for a page template."""
    root = m.get_root()
    assert isinstance(root, Figure)  # a folium Map's root is always a branca Figure
    stable_ids(root)
    root.render()
    return {
        # folium's viewport tag forbids zooming (user-scalable=no); base.html states its own
        "header": VIEWPORT_TAG.sub("", root.header.render()),
        "html": root.html.render(),
        "script": root.script.render(),
    }
