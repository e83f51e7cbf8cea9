"""Folium maps for the pages: the map frame in Python, the behaviour in /static/atlas.js.

folium builds the Leaflet map, its scale bar and full-screen control, and collects the asset
links (vendored, see webmap.assets). Everything that must react in the browser (lazy layer loading
with fetch(), popups fetched when opened, the GCJ-02 switch for AMap, search, legend, permalink)
lives in one static script configured by a JSON object, so the HTML stays small however many
features the layers hold.
"""

from __future__ import annotations

from typing import Any, ClassVar

import folium
from flask import current_app, url_for
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen
from folium.template import Template

from geo import vocabulary
from webmap import basemaps, i18n
from webmap.assets import LOCAL, VENDOR_URL

# Beijing municipality, rounded outward: maps that fit their features prefer the ones in here.
HOME_BOUNDS = [[39.44, 115.42], [41.06, 117.51]]
GROUPED_JS = "leaflet.groupedlayercontrol.min.js"
GROUPED_CSS = "leaflet.groupedlayercontrol.min.css"


class PlanmapScript(JSCSSMixin):
    """Starts atlas.js on the folium map it is added to, with the page's configuration."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.Planmap.init({{ this._parent.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
        """
    )
    default_js: ClassVar[list[tuple[str, str]]] = [
        (GROUPED_JS, VENDOR_URL + LOCAL[GROUPED_JS]),
        ("planmap_atlas_js", "/static/atlas.js"),
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [
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


def base_config(lang: str) -> dict[str, Any]:
    cfg = current_app.config
    return {
        "lang": lang,
        "strings": i18n.strings(lang),
        "kinds": {k: i18n.kind_label(k, lang) for k in vocabulary.KINDS},
        "precisions": {k: i18n.precision_label(k, lang) for k in vocabulary.PRECISIONS},
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
        "popup_passages": cfg["POPUP_PASSAGES"],
        "home_bounds": HOME_BOUNDS,
        "layers": [],
        "visible": [],
        "place": None,
        "inline": None,
        "fit": False,
        "control": False,
        "legend": False,
        "search": False,
        "permalink": False,
    }


def build_map(config: dict[str, Any], *, fullscreen: bool = True) -> folium.Map:
    """A folium map with no tiles (the basemap is chosen by atlas.js) and the planmap script."""
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
            title="全屏" if config["lang"] == "zh" else "Full screen",
            title_cancel="退出全屏" if config["lang"] == "zh" else "Exit full screen",
        ).add_to(m)
    PlanmapScript(config).add_to(m)
    return m


def map_parts(m: folium.Map) -> dict[str, str]:
    """The map as three fragments (head links, div, script) for a page template."""
    root = m.get_root()
    root.render()
    return {
        "header": root.header.render(),
        "html": root.html.render(),
        "script": root.script.render(),
    }
