"""How things look, defined once: the precision look of a feature and the basemap's roles.

The atlas script receives these in its configuration (`browser_config`), the figures read them
directly, and the KML/QGIS styles derive from them, so "approximate and schematic are dashed,
area-only is a thin outline" is one rule in one place. Widths are CSS pixels; figures convert.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_COLOUR = "#1f5fa8"
DEFAULT_DASH = "6 4"
# Lines are drawn a touch translucent, so the basemap shows where they cross it.
LINE_OPACITY = 0.95
# A place known as a point: a disc in the layer's colour with a white ring (radius and ring width
# in px); its precision still sets the ring's dash. The atlas and the GIS styles draw it so.
POINT_LOOK: dict[str, Any] = {"radius": 6, "weight": 1.5, "color": "#ffffff",
                              "fill_opacity": 0.85}


@dataclass(frozen=True)
class PrecisionLook:
    """How a precision changes a layer's style: a dashed line says "not where a survey put it";
    an outline with no fill says "somewhere in this area" (several such places stack on one
    area, and fills would darken it)."""

    dashed: bool = False
    outline_only: bool = False
    weight: float | None = None  # overrides the layer's line width when set


PRECISION_LOOKS: dict[str, PrecisionLook] = {
    "surveyed": PrecisionLook(),
    "approximate": PrecisionLook(dashed=True),
    "schematic": PrecisionLook(dashed=True),
    "area-only": PrecisionLook(outline_only=True, weight=1.0),
    "unlocated": PrecisionLook(),
}
DASHED: frozenset[str] = frozenset(p for p, look in PRECISION_LOOKS.items() if look.dashed)


def feature_style(layer_style: dict[str, Any], precision: str) -> dict[str, Any]:
    """One feature's style: the layer's, with the dash and fill its precision calls for."""
    look = PRECISION_LOOKS.get(precision, PrecisionLook())
    style = dict(layer_style)
    style["dash_array"] = (layer_style.get("dash_array") or DEFAULT_DASH) if look.dashed else None
    if look.outline_only:
        style["fill_opacity"] = 0.0
    if look.weight is not None:
        style["weight"] = look.weight
    return style


# The vector basemap's roles (layers.basemap): stroke, fill, width in px, dash; `label_zoom`:
# the zoom from which the atlas names a role's features (default: the screen's minor_zoom).
BASEMAP_STYLES: dict[str, dict[str, Any]] = {
    "sea": {"color": None, "fill_color": "#e3e9ee", "fill_opacity": 1.0, "weight": 0},
    "city": {"color": "#b9ad98", "fill_color": "#f3efe6", "fill_opacity": 1.0, "weight": 1.5},
    "district": {"color": "#c4b8a2", "fill_color": "#f1ece1", "fill_opacity": 1.0, "weight": 1.0},
    "haidian": {"color": "#8a6d3b", "fill_color": "#fbf8f1", "fill_opacity": 1.0, "weight": 2.5},
    "water": {"color": "#5b9bd5", "fill_color": "#cfe2f3", "fill_opacity": 0.9, "weight": 2.0},
    "rail": {"color": "#777777", "fill_color": None, "fill_opacity": 0.0, "weight": 1.5,
             "dash_array": "4 3"},
    "road": {"color": "#a39e93", "fill_color": None, "fill_opacity": 0.0, "weight": 2.0},
    "station": {"color": "#555555", "fill_color": "#ffffff", "fill_opacity": 1.0, "weight": 1.2,
                "label_zoom": 15},
}


def browser_config() -> dict[str, Any]:
    """What the atlas script needs to draw like the figures: handed over in the page config."""
    return {
        "default_colour": DEFAULT_COLOUR,
        "default_dash": DEFAULT_DASH,
        "precision": {p: asdict(look) for p, look in PRECISION_LOOKS.items()},
        "basemap": BASEMAP_STYLES,
    }
