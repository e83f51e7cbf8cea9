"""KML 2.2, valid against the OGC schema (ogckml22.xsd): one Folder per layer named by its title
(zh / en), one Placemark per place with a layer-prefixed id (`parks.zhongguancunruanjianyuan`),
the place name in <name>, the policy text in the balloon (<description>), the other properties as
typed ExtendedData (one Schema, `int` and `string` fields; the place id as `place_id`, since
GDAL reads the Placemark id as `id`), a Style per layer and precision with
the atlas's colours, and 2D coordinates.

KML is WGS-84 longitude/latitude by definition, so projected and offset CRSs (GCJ-02, BD-09:
a KML reader would place them 550 m off without a word) are refused; EPSG:4490 is written as
lon/lat. Written with the standard library's XML writer rather than GDAL's LIBKML driver, which
writes a third coordinate, nests Documents, takes ids from the `id` field (shared between
layers) and writes no styles. KML viewers render names, descriptions and data values as HTML, so
every text is HTML-escaped (layers.export.safe_text.MARKUP) before the XML writer escapes it.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs_names import CRSES, CrsDef
from layers.excerpts import excerpt
from layers.export.formats import ExportFormat
from layers.export.frames import INTEGER_COLUMNS, layer_frame
from layers.export.metadata import PASSAGE_POLICY, credit_note, crs_note
from layers.export.safe_text import MARKUP, markup, safe
from layers.protocol import PlanStore
from layers.styles import LINE_OPACITY, POINT_LOOK, PRECISION_LOOKS, feature_style

KML_NS = "http://www.opengis.net/kml/2.2"
PASSAGES_SHOWN = 20
SCHEMA_ID = "planmap.fields.schema"
# KML has no dashed lines: a dashed look (approximate, schematic) is drawn at this share of the
# atlas's line opacity instead, and its style id names the precision.
DASHED_OPACITY = 0.5
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]")
# GDAL reads a Placemark's id attribute as the field `id`, so the place id is `place_id` here.
FIELD_NAMES = {"id": "place_id"}


def kml_id(*parts: str) -> str:
    """An XML ID (xsd:ID: no colon, not starting with a digit, '-' or '.') from id parts."""
    text = _NOT_NCNAME.sub("_", ".".join(parts))
    return text if re.match(r"[A-Za-z_]", text) else "_" + text


def _colour(hex_colour: str, opacity: float) -> str:
    """KML's aabbggrr from #rrggbb and an opacity."""
    rgb = hex_colour.lstrip("#")
    return f"{round(opacity * 255):02x}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".lower()


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _style(parent: ET.Element, layer_id: str, precision: str, layer_style: dict[str, Any]
           ) -> None:
    look = PRECISION_LOOKS[precision]
    style = feature_style(layer_style, precision)
    line_opacity = LINE_OPACITY * (DASHED_OPACITY if look.dashed else 1.0)
    el = _el(parent, "Style", id=kml_id("style", layer_id, precision))
    icon = _el(el, "IconStyle")
    _el(icon, "color", _colour(str(style["color"]), POINT_LOOK["fill_opacity"]))
    _el(icon, "scale", "0.8")
    line = _el(el, "LineStyle")
    _el(line, "color", _colour(str(style["color"]), line_opacity))
    _el(line, "width", f"{float(style['weight']):g}")
    poly = _el(el, "PolyStyle")
    _el(poly, "color", _colour(str(style["fill_color"]), float(style["fill_opacity"])))
    _el(poly, "fill", "0" if look.outline_only else "1")
    _el(poly, "outline", "1")


def _number(v: float) -> str:
    text = f"{v:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _coordinates(coords: Iterable[tuple[float, ...]]) -> str:
    return " ".join(f"{_number(c[0])},{_number(c[1])}" for c in coords)


def _geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    kind = geom.geom_type
    if kind == "Point":
        _el(_el(parent, "Point"), "coordinates", _coordinates(geom.coords))
    elif kind == "LineString":
        line = _el(parent, "LineString")
        _el(line, "tessellate", "1")
        _el(line, "coordinates", _coordinates(geom.coords))
    elif kind == "Polygon":
        poly = _el(parent, "Polygon")
        _el(poly, "tessellate", "1")
        for tag, rings in (("outerBoundaryIs", [geom.exterior]),
                           ("innerBoundaryIs", list(geom.interiors))):
            for ring in rings:
                _el(_el(_el(poly, tag), "LinearRing"), "coordinates",
                    _coordinates(ring.coords))
    else:  # Multi* and collections
        multi = _el(parent, "MultiGeometry")
        for part in shapely.get_parts(geom):
            _geometry(multi, part)


def balloon(row: pd.Series, passages: list[dict], url: str | None = None) -> str:
    """The balloon, HTML as KML viewers render it: the structure is ours, every piece of place
    or plan text is escaped."""
    count = int(row["mention_count"])
    parts = [
        f"<p><b>{markup(str(row['name']))}</b>({markup(str(row['kind']))},"
        f"precision: {markup(str(row['precision']))})<br/>"
        f"规划提及 {count} 次 / mentioned {count} times</p>"
    ]
    for p in passages[:PASSAGES_SHOWN]:
        parts.append(f"<p>{markup(excerpt(p, limit=400))}</p>")
    if len(passages) > PASSAGES_SHOWN:
        parts.append(f"<p>(另有{len(passages) - PASSAGES_SHOWN}段 / "
                     f"{len(passages) - PASSAGES_SHOWN} more passages)</p>")
    if url:
        parts.append(f'<p><a href="{markup(url)}">{markup(url)}</a></p>')
    return "\n".join(parts)


def _schema(parent: ET.Element, columns: Sequence[str]) -> None:
    schema = _el(parent, "Schema", name="planmap", id=SCHEMA_ID)
    for col in columns:
        name = FIELD_NAMES.get(col, col)
        field = _el(schema, "SimpleField", name=name,
                    type="int" if col in INTEGER_COLUMNS else "string")
        _el(field, "displayName", name)


def _placemark(parent: ET.Element, layer_id: str, row: pd.Series, columns: Sequence[str],
               passages: list[dict]) -> None:
    mark = _el(parent, "Placemark", id=kml_id(layer_id, str(row["id"])))
    _el(mark, "name", markup(str(row["name"])))
    _el(mark, "description", balloon(row, passages, row["detail_url"]))
    precision = row["precision"] if row["precision"] in PRECISION_LOOKS else "surveyed"
    _el(mark, "styleUrl", "#" + kml_id("style", layer_id, precision))
    data = _el(_el(mark, "ExtendedData"), "SchemaData", schemaUrl="#" + SCHEMA_ID)
    for col in columns:
        value = row[col]
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            continue
        _el(data, "SimpleData", str(safe(value, MARKUP)), name=FIELD_NAMES.get(col, col))
    _geometry(mark, row["geometry"])


def write(store: PlanStore, layer_ids: Sequence[str], crs: CrsDef, path: Path,
          base_url: str | None) -> dict[str, int]:
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _el(root, "Document", id="planmap")
    _el(doc, "name", "planmap")
    _el(doc, "description", markup(f"planmap layers. {crs_note(crs)} {PASSAGE_POLICY} "
                                   f"{credit_note(store, layer_ids)}".rstrip()))
    for lid in layer_ids:
        for precision in PRECISION_LOOKS:
            _style(doc, lid, precision, store.layer(lid).style)
    frames = {lid: layer_frame(store, lid, crs, nested=False, base_url=base_url)
              for lid in layer_ids}
    columns = [c for c in next(iter(frames.values())).columns
               if c not in ("geometry", "name", "passages")]
    _schema(doc, columns)
    counts: dict[str, int] = {}
    for lid, gdf in frames.items():
        layer = store.layer(lid)
        folder = _el(doc, "Folder")
        _el(folder, "name", markup(f"{layer.title['zh']} / {layer.title['en']}"))
        _el(folder, "description", markup(
            f"{layer.description['zh']} {layer.description['en']} ({lid}) "
            f"{credit_note(store, [lid])}".rstrip()))
        for (_, row), text in zip(gdf.iterrows(), gdf["passages"], strict=True):
            _placemark(folder, lid, row, columns, json.loads(text))
        counts[lid] = len(gdf)
    with path.open("wb") as out:
        ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    return counts


FORMAT = ExportFormat(
    id="kml",
    title="KML (WGS-84 lon/lat): one folder per layer, atlas styles, policy text in the balloon",
    extension=".kml",
    media_type="application/vnd.google-earth.kml+xml",
    multi_layer=True,
    write=write,
    refuses=tuple(c.id for c in CRSES if not c.geographic or c.offset),
    refusal="KML coordinates are WGS-84 longitude/latitude by definition (a projected or "
            "GCJ-02/BD-09 file would be read as WGS-84; gpkg, shp and fgb carry those)",
)
