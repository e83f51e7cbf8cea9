"""Every export format × coordinate system, written and read back with pyogrio (and ogrinfo)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from layers_fixtures import (
    FORMULA_NOTE,
    FORMULA_SOURCE,
    LONG_NOTE,
    fixture_store,
    make_data_dir,
)
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import CGCS2000, GCJ02, GK117, WGS84, gcj02_to_wgs84, project
from geo.errors import BadRequest, NotFound
from layers.export import (
    FIELD_MAP,
    FORMATS,
    cut_bytes,
    export,
    export_crs,
    neutralise,
    table_name,
)
from layers.store import LayerStore

CRSES = (WGS84, CGCS2000, GK117, GCJ02)
TWO_LAYERS = ["parks", "plan-haidian-14th-fyp"]
ONE_LAYER = ["plan-haidian-14th-fyp"]  # points, lines and polygons together


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LayerStore:
    return fixture_store(make_data_dir(tmp_path_factory.mktemp("export-data")))


def _read_back(path: Path, fmt: str, layer_ids: list[str]) -> dict[str, gpd.GeoDataFrame]:
    """Each layer as GDAL reads it, with field names mapped back to property names."""
    out: dict[str, gpd.GeoDataFrame] = {}
    for lid in layer_ids:
        if fmt == "gpkg":
            frame = pyogrio.read_dataframe(path, layer=table_name(lid))
        elif fmt == "kml":
            frame = pyogrio.read_dataframe(path, layer=lid)
        elif fmt == "shp":
            names = zipfile.ZipFile(path).namelist()
            parts = [pyogrio.read_dataframe(f"/vsizip/{path}/{n}") for n in names
                     if n.startswith(f"{table_name(lid)}_") and n.endswith(".shp")]
            frame = pd.concat(parts, ignore_index=True)
            frame = frame.rename(columns={v: k for k, v in FIELD_MAP.items()})
        elif len(layer_ids) > 1:
            ext = {"geojson": ".geojson", "csv": ".csv", "fgb": ".fgb"}[fmt]
            frame = pyogrio.read_dataframe(f"/vsizip/{path}/{lid}{ext}")
        else:
            frame = pyogrio.read_dataframe(path)
        frame.columns = [c.lower() for c in frame.columns]  # KML reads name back as Name
        out[lid] = frame
    return out


def _to_wgs84(geom: BaseGeometry, crs: str) -> BaseGeometry:
    return gcj02_to_wgs84(geom) if crs == GCJ02 else project(geom, WGS84, crs)


def _metres_apart(a: BaseGeometry, b: BaseGeometry) -> float:
    return project(a, GK117).hausdorff_distance(project(b, GK117))


def _check_layer(store: LayerStore, lid: str, frame: gpd.GeoDataFrame, fmt: str, crs: str
                 ) -> None:
    features = {f["id"]: f for f in store.features(lid)}
    assert len(frame) == len(features) > 0
    assert sorted(frame["id"]) == sorted(features)
    tolerance = 1.0 if crs == GCJ02 else 0.01  # metres
    written_crs = WGS84 if fmt == "kml" and crs == CGCS2000 else crs  # KML is always lon/lat
    for row in frame.itertuples():
        source = features[row.id]
        assert row.name == source["properties"]["name"]  # Chinese intact
        back = _to_wgs84(row.geometry, written_crs)
        apart = _metres_apart(back, shape(source["geometry"]))
        assert apart < tolerance, f"{fmt} {crs} {row.id}: {apart:.4f} m off"


@pytest.mark.parametrize("crs", CRSES)
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_and_crs_reads_back(store: LayerStore, tmp_path: Path, fmt: str, crs: str
                                         ) -> None:
    if fmt == "kml" and crs == GK117:
        with pytest.raises(BadRequest, match="longitude/latitude by definition"):
            export(store, ONE_LAYER, fmt, crs, tmp_path / "x.kml")
        assert not list(tmp_path.iterdir())  # refused before writing anything
        return
    layers = TWO_LAYERS if fmt in ("gpkg", "kml", "shp") else ONE_LAYER
    path = tmp_path / ("out.zip" if fmt == "shp" else f"out.{fmt}")
    result = export(store, layers, fmt, crs, path)
    assert result.path == path and path.is_file() and result.size > 0
    assert result.layers == {lid: len(store.features(lid)) for lid in layers}
    for lid, frame in _read_back(path, fmt, layers).items():
        _check_layer(store, lid, frame, fmt, crs)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".planmap-export")]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_empty_layer_exports_cleanly(store: LayerStore, tmp_path: Path, fmt: str) -> None:
    assert store.features("services") == []  # no fixture place is a public service
    path = tmp_path / ("out.zip" if fmt == "shp" else f"out.{fmt}")
    assert export(store, ["services"], fmt, WGS84, path).layers == {"services": 0}
    if fmt != "shp":  # a shapefile ZIP of an empty layer holds only README and passages.csv
        assert len(_read_back(path, fmt, ["services"])["services"]) == 0


@pytest.mark.parametrize("fmt", ["geojson", "csv", "fgb"])
def test_several_layers_of_single_layer_formats_go_into_a_zip(
        store: LayerStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "layers.zip"
    export(store, TWO_LAYERS, fmt, WGS84, path)
    assert "README.txt" in zipfile.ZipFile(path).namelist()
    for lid, frame in _read_back(path, fmt, TWO_LAYERS).items():
        _check_layer(store, lid, frame, fmt, WGS84)
    with pytest.raises(BadRequest, match=r"give -o a \.zip path"):
        export(store, TWO_LAYERS, fmt, WGS84, tmp_path / f"layers.{fmt}")


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


@pytest.mark.parametrize("crs", [CGCS2000, GK117, GCJ02])
def test_non_wgs84_geojson_says_so(store: LayerStore, tmp_path: Path, crs: str) -> None:
    path = tmp_path / "parks.geojson"
    export(store, ["parks"], "geojson", crs, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "NOT RFC 7946" in doc["description"]
    if crs == GCJ02:
        assert "crs" not in doc and "GCJ-02" in doc["description"]
    else:
        assert doc["crs"]["properties"]["name"].endswith(crs.split(":")[1])
        assert pyogrio.read_info(path)["crs"] == crs


def test_gcj02_is_named_in_every_format(store: LayerStore, tmp_path: Path) -> None:
    export(store, TWO_LAYERS, "gpkg", GCJ02, tmp_path / "a.gpkg")
    meta = pyogrio.read_dataframe(tmp_path / "a.gpkg", layer="layer_metadata")
    assert set(meta["crs"]) == {GCJ02} and all("GCJ-02" in n for n in meta["crs_note"])
    assert pyogrio.read_info(tmp_path / "a.gpkg", layer="parks")["crs"] is None
    export(store, ONE_LAYER, "fgb", GCJ02, tmp_path / "a.fgb")
    assert "GCJ-02" in pyogrio.read_info(tmp_path / "a.fgb")["layer_metadata"]["DESCRIPTION"]
    export(store, ONE_LAYER, "kml", GCJ02, tmp_path / "a.kml")
    assert "GCJ-02" in (tmp_path / "a.kml").read_text(encoding="utf-8")
    export(store, ONE_LAYER, "csv", GCJ02, tmp_path / "a.csv")
    assert "GCJ-02" in (tmp_path / "a.csv.README.txt").read_text(encoding="utf-8")
    export(store, ONE_LAYER, "shp", GCJ02, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert "GCJ-02" in zf.read("README.txt").decode("utf-8")
        assert not [n for n in zf.namelist() if n.endswith(".prj")]


def test_gcj02_leaves_places_outside_china_unshifted(store: LayerStore, tmp_path: Path) -> None:
    export(store, ["regional"], "gpkg", GCJ02, tmp_path / "r.gpkg")
    frame = pyogrio.read_dataframe(tmp_path / "r.gpkg", layer="regional").set_index("id")
    germany = shape(store.feature("deguo")["geometry"])
    assert frame.loc["deguo", "geometry"].equals_exact(shapely.orient_polygons(germany), 1e-9)
    assert frame.loc["deguo", "geometry"].is_valid


def test_gpkg_metadata_table(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "all.gpkg"
    ids = store.layer_ids()
    export(store, ids, "gpkg", WGS84, path)
    listed = [name for name, _ in pyogrio.list_layers(path)]
    assert sorted(listed) == sorted([*map(table_name, ids), "layer_metadata"])
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in listed)  # ArcGIS-safe
    meta = pyogrio.read_dataframe(path, layer="layer_metadata").set_index("layer_id")
    assert meta.loc["plan-haidian-14th-fyp", "table_name"] == "plan_haidian_14th_fyp"
    assert meta.loc["parks", "title_zh"] == "产业园区"
    assert meta.loc["parks", "feature_count"] == len(store.features("parks"))
    assert "第353行" in meta.loc["bage-chuangxin-jiedian", "defined_by"]


def test_kml_balloon_holds_policy_text(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "a.kml"
    export(store, ["parks"], "kml", WGS84, path)
    frame = pyogrio.read_dataframe(path, layer="parks")
    row = frame[frame["id"] == "zhongguancunruanjianyuan"].iloc[0]
    passage = store.place_record("zhongguancunruanjianyuan")["passages"][0]
    assert row["Name"] == "中关村软件园"
    assert passage["citation"] in row["description"]


def test_kml_balloon_escapes_text() -> None:
    from layers.export.kml import balloon as kml_balloon

    row = pd.Series({"id": "x", "name": "<script>alert(1)</script>", "kind": "site",
                     "precision": "approximate", "mention_count": 1})
    passage = {"citation": "《A&B》(第1行)", "text": "建设<img src=x onerror=alert(1)>中心。",
               "mentions": [[0, 2]]}
    balloon = kml_balloon(row, [passage])
    assert "<script>" not in balloon and "<img" not in balloon
    assert "&lt;script&gt;" in balloon and "《A&amp;B》" in balloon


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


def test_shapefile_text_cut_at_character_boundary(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "parks.zip"
    export(store, ["parks"], "shp", WGS84, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert {"README.txt", "passages.csv"} <= set(names)
        cpgs = [n for n in names if n.endswith(".cpg")]
        assert cpgs and all(zf.read(n).decode().strip().upper() in ("UTF-8", "UTF8") for n in cpgs)
        full = pd.read_csv(io.BytesIO(zf.read("passages.csv")), encoding="utf-8-sig")
    frame = _read_back(path, "shp", ["parks"])["parks"]
    note = frame[frame["id"] == "zhongguancunruanjianyuan"].iloc[0]["note"]
    assert len(note.encode("utf-8")) <= 254
    assert note.endswith("…") and LONG_NOTE.startswith(note[:-1])
    assert len(frame.columns) == len(set(frame.columns))
    assert all(len(v) <= 10 for v in FIELD_MAP.values())
    assert set(full["place_id"]) == {f["id"] for f in store.features("parks")
                                     if f["properties"]["passages"]}


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
                                          ("fgb", "out.fgb"), ("kml", "out.kml")])
def test_debian_ogrinfo_reads_exports(store: LayerStore, tmp_path: Path, fmt: str, name: str
                                      ) -> None:
    path = tmp_path / name
    export(store, ["parks"], fmt, CGCS2000, path)
    targets = [str(path)]
    if fmt == "shp":
        targets = [f"/vsizip/{path}/{n}" for n in zipfile.ZipFile(path).namelist()
                   if n.endswith(".shp")]
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
    with pytest.raises(BadRequest, match="unknown CRS"):
        export_crs("EPSG:3857")


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
    assert listed == {*map(table_name, default_store().layer_ids()), "layer_metadata"}
    meta = pyogrio.read_dataframe(path, layer="layer_metadata")
    assert "科学城与功能区" in set(meta["title_zh"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer", "atlantis", "--format", "gpkg"], "unknown layer 'atlantis'"),
        (["--layer", "parks", "--format", "dwg"], "unknown format 'dwg'"),
        (["--layer", "parks", "--crs", "EPSG:3857"], "unknown CRS"),
        (["--layer", "parks", "--format", "kml", "--crs", "EPSG:4548"], "KML coordinates"),
        (["--all", "--format", "geojson"], "give -o a .zip path"),
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
