"""Downloads: layers written in the formats and coordinate systems GIS users work in.

Every file is written by geopandas/pyogrio (GDAL's drivers), never by hand, so what QGIS and
ArcGIS read is what GDAL wrote. The per-format rules:

- geojson  RFC 7946 when the CRS is WGS-84 (the default); in any other CRS the file is the older
           2008 GeoJSON with a `crs` member (EPSG:4490/4548) or none (GCJ-02) and a `description`
           saying so, because an unlabelled non-WGS-84 GeoJSON is a silent error. Nested lists
           (plans, years, passages) stay nested. Several layers → a ZIP of one file per layer.
- gpkg     every requested layer in one file, one table each, plus the `layer_metadata` table.
- kml      one file, one folder (Document) per layer; name in <name>, policy text in the balloon
           (<description>). KML is lon/lat by definition: EPSG:4548 is refused.
- csv      WKT geometry + properties, one file per layer (a ZIP for several) and a README sidecar;
           cells starting = + - @ TAB CR get a leading apostrophe (spreadsheet formula injection).
- shp      always a ZIP: per layer one shapefile per geometry family (_point, _line, _polygon —
           a shapefile holds one), UTF-8 with .cpg, 10-character field names (see FIELD_MAP),
           text cut at 254 bytes on a character boundary with "…", the full passages in
           passages.csv keyed by place id, and README.txt.
- fgb      FlatGeobuf, one file per layer (a ZIP for several); title and description in the header.

GCJ-02 is not a pyproj CRS: coordinates are shifted with geo.crs.project and written as plain
lon/lat with no CRS, and each file says in its own metadata that they are GCJ-02.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import warnings
import weakref
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import CGCS2000, GCJ02, GK117, WGS84, project
from geo.errors import BadRequest
from layers.store import FEATURE_PROPERTIES, LayerStore

FORMATS: dict[str, str] = {
    "geojson": "GeoJSON (RFC 7946 in WGS-84)",
    "gpkg": "GeoPackage: all layers in one file + layer_metadata table",
    "kml": "KML (lon/lat only): one folder per layer, policy text in the balloon",
    "csv": "CSV with WKT geometry (formula-injection safe)",
    "shp": "zipped ESRI Shapefile, UTF-8 (.cpg)",
    "fgb": "FlatGeobuf",
}
EXTENSIONS = {"geojson": ".geojson", "gpkg": ".gpkg", "kml": ".kml", "csv": ".csv",
              "shp": ".zip", "fgb": ".fgb"}

CRSES: dict[str, str] = {
    WGS84: "WGS-84 longitude/latitude (GPS, OpenStreetMap, GeoJSON)",
    CGCS2000: "CGCS2000 longitude/latitude (China's national datum; within centimetres of WGS-84)",
    GK117: "CGCS2000 / 3-degree Gauss-Kruger CM 117E, metres (for measuring in Beijing)",
    GCJ02: "GCJ-02 longitude/latitude (AMap/Gaode, Tencent): WGS-84 shifted by the GCJ-02 "
    "obfuscation, about 540 m in Haidian; not an EPSG CRS",
}
_CRS_ALIASES = {
    "4326": WGS84, "epsg:4326": WGS84, "wgs84": WGS84, "wgs-84": WGS84,
    "4490": CGCS2000, "epsg:4490": CGCS2000, "cgcs2000": CGCS2000,
    "4548": GK117, "epsg:4548": GK117,
    "gcj-02": GCJ02, "gcj02": GCJ02, "gcj": GCJ02,
}
# Formats that hold a single layer per file: several layers go into a ZIP.
SINGLE_LAYER = ("geojson", "csv", "fgb")
# Decimal places: 6 for degrees (~0.1 m, the gazetteer's own rounding), 3 for metres.
DECIMALS = {WGS84: 6, CGCS2000: 6, GCJ02: 6, GK117: 3}

# Shapefile field names are at most 10 characters: property → field.
FIELD_MAP: dict[str, str] = {
    "id": "id", "name": "name", "name_en": "name_en", "kind": "kind",
    "precision": "precision", "layer": "layer", "mention_count": "mentions", "plans": "plans",
    "years": "years", "first_year": "first_year", "last_year": "last_year",
    "excerpts": "excerpts", "source": "source", "parent": "parent", "note": "note",
    "detail_url": "detail_url",
}
SHP_TEXT_BYTES = 254
EXCERPTS_SHOWN = 3
KML_PASSAGES_SHOWN = 20
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]?")


@dataclass
class ExportResult:
    path: Path
    format: str
    crs: str
    layers: dict[str, int] = field(default_factory=dict)  # layer id -> feature count

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def normalise_crs(crs: str) -> str:
    key = crs.strip().lower()
    if key in _CRS_ALIASES:
        return _CRS_ALIASES[key]
    raise BadRequest(f"unknown CRS {crs!r} (choose from {', '.join(CRSES)})")


def normalise_format(fmt: str) -> str:
    key = fmt.strip().lower().lstrip(".")
    key = {"json": "geojson", "geopackage": "gpkg", "shapefile": "shp", "flatgeobuf": "fgb",
           "zip": "shp"}.get(key, key)
    if key not in FORMATS:
        raise BadRequest(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return key


def crs_note(crs: str) -> str:
    """The sentence each file carries about its coordinates."""
    if crs == GCJ02:
        return (
            "Coordinates are GCJ-02 (the AMap/Gaode/Tencent offset of WGS-84, about 540 m in "
            "Haidian), written as plain longitude/latitude with no CRS: overlay them on GCJ-02 "
            "basemaps only. 坐标为GCJ-02(火星坐标),仅适用于高德等GCJ-02底图。"
        )
    return f"Coordinates are {crs}: {CRSES[crs]}."


# ---------------------------------------------------------------------- tables


def excerpt(passage: dict, limit: int = 160) -> str:
    """The sentence of a passage that names the place, with its citation: short enough for a
    table cell, the whole paragraph staying in `passages`."""
    text = passage["text"]
    start = passage["mentions"][0][0] if passage["mentions"] else 0
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < max(m.end(), m.start() + 1):
            sentence = m.group(0).strip()
            break
    else:
        sentence = text
    if len(sentence) > limit:
        sentence = sentence[: limit - 1] + "…"
    return f"{passage['citation']}:{sentence}"


def excerpts_text(passages: Sequence[dict], shown: int = EXCERPTS_SHOWN) -> str:
    lines = [excerpt(p) for p in passages[:shown]]
    if len(passages) > shown:
        lines.append(f"(另有{len(passages) - shown}段 / {len(passages) - shown} more passages)")
    return "\n".join(lines)


def _round(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.round(xy, decimals))


# Projected geometries per store (a store never changes): (place id, crs) -> geometry.
_PROJECTED: weakref.WeakKeyDictionary[LayerStore, dict[tuple[str, str], BaseGeometry]] = (
    weakref.WeakKeyDictionary()
)

def _geometry(geom: BaseGeometry, crs: str) -> BaseGeometry:
    """Project, round, and orient polygons counter-clockwise (RFC 7946 right-hand rule).

    Places wholly outside China stay unshifted in GCJ-02 (geo.crs), as AMap draws them."""
    out = _round(project(geom, crs, WGS84), DECIMALS[crs])
    return shapely.orient_polygons(out, exterior_cw=False)


def layer_frame(store: LayerStore, layer_id: str, crs: str = WGS84, nested: bool = True
                ) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in the target CRS (no CRS set for GCJ-02).

    nested=True keeps plans/years/passages as lists (GeoJSON); otherwise they are flattened:
    plans and years as comma-separated text, passages as JSON text, plus `excerpts`.
    """
    feats = store.features(layer_id)
    rows = []
    for f in feats:
        props = {k: f["properties"].get(k) for k in FEATURE_PROPERTIES}
        if not nested:
            props["plans"] = ", ".join(props["plans"])
            props["years"] = ", ".join(str(y) for y in props["years"])
            props["excerpts"] = excerpts_text(props["passages"])
            props["passages"] = json.dumps(props["passages"], ensure_ascii=False)
        rows.append(props)
    columns = list(FEATURE_PROPERTIES) + ([] if nested else ["excerpts"])
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("mention_count", "first_year", "last_year"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    cache = _PROJECTED.setdefault(store, {})
    geoms = []
    for f in feats:
        key = (f["id"], crs)
        if key not in cache:  # plan layers repeat places; the GCJ-02 shift is per vertex
            cache[key] = _geometry(shape(f["geometry"]), crs)
        geoms.append(cache[key])
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries(geoms, index=frame.index),
        crs=None if crs == GCJ02 else crs,
    )


def table_name(layer_id: str) -> str:
    """GeoPackage table and shapefile name of a layer: ArcGIS accepts only letters, digits and
    underscores in table names, so the layer id's hyphens become underscores."""
    return layer_id.replace("-", "_")


def _is_text(frame: pd.DataFrame, col: str) -> bool:
    if col == "geometry":
        return False
    dtype = frame[col].dtype
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cut_bytes(text: str, limit: int = SHP_TEXT_BYTES) -> str:
    """Text within `limit` UTF-8 bytes, cut between characters and marked with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len("…".encode())
    out = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return out + "…"


# ---------------------------------------------------------------------- metadata


def layer_metadata(store: LayerStore, layer_ids: Iterable[str], crs: str,
                   counts: dict[str, int]) -> pd.DataFrame:
    rows = []
    for lid in layer_ids:
        layer = store.layer(lid)
        rows.append(
            {
                "layer_id": lid,
                "table_name": table_name(lid),
                "title_zh": layer.title["zh"],
                "title_en": layer.title["en"],
                "description_zh": layer.description["zh"],
                "description_en": layer.description["en"],
                "layer_group": layer.group,
                "theme": layer.theme,
                "defined_by": layer.defined_by,
                "feature_count": counts.get(lid, 0),
                "crs": crs,
                "crs_note": crs_note(crs),
                "style": json.dumps(layer.style, ensure_ascii=False),
                "generated": _now(),
                "passage_policy": PASSAGE_POLICY,
            }
        )
    return pd.DataFrame(rows)


PASSAGE_POLICY = (
    "passages: every paragraph (one line of the plan text) that names the place, with its "
    "citation (plan, year, chapter/section, line) and the character offsets of each mention; "
    "in time order (plan date, then line). excerpts: the sentence naming the place from the "
    "first passages."
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def readme_text(store: LayerStore, layer_ids: Sequence[str], fmt: str, crs: str,
                counts: dict[str, int], extra: str = "") -> str:
    lines = [
        "planmap export",
        f"format: {fmt} ({FORMATS[fmt]})",
        f"crs: {crs}",
        crs_note(crs),
        "",
        "layers:",
    ]
    for lid in layer_ids:
        layer = store.layer(lid)
        cite = f" — defined by {layer.defined_by}" if layer.defined_by else ""
        lines.append(f"  {lid}: {layer.title['zh']} / {layer.title['en']} "
                     f"({counts.get(lid, 0)} features){cite}")
    lines += ["", PASSAGE_POLICY]
    if extra:
        lines += ["", extra]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- writers


def _write_geojson(store: LayerStore, lid: str, crs: str, path: Path) -> int:
    gdf = layer_frame(store, lid, crs, nested=True)
    layer = store.layer(lid)
    data = gdf.to_geo_dict(na="null", drop_id=True)
    for feature, pid in zip(data["features"], gdf["id"], strict=True):
        feature["id"] = pid
    doc: dict[str, object] = {"type": "FeatureCollection", "name": lid}
    if crs in (CGCS2000, GK117):
        code = crs.split(":")[1]
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{code}"}}
    description = f"{layer.title['zh']} / {layer.title['en']}. {layer.description['en']}"
    if crs != WGS84:
        description += " NOT RFC 7946 (which requires WGS-84). " + crs_note(crs)
    doc["description"] = description
    doc["features"] = data["features"]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return len(gdf)


def _write_csv(store: LayerStore, lid: str, crs: str, path: Path) -> int:
    gdf = layer_frame(store, lid, crs, nested=False)
    for col in gdf.columns:
        if _is_text(gdf, col):
            gdf[col] = gdf[col].map(neutralise)
    pyogrio.write_dataframe(gdf, path, driver="CSV", layer=lid,
                            layer_options={"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES",
                                           "WRITE_BOM": "YES"})
    return len(gdf)


def _write_fgb(store: LayerStore, lid: str, crs: str, path: Path) -> int:
    gdf = layer_frame(store, lid, crs, nested=False)
    layer = store.layer(lid)
    pyogrio.write_dataframe(
        gdf, path, driver="FlatGeobuf", layer=lid,
        layer_options={
            "TITLE": layer.title["zh"],
            "DESCRIPTION": f"{layer.title['en']}. {layer.description['en']} {crs_note(crs)}",
        },
    )
    return len(gdf)


def _kml_description(row: pd.Series, passages: list[dict]) -> str:
    """The balloon. Google Earth and most KML viewers render <description> as HTML, so every
    piece of place or plan text is escaped and the structure is ours."""
    e = html.escape
    parts = [
        f"<p><b>{e(str(row['name']))}</b>({e(str(row['kind']))},"
        f"precision: {e(str(row['precision']))})<br/>"
        f"规划提及 {int(row['mention_count'])} 次 / mentioned {int(row['mention_count'])} times</p>"
    ]
    for p in passages[:KML_PASSAGES_SHOWN]:
        parts.append(f"<p>{e(excerpt(p, limit=400))}</p>")
    if len(passages) > KML_PASSAGES_SHOWN:
        more = len(passages) - KML_PASSAGES_SHOWN
        parts.append(f"<p>(另有{more}段,见 {e('/places/' + str(row['id']))})</p>")
    return "\n".join(parts)


def _write_kml(store: LayerStore, layer_ids: Sequence[str], crs: str, path: Path
               ) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i, lid in enumerate(layer_ids):
        gdf = layer_frame(store, lid, crs, nested=False)
        passages = [json.loads(p) for p in gdf["passages"]]
        gdf.insert(2, "description", [
            _kml_description(row, ps) for (_, row), ps in zip(gdf.iterrows(), passages,
                                                               strict=True)
        ])
        gdf = gdf.drop(columns=["passages"])
        layer = store.layer(lid)
        options: dict[str, object] = {
            "layer": lid,
            "layer_options": {"DESCRIPTION": f"{layer.title['zh']} / {layer.title['en']}"},
        }
        if i == 0:
            options["dataset_options"] = {
                "NAME": "planmap",
                "DESCRIPTION": f"planmap layers. {crs_note(crs)} {PASSAGE_POLICY}",
            }
        else:
            options["append"] = True
        pyogrio.write_dataframe(gdf, path, driver="LIBKML", **options)
        counts[lid] = len(gdf)
    return counts


def _write_gpkg(store: LayerStore, layer_ids: Sequence[str], crs: str, path: Path
                ) -> dict[str, int]:
    counts: dict[str, int] = {}
    # The file is private until export() moves it into place, so SQLite need not fsync after
    # every table (three times faster for --all). GeoPackage 1.2 so that older GDAL (Debian's
    # 3.6), QGIS and ArcGIS open it without a version warning.
    previous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        for i, lid in enumerate(layer_ids):
            gdf = layer_frame(store, lid, crs, nested=False)
            layer = store.layer(lid)
            pyogrio.write_dataframe(
                gdf, path, driver="GPKG", layer=table_name(lid),
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                layer_options={
                    "IDENTIFIER": f"{layer.title['zh']} ({lid})",
                    "DESCRIPTION": f"{layer.title['en']}. {layer.description['en']} "
                    f"{crs_note(crs)}",
                },
            )
            counts[lid] = len(gdf)
        meta = layer_metadata(store, layer_ids, crs, counts)
        pyogrio.write_dataframe(meta, path, driver="GPKG", layer="layer_metadata")
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": previous})
    return counts


_FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
             "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}


def _write_shp(store: LayerStore, layer_ids: Sequence[str], crs: str, path: Path
               ) -> dict[str, int]:
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="planmap-shp-") as tmp:
        folder = Path(tmp)
        passages_rows = []
        for lid in layer_ids:
            gdf = layer_frame(store, lid, crs, nested=False)
            for pid, text in zip(gdf["id"], gdf["passages"], strict=True):
                for p in json.loads(text):
                    passages_rows.append({"layer_id": lid, "place_id": pid, **{
                        k: p[k] for k in ("plan_id", "year", "line", "citation", "text")}})
            gdf = gdf.drop(columns=["passages"])
            gdf["detail_url"] = "/places/" + gdf["id"]
            for col in gdf.columns:
                if _is_text(gdf, col):
                    gdf[col] = gdf[col].map(lambda v: cut_bytes(v) if isinstance(v, str) else v)
            gdf = gdf.rename(columns=FIELD_MAP)
            families = gdf.geometry.geom_type.map(_FAMILIES)
            for family in ("point", "line", "polygon"):
                part = gdf[families == family]
                if len(part):
                    pyogrio.write_dataframe(part, folder / f"{table_name(lid)}_{family}.shp",
                                            driver="ESRI Shapefile", encoding="UTF-8",
                                            promote_to_multi=True)
            counts[lid] = len(gdf)
        pd.DataFrame(passages_rows, columns=[
            "layer_id", "place_id", "plan_id", "year", "line", "citation", "text",
        ]).to_csv(folder / "passages.csv", index=False, encoding="utf-8-sig")
        mapping = "\n".join(f"  {k} -> {v}" for k, v in FIELD_MAP.items())
        (folder / "README.txt").write_text(readme_text(
            store, layer_ids, "shp", crs, counts,
            extra=(
                "One shapefile per layer and geometry family (<layer>_point/_line/_polygon.shp, "
                "hyphens of layer ids written as underscores):"
                " a shapefile holds one geometry type. Text is UTF-8 (.cpg).\n"
                "Field names (property -> shapefile field, at most 10 characters):\n"
                f"{mapping}\n"
                "Text longer than 254 bytes is cut between characters and ends with '…'. The "
                "full policy text of every place is in passages.csv (place_id = the id field), "
                "and on the planmap site at detail_url."
                + ("\nNo .prj: GCJ-02 has no CRS definition." if crs == GCJ02 else "")
            ),
        ), encoding="utf-8")
        _zip_folder(folder, path)
    return counts


def _zip_folder(folder: Path, path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)


_SINGLE_WRITERS = {"geojson": _write_geojson, "csv": _write_csv, "fgb": _write_fgb}


def _check_target(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadRequest(f"cannot write {path}: it is a directory")
    if not parent.is_dir():
        raise BadRequest(f"cannot write {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadRequest(f"cannot write {path}: permission denied")


def export(store: LayerStore, layer_ids: Sequence[str], fmt: str, crs: str, path: Path | str
           ) -> ExportResult:
    """Write layers to `path`; refuses (BadRequest/NotFound) before writing anything."""
    fmt = normalise_format(fmt)
    crs = normalise_crs(crs)
    path = Path(path)
    if not layer_ids:
        raise BadRequest("no layers to export")
    for lid in layer_ids:
        store.layer(lid)  # NotFound for an unknown layer
    if fmt == "kml" and crs == GK117:
        raise BadRequest(
            "KML coordinates are longitude/latitude by definition: choose EPSG:4326, EPSG:4490 "
            "or GCJ-02, or another format for EPSG:4548"
        )
    if len(layer_ids) > 1 and fmt in SINGLE_LAYER and path.suffix.lower() != ".zip":
        raise BadRequest(
            f"{fmt} holds one layer per file: several layers are written as a ZIP of one file "
            f"per layer, so give -o a .zip path (or use gpkg/kml, which hold many layers)"
        )
    if fmt == "shp" and path.suffix.lower() == ".shp":
        raise BadRequest("shapefile downloads are zipped (several files a layer): give a .zip path")
    _check_target(path)
    # Write next to the target and move into place, so a failed export leaves no half file.
    tmp_dir = Path(tempfile.mkdtemp(prefix=".planmap-export-", dir=path.parent))
    try:
        result = _export_into(store, list(layer_ids), fmt, crs, tmp_dir, path.name)
        for extra in tmp_dir.iterdir():  # sidecars: README, GDAL's .csvt
            if extra.is_file() and extra != result.path:
                os.replace(extra, path.parent / extra.name)
        os.replace(result.path, path)
        result.path = path
        return result
    except PermissionError as exc:
        raise BadRequest(f"cannot write {path}: {exc.strerror}") from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _export_into(store: LayerStore, layer_ids: list[str], fmt: str, crs: str, folder: Path,
                 name: str) -> ExportResult:
    with warnings.catch_warnings():
        # GCJ-02 is written without a CRS on purpose (each file says so), and GDAL's notes on
        # shapefile text widths are handled by cut_bytes: neither is news to the user.
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        warnings.filterwarnings("ignore", message=".*has been truncated to 254")
        return _write_all(store, layer_ids, fmt, crs, folder, name)


def _write_all(store: LayerStore, layer_ids: list[str], fmt: str, crs: str, folder: Path,
               name: str) -> ExportResult:
    """Write into `folder`; the main file is renamed to `name` by the caller. GDAL picks
    behaviour from the extension (a FlatGeobuf path without .fgb becomes a directory), so the
    file is first written under its format's own extension."""
    stem = Path(name).stem
    single = len(layer_ids) == 1 and fmt in SINGLE_LAYER
    target = folder / (stem + (EXTENSIONS[fmt] if single or fmt not in SINGLE_LAYER else ".zip"))
    if target.name == name:
        target = folder / ("." + target.name)
    counts: dict[str, int]
    if fmt == "gpkg":
        counts = _write_gpkg(store, layer_ids, crs, target)
    elif fmt == "kml":
        counts = _write_kml(store, layer_ids, crs, target)
    elif fmt == "shp":
        counts = _write_shp(store, layer_ids, crs, target)
    elif single:
        lid = layer_ids[0]
        counts = {lid: _SINGLE_WRITERS[fmt](store, lid, crs, target)}
        if fmt == "csv":
            (folder / (name + ".README.txt")).write_text(
                readme_text(store, layer_ids, fmt, crs, counts, extra=CSV_NOTE), encoding="utf-8")
            csvt = target.with_suffix(".csvt")
            if csvt.exists():  # GDAL's column types, named after the final file
                os.replace(csvt, folder / (stem + ".csvt"))
    else:
        inner = folder / "parts"
        inner.mkdir()
        counts = {}
        for lid in layer_ids:
            counts[lid] = _SINGLE_WRITERS[fmt](store, lid, crs, inner / f"{lid}{EXTENSIONS[fmt]}")
        (inner / "README.txt").write_text(
            readme_text(store, layer_ids, fmt, crs, counts,
                        extra=CSV_NOTE if fmt == "csv" else ""), encoding="utf-8")
        _zip_folder(inner, target)
        shutil.rmtree(inner)
    return ExportResult(path=target, format=fmt, crs=crs, layers=counts)


CSV_NOTE = (
    "CSV: geometry as WKT in the first column; plans and years comma-separated; passages as "
    "JSON text; text cells that begin with = + - @ or a tab/CR are prefixed with an apostrophe "
    "so spreadsheets do not run them as formulas. UTF-8 with a byte-order mark, so Excel "
    "reads the Chinese text correctly."
)
