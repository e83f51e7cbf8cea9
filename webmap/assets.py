"""Offline assets: point folium at the copies under /static/vendor and refuse anything off-host.

folium has no offline mode: every element class lists CDN URLs in class attributes
(`default_js`, `default_css`), and branca's colour legend hard-codes d3 from cdnjs. Those lists
are class-level, so rewriting them is a process-wide setting made once at app start, never per
request. After rendering, `check_offline` is the last line of defence: planners on an intranet
get a blank map from a single CDN link, so a page that still links off-host is a bug, raised in
tests (`OFFLINE_ASSETS = "raise"`) and logged and stripped in production (`"strip"`).
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

from folium.elements import JSCSSMixin

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
VENDOR_URL = "/static/vendor/"

# folium's asset names (the first element of each default_js/default_css pair) -> vendored path.
# The names are folium's; the paths are npm's layout as copied by scripts/vendor_assets.py.
LOCAL: dict[str, str] = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.js",
    "leaflet_css": "leaflet/dist/leaflet.css",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "glyphicons_css": "bootstrap3/dist/css/bootstrap-glyphicons.css",
    "awesome_markers_font_css": "@fortawesome/fontawesome-free/css/all.min.css",
    "awesome_markers_css": "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css",
    "awesome_rotate_css": "folium/leaflet.awesome.rotate.min.css",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet.groupedlayercontrol.min.js":
        "leaflet-groupedlayercontrol/dist/leaflet.groupedlayercontrol.min.js",
    "leaflet.groupedlayercontrol.min.css":
        "leaflet-groupedlayercontrol/dist/leaflet.groupedlayercontrol.min.css",
}

# Links emitted outside folium's asset lists, replaced in the rendered text.
TEXT_REPLACEMENTS: dict[str, str] = {
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": VENDOR_URL + "d3/d3.min.js",
}

# <script src="…"> and <link … href="…"> whose URL names another host (scheme or protocol-relative)
_OFF_HOST = re.compile(
    r"""<(script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*((?:[a-z][a-z0-9+.-]*:)?//[^"'\s>]*)""",
    re.IGNORECASE,
)


class OffHostAsset(RuntimeError):
    """A rendered page links a script or stylesheet on another host: a bug, never user error,
    so it is not a PlanmapError and propagates out of the test client instead of becoming a page."""


def _subclasses(cls: type) -> list[type]:
    out: list[type] = []
    subs: list[type] = cls.__subclasses__()
    for sub in subs:
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def _localise(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, VENDOR_URL + LOCAL[name]) if name in LOCAL else (name, url) for name, url in pairs
    ]


def install_local_assets() -> None:
    """Rewrite default_js/default_css on every folium element class (idempotent, process-wide).

    Plugins are imported first so that their classes exist as subclasses of the mixin. Classes
    whose assets are not vendored keep their CDN links, and `check_offline` refuses a page that
    uses one: adding a plugin means vendoring its files, which the test suite then insists on.
    """
    import folium.plugins  # noqa: F401  (registers the plugin classes)

    for cls in [JSCSSMixin, *_subclasses(JSCSSMixin)]:
        for attr in ("default_js", "default_css"):
            if attr in cls.__dict__:
                setattr(cls, attr, _localise(list(cls.__dict__[attr])))


def off_host_links(html: str) -> list[str]:
    return [m.group(2) for m in _OFF_HOST.finditer(html)]


def check_offline(html: str, mode: str = "raise") -> str:
    """Replace known stragglers, then raise on (or strip) any script/stylesheet off-host."""
    for old, new in TEXT_REPLACEMENTS.items():
        html = html.replace(old, new)
    bad = off_host_links(html)
    if not bad:
        return html
    if mode == "raise":
        raise OffHostAsset(f"page links assets on another host: {', '.join(sorted(set(bad)))}")
    log.error("stripped off-host assets from a page: %s", ", ".join(sorted(set(bad))))
    return _OFF_HOST_TAG.sub("", html)


_OFF_HOST_TAG = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//[^>]*>\s*</script>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//[^>]*>""",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def vendor_manifest() -> dict:
    """What scripts/vendor_assets.py copied: package versions and file hashes."""
    return json.loads((VENDOR_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
