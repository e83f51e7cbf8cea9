"""QGIS styles (QML) and OGC SLD 1.1 for each exported table, drawn like the atlas.

Both derive from the layer's style (`data/layers.toml`) and the precision looks of
layers.styles: a categorized renderer on the `precision` field, approximate and schematic places
dashed, area-only places as a thin outline with no fill, points as discs in the layer's colour
with a white ring. One style per table (layer × geometry family), because a QGIS layer and an
SLD symbolizer each draw one kind of geometry. Widths and sizes are screen pixels, as in the
atlas. The GeoPackage stores them in QGIS's `layer_styles` table (QGIS applies them on opening);
the downloads offer them as files named like the table, which QGIS also picks up beside a
shapefile or FlatGeobuf of the same name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from geo.vocabulary import PRECISION_LABELS
from layers.styles import (
    DEFAULT_COLOUR,
    DEFAULT_DASH,
    LINE_OPACITY,
    POINT_LOOK,
    PRECISION_LOOKS,
    feature_style,
)

QGIS_VERSION = "3.22.16-Białowieża"
# The precisions a layer can hold (unlocated places are in no layer), in legend order.
SHOWN = tuple(p for p in PRECISION_LOOKS if p != "unlocated")
_GEOMETRY_TYPE = {"points": "0", "lines": "1", "polygons": "2"}
SLD_NS = "http://www.opengis.net/sld"
SE_NS = "http://www.opengis.net/se"
OGC_NS = "http://www.opengis.net/ogc"


def _rgba(colour: str | None, opacity: float) -> str:
    """QGIS's "r,g,b,a" colour from #rrggbb and an opacity."""
    hex_ = (colour or DEFAULT_COLOUR).lstrip("#")
    r, g, b = (int(hex_[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(opacity * 255)}"


def _dash(style: dict[str, Any]) -> str | None:
    return str(style["dash_array"]) if style.get("dash_array") else None


def _looks(layer_style: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(p, feature_style(layer_style, p)) for p in SHOWN]


def _label(precision: str) -> str:
    words = PRECISION_LABELS.get(precision, {})
    return f"{words.get('zh', precision)} / {words.get('en', precision)}"


# ---------------------------------------------------------------------------------------- QML

def _options(parent: ET.Element, values: dict[str, str]) -> None:
    """A QGIS symbol layer's properties, as QGIS 3 writes them."""
    holder = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(holder, "Option", name=key, type="QString", value=value)


def _line_layer(symbol: ET.Element, style: dict[str, Any]) -> None:
    dash = _dash(style)
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleLine", "enabled": "1",
                                             "locked": "0", "pass": "0"})
    _options(layer, {
        "line_color": _rgba(style.get("color"), LINE_OPACITY),
        "line_width": f"{float(style['weight']):g}",
        "line_width_unit": "Pixel",
        "line_style": "solid",
        "use_custom_dash": "1" if dash else "0",
        "customdash": (dash or DEFAULT_DASH).replace(" ", ";"),
        "customdash_unit": "Pixel",
        "capstyle": "round",
        "joinstyle": "round",
    })


def _symbol(family: str, style: dict[str, Any], name: str, outline_only: bool) -> ET.Element:
    kind = {"points": "marker", "lines": "line", "polygons": "fill"}[family]
    symbol = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1",
                                   "clip_to_extent": "1", "force_rhr": "0"})
    if family == "points":
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1",
                                                 "locked": "0", "pass": "0"})
        _options(layer, {
            "name": "circle",
            "color": _rgba(style.get("color"), POINT_LOOK["fill_opacity"]),
            "outline_color": _rgba(POINT_LOOK["color"], 1.0),
            "outline_width": f"{POINT_LOOK['weight']:g}",
            "outline_width_unit": "Pixel",
            "outline_style": "dash" if _dash(style) else "solid",
            "size": f"{2 * POINT_LOOK['radius']:g}",
            "size_unit": "Pixel",
        })
    elif family == "lines":
        _line_layer(symbol, style)
    else:
        fill = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1",
                                                "locked": "0", "pass": "0"})
        _options(fill, {
            "color": _rgba(style.get("fill_color") or style.get("color"),
                           0.0 if outline_only else float(style["fill_opacity"])),
            "style": "no" if outline_only else "solid",
            "outline_style": "no",
        })
        _line_layer(symbol, style)  # the outline, which a fill's own border cannot dash
    return symbol


def qml(layer_style: dict[str, Any], family: str | None) -> str:
    """The QGIS style document (.qml) of one table."""
    family = family or "polygons"
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology")
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr="precision",
                             symbollevels="0", enableorderby="0", forceraster="0")
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (precision, style) in enumerate(_looks(layer_style)):
        ET.SubElement(categories, "category", render="true", value=precision, symbol=str(i),
                      label=_label(precision))
        outline_only = PRECISION_LOOKS[precision].outline_only
        symbols.append(_symbol(family, style, str(i), outline_only))
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_TYPE[family]
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode") + "\n"


# ---------------------------------------------------------------------------------------- SLD

def _se(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{SE_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _svg(parent: ET.Element, values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is not None:
            _se(parent, "SvgParameter", value, name=key)


def _stroke(parent: ET.Element, style: dict[str, Any]) -> None:
    stroke = _se(parent, "Stroke")
    _svg(stroke, {"stroke": style.get("color") or DEFAULT_COLOUR,
                  "stroke-opacity": f"{LINE_OPACITY:g}",
                  "stroke-width": f"{float(style['weight']):g}",
                  "stroke-linejoin": "round", "stroke-linecap": "round",
                  "stroke-dasharray": _dash(style)})


def _symbolizer(rule: ET.Element, family: str, style: dict[str, Any], outline_only: bool
                ) -> None:
    if family == "points":
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        _svg(_se(mark, "Fill"), {"fill": style.get("color") or DEFAULT_COLOUR,
                                 "fill-opacity": f"{POINT_LOOK['fill_opacity']:g}"})
        _svg(_se(mark, "Stroke"), {"stroke": POINT_LOOK["color"],
                                   "stroke-width": f"{POINT_LOOK['weight']:g}",
                                   "stroke-dasharray": _dash(style)})
        _se(graphic, "Size", f"{2 * POINT_LOOK['radius']:g}")
    elif family == "lines":
        _stroke(_se(rule, "LineSymbolizer"), style)
    else:
        polygon = _se(rule, "PolygonSymbolizer")
        if not outline_only:
            _svg(_se(polygon, "Fill"), {
                "fill": style.get("fill_color") or style.get("color") or DEFAULT_COLOUR,
                "fill-opacity": f"{float(style['fill_opacity']):g}"})
        _stroke(polygon, style)


def sld(layer_style: dict[str, Any], family: str | None, name: str, title: str) -> str:
    """The OGC SLD 1.1 (Symbology Encoding) document of one table, as QGIS reads and writes
    them."""
    family = family or "polygons"
    ET.register_namespace("", SLD_NS)
    ET.register_namespace("se", SE_NS)
    ET.register_namespace("ogc", OGC_NS)
    root = ET.Element(f"{{{SLD_NS}}}StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, f"{{{SLD_NS}}}NamedLayer")
    _se(layer, "Name", name)
    user = ET.SubElement(layer, f"{{{SLD_NS}}}UserStyle")
    _se(user, "Name", name)
    _se(_se(user, "Description"), "Title", title)
    fts = _se(user, "FeatureTypeStyle")
    for precision, style in _looks(layer_style):
        rule = _se(fts, "Rule")
        _se(rule, "Name", precision)
        _se(_se(rule, "Description"), "Title", _label(precision))
        equal = ET.SubElement(ET.SubElement(rule, f"{{{OGC_NS}}}Filter"),
                              f"{{{OGC_NS}}}PropertyIsEqualTo")
        ET.SubElement(equal, f"{{{OGC_NS}}}PropertyName").text = "precision"
        ET.SubElement(equal, f"{{{OGC_NS}}}Literal").text = precision
        _symbolizer(rule, family, style, PRECISION_LOOKS[precision].outline_only)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
