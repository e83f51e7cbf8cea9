"""Exports checked by the readers GIS users have: the OGC KML 2.2 schema, spreadsheets (formula
cells), KML viewers (markup), QGIS headless (styles, the GCJ-02 CRS), and a disk that fills up."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pyogrio
import pytest
from gis_readers import kml_errors, run_qgis, validate_gpkg
from layers_fixtures import fixture_store, make_data_dir

from geo.crs import GCJ02, WGS84
from geo.crs_names import by_id
from layers.export import export, table_names
from layers.export.safe_text import FORMULA_START
from layers.store import LayerStore

KML = "{http://www.opengis.net/kml/2.2}"
HOSTILE_TITLE = '=HYPERLINK("http://example.invalid","x")<svg onload=alert(1)>'
HOSTILE_LINES = (
    "第一章 <script>alert(1)</script>",
    "<svg onload=alert(2)>加强颐和园保护。",
    "+cmd|' /C calc'!A0 颐和园周边整治。",
    "@SUM(1) 颐和园景区提升。",
)
ROOT = Path(__file__).resolve().parent.parent


def hostile_data_dir(root: Path) -> Path:
    """The fixture data plus a sixth plan whose title and text are formulas and markup, dated
    first, so its passages lead every excerpt."""
    data = make_data_dir(root)
    (data / "plans" / "999_hostile.txt").write_text("\n".join(HOSTILE_LINES) + "\n",
                                                    encoding="utf-8")
    with (data / "plans" / "plans.toml").open("a", encoding="utf-8") as toml:
        title = HOSTILE_TITLE.replace('"', '\\"')
        toml.write(f'\n[[plan]]\nid = "hostile-2026"\nfile = "999_hostile.txt"\n'
                   f'title = "{title}"\nshort_title = "{title}"\nissuer = "<b>x</b>"\n'
                   'title_en = "<svg onload=alert(1)> =HYPERLINK(\\"http://x\\") plan"\n'
                   'short_title_en = "<script>alert(2)</script> +cmd|calc"\n'
                   'issuer_en = "<b>x</b>"\n'
                   'date = "2000"\nyear = 2000\nkind = "report"\nlanguage = "zh-CN"\n')
    return data


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_data_dir(tmp_path_factory.mktemp("hostile-data"))


@pytest.fixture(scope="module")
def store(data: Path) -> LayerStore:
    store = fixture_store(data)
    assert "plan-hostile-2026" in store.layer_ids()
    assert "yiheyuan" in {f["id"] for f in store.features("plan-hostile-2026")}
    return store


# ------------------------------------------------------------------------------ KML schema

def test_kml_of_every_layer_is_valid_ogc_kml(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "all.kml"
    ids = store.layer_ids()
    export(store, ids, "kml", WGS84, path)
    assert kml_errors(path) == []
    root = ET.parse(path).getroot()
    doc = root.find(f"{KML}Document")
    folders = doc.findall(f"{KML}Folder")
    assert [f.findtext(f"{KML}name") for f in folders] == [  # text, HTML-escaped for viewers
        html.escape(f"{store.layer(lid).title['zh']} / {store.layer(lid).title['en']}")
        for lid in ids]
    assert not doc.findall(f"{KML}Document")  # layers are folders, not nested documents
    marks = root.iter(f"{KML}Placemark")
    ids_seen = [m.get("id") for m in marks]
    assert len(ids_seen) == len(set(ids_seen)) == sum(len(store.features(i)) for i in ids)
    assert all(re.match(r"[A-Za-z_]", i) for i in ids_seen)
    assert "parks.zhongguancunruanjianyuan" in ids_seen
    for coords in root.iter(f"{KML}coordinates"):
        assert all(t.count(",") == 1 for t in coords.text.split()), coords.text[:80]
    fields = {f.get("name"): f.get("type") for f in root.iter(f"{KML}SimpleField")}
    assert fields["mention_count"] == fields["first_year"] == fields["error_m"] == "int"
    assert fields["name_en"] == fields["place_id"] == "string"
    # styles: one per layer and precision, area-only drawn as an outline with no fill
    styles = {s.get("id"): s for s in doc.findall(f"{KML}Style")}
    area_only = styles["style.parks.area-only"].find(f"{KML}PolyStyle")
    assert area_only.findtext(f"{KML}fill") == "0" and area_only.findtext(f"{KML}outline") == "1"
    parks = store.layer("parks").style["color"].lstrip("#").lower()
    line = styles["style.parks.surveyed"].find(f"{KML}LineStyle").findtext(f"{KML}color")
    assert line[2:] == parks[4:6] + parks[2:4] + parks[0:2]  # aabbggrr
    for mark in root.iter(f"{KML}Placemark"):
        assert mark.findtext(f"{KML}styleUrl").lstrip("#") in styles


def test_kml_is_read_back_by_gdal(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "parks.kml"
    export(store, ["parks"], "kml", WGS84, path, base_url="https://planmap.example.org")
    layer = store.layer("parks")
    frame = pyogrio.read_dataframe(path, layer=f"{layer.title['zh']} / {layer.title['en']}")
    row = frame[frame["place_id"] == "zhongguancunruanjianyuan"].iloc[0]
    assert row["id"] == "parks.zhongguancunruanjianyuan" and row["Name"] == "中关村软件园"
    passage = store.place_record("zhongguancunruanjianyuan")["passages"][0]
    assert passage["citation"] in row["description"]
    assert "https://planmap.example.org/places/zhongguancunruanjianyuan" in row["description"]
    assert not frame.geometry.has_z.any()  # 2D: QGIS loads them as 2D


@pytest.mark.slow
def test_kml_all_real_layers_has_no_schema_error(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's measure: `planmap export --all --format kml` against ogckml22.xsd (603
    errors before)."""
    from webmap.cli import main

    path = tmp_path / "all.kml"
    assert main(["export", "--all", "--format", "kml", "-o", str(path)]) == 0
    assert "959 features" in capsys.readouterr().out or path.stat().st_size > 1_000_000
    assert kml_errors(path) == []


# -------------------------------------------------------------------- hostile text, per sink

def test_kml_text_is_escaped_everywhere(store: LayerStore, tmp_path: Path) -> None:
    path = tmp_path / "hostile.kml"
    export(store, ["plan-hostile-2026", "heritage"], "kml", WGS84, path)
    assert kml_errors(path) == []
    root = ET.parse(path).getroot()
    texts = [el.text or "" for el in root.iter()] + [v for el in root.iter()
                                                     for v in el.attrib.values()]
    for text in texts:  # as a KML viewer receives it, after XML parsing: no live markup
        assert not re.search(r"<\s*(script|svg)\b", text, re.I), text[:120]
    descriptions = [el.text for el in root.iter(f"{KML}description")]
    assert any("&lt;svg onload=alert(2)&gt;" in d for d in descriptions)
    folder = next(f for f in root.iter(f"{KML}Folder")
                  if "hostile-2026" in (f.findtext(f"{KML}description") or ""))
    assert "&lt;svg" in folder.findtext(f"{KML}name")  # the plan's title, escaped


def _spreadsheet_cells(rows: list[dict]) -> list[str]:
    return [str(v) for r in rows for v in r.values() if isinstance(v, str)]


def test_spreadsheet_text_is_formula_guarded(store: LayerStore, tmp_path: Path) -> None:
    """The CSV, every DBF field (excerpts included) and passages.csv: no cell a spreadsheet
    would run as a formula."""
    layers = ["plan-hostile-2026", "heritage"]
    export(store, layers, "shp", WGS84, tmp_path / "h.zip")
    cells: list[str] = []
    with zipfile.ZipFile(tmp_path / "h.zip") as zf:
        passages = zf.read("passages.csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(passages)))
        assert any(r["citation"].startswith("'=HYPERLINK") for r in rows)
        assert any(r["text"].startswith("'+cmd|") for r in rows)
        assert any(r["text"].startswith("'@SUM(1)") for r in rows)
        cells += _spreadsheet_cells(rows)
        for name in zf.namelist():
            if name.endswith(".shp"):
                frame = pyogrio.read_dataframe(f"/vsizip/{tmp_path / 'h.zip'}/{name}")
                cells += _spreadsheet_cells(frame.drop(columns="geometry").to_dict("records"))
                if "hostile" in name:
                    assert any(str(v).startswith("'=HYPERLINK") for v in frame["excerpts"])
    export(store, ["plan-hostile-2026"], "csv", WGS84, tmp_path / "h.csv")
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / "h.csv").read_text(encoding="utf-8-sig"))))
    cells += [v for r in rows for k, v in r.items() if k != "WKT"]
    assert cells and not [c for c in cells if c.startswith(FORMULA_START)]


def test_geopackage_keeps_text_as_data(store: LayerStore, tmp_path: Path) -> None:
    """A database is not a spreadsheet: the text is stored as written (no apostrophe), without
    control characters, and GDAL's validator is content."""
    path = tmp_path / "h.gpkg"
    export(store, ["plan-hostile-2026"], "gpkg", WGS84, path)
    assert validate_gpkg(path) == ""
    frames = [pyogrio.read_dataframe(path, layer=t)
              for t in table_names(store, "plan-hostile-2026", by_id(WGS84))]
    excerpts = [e for f in frames for e in f["excerpts"]]
    assert any(e.startswith(HOSTILE_TITLE) for e in excerpts)


# -------------------------------------------------------------------------- a disk that fills

FILL_SCRIPT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit, write() fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from webmap.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["kml", "gpkg", "geojson", "shp", "fgb", "csv"])
def test_a_full_disk_fails_in_one_line_and_leaves_nothing(data: Path, tmp_path: Path, fmt: str
                                                          ) -> None:
    """A file-size limit stands in for a full disk: the writer's system calls fail the same
    way (EFBIG instead of ENOSPC). Never "wrote …" with exit 0, never a half file."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("all.zip" if fmt in ("shp", "geojson", "csv", "fgb") else f"all.{fmt}")
    env = {**os.environ, "PLANMAP_DATA": str(data)}
    run = subprocess.run([sys.executable, "-c", FILL_SCRIPT, "20000", "export", "--all",
                          "--format", fmt, "-o", str(target)], capture_output=True, text=True,
                         timeout=300, env=env, cwd=ROOT)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "wrote" not in run.stdout
    assert run.stderr.count("\n") == 1 and "cannot write" in run.stderr, run.stderr
    assert list(out.iterdir()) == []  # no half file, no temporary folder


# ------------------------------------------------------------------------------------ QGIS

QGIS_OPEN = """
import json, os, sys
from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform
from qgis.core import QgsProject, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
for table in sys.argv[2:]:
    layer = QgsVectorLayer(f"{sys.argv[1]}|layername={table}", table, "ogr")
    renderer = layer.renderer()  # None for the table of an empty layer (no geometry type)
    kind = renderer.type() if renderer else None
    categories = renderer.categories() if kind == "categorizedSymbol" else []
    symbols = [c.symbol() for c in categories]
    looks = []
    for c, s in zip(categories, symbols):
        props = s.symbolLayer(s.symbolLayerCount() - 1).properties()
        looks.append([c.value(), s.color().name(), props.get("use_custom_dash"),
                      props.get("customdash"), props.get("outline_style"),
                      s.symbolLayer(0).properties().get("style")])
    drawn = sum(1 for f in layer.getFeatures() if f.hasGeometry())
    crs = layer.crs()
    out[table] = {
        "valid": layer.isValid(), "features": layer.featureCount(), "drawn": drawn,
        "wkb": layer.wkbType(), "authid": crs.authid(), "crs": crs.description(),
        "same_as_wgs84": crs == wgs84,
        "transform_is_identity": QgsCoordinateTransform(
            crs, wgs84, QgsProject.instance()).isShortCircuited(),
        "renderer": kind, "attr": renderer.classAttribute() if categories else "",
        "looks": looks,
    }
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22's teardown crashes after use; the answer is out
"""


@pytest.mark.slow
def test_qgis_opens_the_styled_geopackage_and_draws_every_feature(store: LayerStore,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "all.gpkg"
    ids = store.layer_ids()
    export(store, ids, "gpkg", WGS84, path)
    tables = {t: lid for lid in ids for t in table_names(store, lid, by_id(WGS84))}
    seen = run_qgis(QGIS_OPEN, str(path), *tables)
    for lid in ids:  # every feature of every layer drawn: none skipped for its geometry type
        mine = [seen[t] for t, owner in tables.items() if owner == lid]
        assert all(t["valid"] for t in mine)
        assert sum(t["drawn"] for t in mine) == len(store.features(lid)), lid
    heritage = seen["plan_haidian_14th_fyp_lines"]
    assert heritage["renderer"] == "categorizedSymbol" and heritage["attr"] == "precision"
    looks = {value: rest for value, *rest in heritage["looks"]}
    colour = store.layer("plan-haidian-14th-fyp").style["color"].lower()
    assert looks["surveyed"][0] == colour and looks["surveyed"][1] == "0"  # solid
    assert looks["approximate"][1] == "1" and looks["approximate"][2] == "6;4"  # dashed
    polygons = {v: rest for v, *rest in seen["plan_haidian_14th_fyp_polygons"]["looks"]}
    assert polygons["area-only"][4] == "no" and polygons["surveyed"][4] == "solid"  # outline only


@pytest.mark.slow
def test_qgis_does_not_take_a_gcj02_geopackage_for_wgs84(store: LayerStore, tmp_path: Path
                                                         ) -> None:
    path = tmp_path / "gcj02.gpkg"
    export(store, ["parks", "nodes"], "gpkg", GCJ02, path)
    tables = [t for lid in ("parks", "nodes") for t in table_names(store, lid, by_id(GCJ02))]
    seen = run_qgis(QGIS_OPEN, str(path), *tables)
    for table in tables:
        layer = seen[table]
        assert layer["valid"] and layer["authid"] != "EPSG:4326" and not layer["same_as_wgs84"]
        assert layer["crs"] == "GCJ-02 (AMap/Gaode overlay; not WGS-84)"
        assert not layer["transform_is_identity"]
