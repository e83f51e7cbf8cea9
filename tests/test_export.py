"""Every export format × coordinate system, written and read back with pyogrio (and ogrinfo)."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from gis_readers import validate_gpkg
from layers_fixtures import (
    FORMULA_NOTE,
    FORMULA_SOURCE,
    LONG_NOTE,
    fixture_store,
    make_data_dir,
)
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import BD09, CGCS2000, GCJ02, GK39, GK117, WEB_MERCATOR, WGS84, project
from geo.crs_names import CRSES, by_id
from geo.errors import BadRequest, NotFound
from layers.export import (
    FIELD_MAP,
    FORMATS,
    cut_bytes,
    export,
    export_crs,
    neutralise,
    table_name,
    table_names,
)
from layers.store import LayerStore

ALL_CRSES = tuple(c.id for c in CRSES)
OFFSETS = (GCJ02, BD09)
PROJECTED = (GK117, GK39, WEB_MERCATOR)
TWO_LAYERS = ["parks", "plan-haidian-14th-fyp"]
ONE_LAYER = ["plan-haidian-14th-fyp"]  # points, lines and polygons together
BASE_URL = "https://planmap.example.org/atlas"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LayerStore:
    return fixture_store(make_data_dir(tmp_path_factory.mktemp("export-data")))


def refused(fmt: str, crs: str) -> bool:
    return not FORMATS[fmt].offers(by_id(crs))


def _tables(path: Path, fmt: str, store: LayerStore, lid: str, crs: str, zipped: bool
            ) -> list[str]:
    """GDAL paths (or GeoPackage table names) of every table of one layer."""
    names = table_names(store, lid, by_id(crs))
    if fmt == "gpkg":
        return names
    if fmt == "shp":
        return [f"/vsizip/{path}/{n}.shp" for n in names]
    if fmt == "fgb":
        return [f"/vsizip/{path}/{n}.fgb" for n in names] if zipped else [str(path)]
    ext = {"geojson": ".geojson", "csv": ".csv"}.get(fmt)
    return [f"/vsizip/{path}/{lid}{ext}"] if zipped else [str(path)]


def _read_back(path: Path, fmt: str, layer_ids: list[str], store: LayerStore,
               crs: str = WGS84) -> dict[str, gpd.GeoDataFrame]:
    """Each layer as GDAL reads it, with field names mapped back to property names."""
    out: dict[str, gpd.GeoDataFrame] = {}
    zipped = path.suffix == ".zip"
    for lid in layer_ids:
        if fmt == "kml":
            layer = store.layer(lid)
            frame = pyogrio.read_dataframe(path, layer=f"{layer.title['zh']} / "
                                                       f"{layer.title['en']}")
            frame = frame.drop(columns=["id"]).rename(columns={"place_id": "id"})
        else:
            parts = []
            for t in _tables(path, fmt, store, lid, crs, zipped):
                parts.append(pyogrio.read_dataframe(path, layer=t) if fmt == "gpkg"
                             else pyogrio.read_dataframe(t))
            frame = pd.concat(parts, ignore_index=True)
            if fmt == "shp":
                frame = frame.rename(columns={v: k for k, v in FIELD_MAP.items()})
        frame.columns = [c.lower() for c in frame.columns]  # KML reads name back as Name
        out[lid] = frame
    return out


def _to_wgs84(geom: BaseGeometry, crs: str) -> BaseGeometry:
    return project(geom, WGS84, crs)


def _metres_apart(a: BaseGeometry, b: BaseGeometry) -> float:
    return project(a, GK117).hausdorff_distance(project(b, GK117))


def _kept(store: LayerStore, lid: str, crs: str) -> dict[str, dict]:
    """The layer's features that an export in `crs` holds: all but those outside a projected
    CRS's area of use (the fixture's Germany, for EPSG:4548/4527)."""
    features = {f["id"]: f for f in store.features(lid)}
    if crs in (GK117, GK39):
        features.pop("deguo", None)
    return features


def _check_layer(store: LayerStore, lid: str, frame: gpd.GeoDataFrame, fmt: str, crs: str
                 ) -> None:
    features = _kept(store, lid, crs)
    assert len(frame) == len(features) > 0
    assert sorted(frame["id"]) == sorted(features)
    tolerance = 1.0 if crs in OFFSETS else 0.01  # metres
    written_crs = WGS84 if fmt == "kml" and crs == CGCS2000 else crs  # KML is always lon/lat
    for row in frame.itertuples():
        source = features[row.id]
        assert row.name == source["properties"]["name"]  # Chinese intact
        back = _to_wgs84(row.geometry, written_crs)
        apart = _metres_apart(back, shape(source["geometry"]))
        assert apart < tolerance, f"{fmt} {crs} {row.id}: {apart:.4f} m off"


@pytest.mark.parametrize("crs", ALL_CRSES)
@pytest.mark.parametrize("fmt", [f for f in FORMATS if not FORMATS[f].style_only])
def test_every_format_and_crs_reads_back(store: LayerStore, tmp_path: Path, fmt: str, crs: str
                                         ) -> None:
    if refused(fmt, crs):
        with pytest.raises(BadRequest, match=r"by definition|cannot declare|only in a \.prj"):
            export(store, ONE_LAYER, fmt, crs, tmp_path / f"x.{fmt}")
        assert not list(tmp_path.iterdir())  # refused before writing anything
        return
    layers = TWO_LAYERS if fmt in ("gpkg", "kml", "shp") else ONE_LAYER
    path = tmp_path / ("out.zip" if fmt in ("shp", "fgb") else f"out.{fmt}")
    result = export(store, layers, fmt, crs, path)
    assert result.path == path and path.is_file() and result.size > 0
    assert result.layers == {lid: len(_kept(store, lid, crs)) for lid in layers}
    for lid, frame in _read_back(path, fmt, layers, store, crs).items():
        _check_layer(store, lid, frame, fmt, crs)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".planmap-export")]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if not FORMATS[f].style_only])
def test_an_empty_layer_exports_cleanly(store: LayerStore, tmp_path: Path, fmt: str) -> None:
    assert store.features("services") == []  # no fixture place is a public service
    path = tmp_path / ("out.zip" if fmt == "shp" else f"out.{fmt}")
    assert export(store, ["services"], fmt, WGS84, path).layers == {"services": 0}
    if fmt != "shp":  # a shapefile ZIP of an empty layer holds only README and passages.csv
        assert len(_read_back(path, fmt, ["services"], store)["services"]) == 0


@pytest.mark.parametrize("fmt", ["geojson", "csv", "fgb"])
def test_several_layers_of_single_layer_formats_go_into_a_zip(
        store: LayerStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "layers.zip"
    export(store, TWO_LAYERS, fmt, WGS84, path)
    assert "README.txt" in zipfile.ZipFile(path).namelist()
    for lid, frame in _read_back(path, fmt, TWO_LAYERS, store).items():
        _check_layer(store, lid, frame, fmt, WGS84)
    with pytest.raises(BadRequest, match=r"give -o a \.zip path"):
        export(store, TWO_LAYERS, fmt, WGS84, tmp_path / f"layers.{fmt}")


# ------------------------------------------------------------ one geometry type per table/file

def test_mixed_layers_get_a_table_per_geometry_family(store: LayerStore, tmp_path: Path
                                                      ) -> None:
    path = tmp_path / "all.gpkg"
    ids = store.layer_ids()
    export(store, ids, "gpkg", WGS84, path)
    listed = dict(pyogrio.list_layers(path))
    expected = [t for lid in ids for t in table_names(store, lid, by_id(WGS84))]
    assert sorted(listed) == sorted([*expected, "layer_metadata", "layer_styles"])
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in listed)  # ArcGIS-safe
    mixed = table_names(store, "plan-haidian-14th-fyp", by_id(WGS84))
    assert mixed == ["plan_haidian_14th_fyp_points", "plan_haidian_14th_fyp_lines",
                     "plan_haidian_14th_fyp_polygons"]
    family = {"points": {"Point"}, "lines": {"LineString", "MultiLineString"},
              "polygons": {"Polygon", "MultiPolygon"}}
    for name in mixed:
        frame = pyogrio.read_dataframe(path, layer=name)
        assert set(frame.geom_type) <= family[name.rsplit("_", 1)[1]]
        assert listed[name] in {"Point", "MultiPoint", "LineString", "MultiLineString",
                                "Polygon", "MultiPolygon"}  # a declared type, not GEOMETRY
    with sqlite3.connect(path) as db:
        contents = dict(db.execute("SELECT table_name, identifier FROM gpkg_contents"))
    points = contents["plan_haidian_14th_fyp_points"]
    assert points.endswith("（点） (plan_haidian_14th_fyp_points)")


def test_fgb_of_a_mixed_layer_is_a_zip_of_one_file_per_type(store: LayerStore, tmp_path: Path
                                                            ) -> None:
    with pytest.raises(BadRequest, match="one geometry type per file"):
        export(store, ONE_LAYER, "fgb", WGS84, tmp_path / "one.fgb")
    path = tmp_path / "one.zip"
    export(store, ONE_LAYER, "fgb", WGS84, path)
    names = set(zipfile.ZipFile(path).namelist())
    assert names == {"README.txt", *(f"{n}.fgb" for n in table_names(
        store, ONE_LAYER[0], by_id(WGS84)))}
    for n in names - {"README.txt"}:
        info = pyogrio.read_info(f"/vsizip/{path}/{n}")
        assert info["geometry_type"] != "Unknown" and "（" in info["layer_metadata"]["TITLE"]


# ------------------------------------------------------------------- coordinate systems

@pytest.mark.parametrize("crs", [CGCS2000, GK117, GK39, WEB_MERCATOR])
def test_non_wgs84_geojson_says_so(store: LayerStore, tmp_path: Path, crs: str) -> None:
    path = tmp_path / "parks.geojson"
    export(store, ["parks"], "geojson", crs, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "NOT RFC 7946" in doc["description"]
    assert doc["crs"]["properties"]["name"].endswith(crs.split(":")[1])
    assert pyogrio.read_info(path)["crs"] == crs


def test_geojson_is_rfc7946_in_wgs84(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "parks.geojson"
    export(store, ["parks"], "geojson", WGS84, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in doc
    polygons = 0
    for f in doc["features"]:
        geom = shape(f["geometry"])
        assert f["id"] == f["properties"]["id"]
        assert isinstance(f["properties"]["passages"], list)  # nested, not JSON text
        assert isinstance(f["properties"]["plans"], list)
        for x, y in shapely.get_coordinates(geom):
            assert round(x, 6) == x and round(y, 6) == y
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type == "Polygon":
                polygons += 1
                assert poly.exterior.is_ccw  # right-hand rule; the fixture is clockwise
    assert polygons


@pytest.mark.parametrize("crs", OFFSETS)
def test_offset_files_carry_a_named_crs_that_is_not_wgs84(store: LayerStore, tmp_path: Path,
                                                          crs: str) -> None:
    """GCJ-02/BD-09 GeoPackage, FlatGeobuf and shapefile declare a custom CRS no reader takes
    for WGS-84; GeoJSON, KML and CSV, which cannot declare one, refuse."""
    definition = by_id(crs)
    export(store, TWO_LAYERS, "gpkg", crs, tmp_path / "a.gpkg")
    with sqlite3.connect(tmp_path / "a.gpkg") as db:
        srs = db.execute("SELECT srs_id, srs_name, organization, organization_coordsys_id, "
                         "definition, description FROM gpkg_spatial_ref_sys WHERE srs_id > 0 "
                         "AND srs_id != 4326").fetchall()
        used = {r[0] for r in db.execute("SELECT srs_id FROM gpkg_geometry_columns")}
        descriptions = [r[0] for r in db.execute("SELECT description FROM gpkg_contents "
                                                 "WHERE data_type = 'features'")]
    ((srs_id, name, org, code, wkt, description),) = srs
    assert used == {srs_id} and srs_id != 99999
    assert name == f"{crs} ({definition.overlay_for} overlay; not WGS-84)"
    assert org == "planmap" and code > 0 and definition.overlay_for in description
    parsed = pyproj.CRS.from_wkt(wkt)
    assert parsed.name == name and not parsed.equals("EPSG:4326") and parsed.to_epsg() is None
    assert all("NOT WGS-84" in d for d in descriptions)
    meta = pyogrio.read_dataframe(tmp_path / "a.gpkg", layer="layer_metadata")
    assert set(meta["crs"]) == {crs} and all(definition.overlay_for in n for n in meta["crs_note"])
    table = table_names(store, "parks", definition)[0]
    assert "not WGS-84" in pyogrio.read_info(tmp_path / "a.gpkg", layer=table)["crs"]
    export(store, ["nodes"], "fgb", crs, tmp_path / "a.fgb")
    info = pyogrio.read_info(tmp_path / "a.fgb")
    assert "not WGS-84" in info["crs"] and crs in info["layer_metadata"]["DESCRIPTION"]
    export(store, ONE_LAYER, "shp", crs, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert crs in zf.read("README.txt").decode("utf-8")
        prjs = [n for n in zf.namelist() if n.endswith(".prj")]
        # ESRI's WKT flavour: GCS_GCJ-02_AMap_Gaode_overlay_not_WGS-84
        assert prjs and all(f"GCS_{crs}_" in zf.read(n).decode() and "not_WGS-84" in
                            zf.read(n).decode() for n in prjs)
    for fmt in ("geojson", "kml", "csv"):
        with pytest.raises(BadRequest, match="WGS-84"):
            export(store, ["parks"], fmt, crs, tmp_path / f"a.{fmt}")


def test_offsets_leave_places_outside_mainland_china_unshifted(store: LayerStore,
                                                               tmp_path: Path) -> None:
    export(store, ["regional"], "gpkg", GCJ02, tmp_path / "r.gpkg")
    table = table_names(store, "regional", by_id(GCJ02))[-1]
    frame = pyogrio.read_dataframe(tmp_path / "r.gpkg", layer=table).set_index("id")
    germany = shape(store.feature("deguo")["geometry"])
    assert frame.loc["deguo", "geometry"].equals_exact(shapely.orient_polygons(germany), 1e-9)
    assert frame.loc["deguo", "geometry"].is_valid


@pytest.mark.parametrize("crs", [GK117, GK39])
def test_projected_exports_leave_out_places_outside_the_area_of_use(
        store: LayerStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], crs: str) -> None:
    result = export(store, ["regional"], "gpkg", crs, tmp_path / "r.gpkg")
    assert result.left_out == {"regional": ["deguo"]} and result.left_out_count == 1
    assert result.layers["regional"] == len(store.features("regional")) - 1
    meta = pyogrio.read_dataframe(tmp_path / "r.gpkg", layer="layer_metadata")
    assert list(meta["left_out_count"]) == [1] and list(meta["left_out_ids"]) == ["deguo"]
    assert "area of use" in meta["crs_note"][0]
    for other in (WGS84, WEB_MERCATOR):  # Germany is inside these
        assert export(store, ["regional"], "gpkg", other, tmp_path / "w.gpkg").left_out == {}


def test_cli_prints_the_left_out_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    from webmap.cli import main

    assert main(["export", "--layer", "regional", "--format", "gpkg", "--crs", "4548", "-o",
                 str(tmp_path / "r.gpkg")]) == 0
    out = capsys.readouterr().out
    left = re.search(r"(\d+) outside EPSG:4548's area of use left out", out)
    assert left and int(left.group(1)) >= 5  # USA, Germany, the EU, Singapore, Israel …


# -------------------------------------------------------------------- shapefile for ArcGIS

def _shp_type(data: bytes) -> int:
    return int.from_bytes(data[32:36], "little")


def test_shapefile_types_widths_and_urls(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    export(store, store.layer_ids(), "shp", WGS84, path, base_url=BASE_URL + "/")
    with zipfile.ZipFile(path) as zf:
        shps = {n: _shp_type(zf.read(n)) for n in zf.namelist() if n.endswith(".shp")}
    points = [n for n in shps if n in ("nodes.shp",) or n.endswith("_points.shp")]
    assert points and all(shps[n] == 1 for n in points)  # Point, not MultiPoint (8)
    assert set(shps.values()) <= {1, 3, 5}
    for name in shps:
        info = subprocess.run(["ogrinfo", "-ro", "-so", "-al", f"/vsizip/{path}/{name}"],
                              capture_output=True, text=True, timeout=60, check=True).stdout
        for field in ("error_m", "mentions", "first_year", "last_year"):
            width = re.search(rf"^{field}: Integer \((\d+)\.0\)$", info, re.M)
            assert width and int(width.group(1)) <= 10, (name, field, info)
    frame = _read_back(path, "shp", ["parks"], store)["parks"]
    assert all(frame["detail_url"] == BASE_URL + "/places/" + frame["id"])


def test_detail_url_is_absolute_or_empty(store: LayerStore, tmp_path: Path) -> None:
    export(store, ["parks"], "gpkg", WGS84, tmp_path / "a.gpkg", base_url=BASE_URL)
    export(store, ["parks"], "gpkg", WGS84, tmp_path / "b.gpkg")
    table = table_names(store, "parks", by_id(WGS84))[0]
    with_url = pyogrio.read_dataframe(tmp_path / "a.gpkg", layer=table)
    assert all(u == f"{BASE_URL}/places/{i}" for u, i in zip(with_url["detail_url"],
                                                            with_url["id"], strict=True))
    assert pyogrio.read_dataframe(tmp_path / "b.gpkg", layer=table)["detail_url"].isna().all()
    for bad in ("planmap.example.org", "ftp://x", "http://", "javascript:alert(1)"):
        with pytest.raises(BadRequest, match="base URL"):
            export(store, ["parks"], "gpkg", WGS84, tmp_path / "c.gpkg", base_url=bad)


def test_shapefile_text_cut_at_character_boundary(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "parks.zip"
    export(store, ["parks"], "shp", WGS84, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert {"README.txt", "passages.csv"} <= set(names)
        cpgs = [n for n in names if n.endswith(".cpg")]
        assert cpgs and all(zf.read(n).decode().strip().upper() in ("UTF-8", "UTF8") for n in cpgs)
        full = pd.read_csv(io.BytesIO(zf.read("passages.csv")), encoding="utf-8-sig")
    frame = _read_back(path, "shp", ["parks"], store)["parks"]
    note = frame[frame["id"] == "zhongguancunruanjianyuan"].iloc[0]["note"]
    assert len(note.encode("utf-8")) <= 254
    assert note.endswith("…") and LONG_NOTE.startswith(note[:-1])
    assert len(frame.columns) == len(set(frame.columns))
    assert all(len(v) <= 10 for v in FIELD_MAP.values())
    assert set(full["place_id"]) == {f["id"] for f in store.features("parks")
                                     if f["properties"]["passages"]}


# ----------------------------------------------------------------------------- GeoPackage

def test_gpkg_metadata_and_style_tables(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "all.gpkg"
    ids = store.layer_ids()
    export(store, ids, "gpkg", WGS84, path)
    meta = pyogrio.read_dataframe(path, layer="layer_metadata").set_index("layer_id")
    assert meta.loc["plan-haidian-14th-fyp", "table_name"] == (
        "plan_haidian_14th_fyp_points, plan_haidian_14th_fyp_lines, "
        "plan_haidian_14th_fyp_polygons")
    assert meta.loc["parks", "title_zh"] == "产业园区"
    assert meta.loc["parks", "feature_count"] == len(store.features("parks"))
    assert "第353行" in meta.loc["bage-chuangxin-jiedian", "defined_by"]
    styles = pyogrio.read_dataframe(path, layer="layer_styles")
    tables = [t for lid in ids for t in table_names(store, lid, by_id(WGS84))]
    assert sorted(styles["f_table_name"]) == sorted(tables)
    assert styles["useAsDefault"].all() and set(styles["f_geometry_column"]) == {"geom"}
    for qml, sld in zip(styles["styleQML"], styles["styleSLD"], strict=True):
        assert "<renderer-v2" in qml and "StyledLayerDescriptor" in sld


@pytest.mark.gdal
@pytest.mark.parametrize("crs", [WGS84, GK117, WEB_MERCATOR, GCJ02, BD09])
def test_debian_validate_gpkg_passes(store: LayerStore, tmp_path: Path, crs: str) -> None:
    """GDAL's own GeoPackage validator (Debian python3-gdal) on every table of every layer."""
    path = tmp_path / "all.gpkg"
    export(store, store.layer_ids(), "gpkg", crs, path)
    assert validate_gpkg(path) == ""


# ------------------------------------------------------------------------------ CSV, text

def test_csv_neutralises_formulas(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "heritage.csv"
    export(store, ["heritage"], "csv", WGS84, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads the Chinese as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == "yiheyuan")
    assert row["note"] == "'" + FORMULA_NOTE
    assert row["source"] == "'" + FORMULA_SOURCE
    assert row["WKT"].startswith("POLYGON")
    for r in rows:
        for key, value in r.items():
            if key != "WKT":
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (key, value)
    assert json.loads(row["passages"])[0]["citation"]


def test_neutralise() -> None:
    for bad in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("中关村") == "中关村" and neutralise(-1) == -1


def test_excerpt_is_the_sentence_naming_the_place() -> None:
    from layers.export import excerpt, excerpts_text

    passage = {"citation": "《规划》(第3行)", "text": "第一句。推进清河整治;打造廊道。第三句。",
               "mentions": [[6, 8]]}
    assert excerpt(passage) == "《规划》(第3行):推进清河整治;"
    assert excerpt({**passage, "mentions": [[16, 18]]}).endswith(":第三句。")
    text = excerpts_text([passage] * 5)
    assert text.count("《规划》") == 3 and "2 more passages" in text


def test_cut_bytes() -> None:
    text = "北清路" * 100
    cut = cut_bytes(text, 254)
    assert len(cut.encode("utf-8")) <= 254 and cut.endswith("…")
    assert cut_bytes("short") == "short"
    assert cut_bytes("a" * 300).endswith("…")


@pytest.mark.gdal
@pytest.mark.parametrize(("fmt", "name"), [("gpkg", "out.gpkg"), ("shp", "out.zip"),
                                          ("fgb", "out.zip"), ("kml", "out.kml")])
def test_debian_ogrinfo_reads_exports(store: LayerStore, tmp_path: Path, fmt: str, name: str
                                      ) -> None:
    path = tmp_path / name
    export(store, ["parks"], fmt, CGCS2000, path)
    targets = [str(path)]
    if path.suffix == ".zip":
        targets = [f"/vsizip/{path}/{n}" for n in zipfile.ZipFile(path).namelist()
                   if n.endswith((".shp", ".fgb"))]
    listing = summary = ""
    for target in targets:
        run = subprocess.run(["ogrinfo", "-ro", "-al", "-q", target], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        listing += run.stdout
        summary += subprocess.run(["ogrinfo", "-ro", "-al", "-so", target],
                                  capture_output=True, text=True, timeout=60).stdout
    assert "中关村软件园" in listing
    # KML is WGS-84 lon/lat by definition; GDAL writes the CGCS2000 request as such
    assert ("WGS 84" if fmt == "kml" else "CGCS2000") in summary


def test_crs_names() -> None:
    assert export_crs("4326").id == WGS84
    assert export_crs("gcj02").id == GCJ02
    assert export_crs("web-mercator").id == WEB_MERCATOR
    assert export_crs("baidu").id == BD09
    with pytest.raises(BadRequest, match="unknown CRS"):
        export_crs("EPSG:3395")


def test_unknown_layer_is_not_found(store: LayerStore, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        export(store, ["atlantis"], "gpkg", WGS84, tmp_path / "x.gpkg")


# ------------------------------------------------------------------ CLI on the real data


def test_cli_export_all_gpkg_real_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    from layers.store import default_store
    from webmap.cli import main

    path = tmp_path / "all.gpkg"
    assert main(["export", "--all", "--format", "gpkg", "-o", str(path)]) == 0
    assert "wrote" in capsys.readouterr().out
    listed = {name for name, _ in pyogrio.list_layers(path)}
    store = default_store()
    tables = {t for lid in store.layer_ids() for t in table_names(store, lid, by_id(WGS84))}
    assert listed == {*tables, "layer_metadata", "layer_styles"}
    assert {table_name("heritage") + "_points", "nodes"} <= listed
    meta = pyogrio.read_dataframe(path, layer="layer_metadata")
    assert "科学城与功能区" in set(meta["title_zh"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer", "atlantis", "--format", "gpkg"], "unknown layer 'atlantis'"),
        (["--layer", "parks", "--format", "dwg"], "unknown format 'dwg'"),
        (["--layer", "parks", "--crs", "EPSG:3395"], "unknown CRS"),
        (["--layer", "parks", "--format", "kml", "--crs", "EPSG:4548"], "KML coordinates"),
        (["--layer", "parks", "--format", "kml", "--crs", "gcj02"], "KML coordinates"),
        (["--layer", "parks", "--format", "geojson", "--crs", "bd09"], "GeoJSON cannot"),
        (["--all", "--format", "geojson"], "give -o a .zip path"),
        (["--layer", "parks", "--format", "gpkg", "--base-url", "example.org"], "base URL"),
    ],
)
def test_cli_bad_requests_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 args: list[str], message: str) -> None:
    from webmap.cli import main

    assert main(["export", *args, "-o", str(tmp_path / "out.x")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("where", ["missing-dir/out.gpkg", "."])
def test_cli_unwritable_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     where: str) -> None:
    from webmap.cli import main

    assert main(["export", "--layer", "parks", "--format", "gpkg", "-o",
                 str(tmp_path / where)]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and err.count("\n") == 1
