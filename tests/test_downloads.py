"""Web downloads against a fixture store: every CRS spelling the CLI takes, one lock per file,
and a cache folder that leaves with its app."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pyogrio
import pytest
from flask import Flask
from layers_fixtures import fixture_store, make_data_dir

from geo.crs_names import CRSES, GK117, WGS84, parse_crs
from layers.export import FORMATS, offered
from layers.store import LayerStore
from webmap import create_app
from webmap.cli import main as cli_main
from webmap.downloads import cache_of
from webmap.sources import get_store

LAYER = "parks"
SPELLINGS_4548 = ["4548", "EPSG:4548", "epsg:4548", "http://www.opengis.net/def/crs/EPSG/0/4548"]
SPELLINGS_GCJ = ["gcj02", "GCJ-02", "gcj"]
SPELLINGS_WGS = ["4326", "EPSG:4326", "wgs84", "WGS-84"]
SPELLINGS_4527 = ["4527", "EPSG:4527", "http://www.opengis.net/def/crs/EPSG/0/4527"]
SPELLINGS_3857 = ["3857", "EPSG:3857", "web-mercator"]
SPELLINGS_BD = ["bd09", "BD-09", "baidu"]
MIXED = "plan-haidian-14th-fyp"  # points, lines and areas


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LayerStore:
    return fixture_store(make_data_dir(tmp_path_factory.mktemp("downloads-data")))


@pytest.fixture()
def app(store: LayerStore) -> Flask:
    return create_app({"STORE": store, "TESTING": True})


def test_the_layer_page_lists_what_the_registry_offers(app: Flask) -> None:
    from webmap.downloads import links

    with app.test_request_context():
        rows = links(LAYER)
    pairs = [(r["format"], r["crs"]) for r in rows]
    assert pairs == [(f.id, c.id) for f, c in offered()]
    offsets = {c.id for c in CRSES if c.offset}
    expected = (
        [("kml", c.id) for c in CRSES if c.geographic and not c.offset]
        + [(f, c.id) for f in ("geojson", "csv") for c in CRSES if c.id not in offsets]
        + [(f, c.id) for f in ("gpkg", "shp", "fgb") for c in CRSES]
        + [("qml", WGS84.id), ("sld", WGS84.id)]  # a style is the same in every CRS
    )
    assert sorted(pairs) == sorted(expected) and ("kml", GK117.id) not in pairs
    assert all(f"crs={parse_crs(r['crs']).param}" in r["url"] for r in rows
               if r["format"] not in ("qml", "sld"))


@pytest.mark.parametrize("spellings", [SPELLINGS_4548, SPELLINGS_GCJ, SPELLINGS_WGS,
                                       SPELLINGS_4527, SPELLINGS_3857, SPELLINGS_BD])
def test_every_crs_spelling_names_one_file(app: Flask, spellings: list[str]) -> None:
    client = app.test_client()
    crs = parse_crs(spellings[0])
    fmt, media = ("gpkg", "application/geopackage+sqlite3") if crs.offset else (
        "geojson", "application/geo+json")
    bodies = set()
    for spelling in spellings:
        resp = client.get(f"/layers/{LAYER}/download.{fmt}", query_string={"crs": spelling})
        assert resp.status_code == 200, (spelling, resp.data[:200])
        assert f"filename={LAYER}-{crs.file_tag}.{fmt}" in resp.headers["Content-Disposition"]
        assert resp.mimetype == media
        bodies.add(resp.data)
    assert len(bodies) == 1


def test_offset_files_say_what_they_are_for_in_their_name(app: Flask) -> None:
    client = app.test_client()
    gcj = client.get(f"/layers/{LAYER}/download.shp?crs=gcj02")
    assert f"filename={LAYER}-gcj02-amap-overlay.zip" in gcj.headers["Content-Disposition"]
    bd = client.get(f"/layers/{LAYER}/download.fgb?crs=bd09")
    assert f"filename={LAYER}-bd09-baidu-overlay.fgb" in bd.headers["Content-Disposition"]
    json_only = {"Accept": "application/json"}
    for fmt in ("geojson", "kml", "csv"):
        resp = client.get(f"/layers/{LAYER}/download.{fmt}?crs=gcj02", headers=json_only)
        assert resp.status_code == 400 and "WGS-84" in resp.get_json()["description"]


def test_a_mixed_layer_as_flatgeobuf_is_a_zip_of_one_file_per_type(app: Flask, tmp_path: Path
                                                                   ) -> None:
    resp = app.test_client().get(f"/layers/{MIXED}/download.fgb")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert f"filename={MIXED}-4326.zip" in resp.headers["Content-Disposition"]
    (tmp_path / "m.zip").write_bytes(resp.data)
    names = zipfile.ZipFile(tmp_path / "m.zip").namelist()
    assert sorted(names) == ["README.txt", "plan_haidian_14th_fyp_lines.fgb",
                             "plan_haidian_14th_fyp_points.fgb",
                             "plan_haidian_14th_fyp_polygons.fgb"]


def test_styles_are_downloads(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    qml = client.get(f"/layers/{LAYER}/download.qml")
    assert qml.status_code == 200 and f"filename={LAYER}.qml" in qml.headers["Content-Disposition"]
    assert b"<renderer-v2" in qml.data and b'attr="precision"' in qml.data
    sld = client.get(f"/layers/{MIXED}/download.sld")
    assert sld.mimetype == "application/zip"
    (tmp_path / "s.zip").write_bytes(sld.data)
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert "plan_haidian_14th_fyp_points.sld" in zf.namelist()
        assert b"PointSymbolizer" in zf.read("plan_haidian_14th_fyp_points.sld")


def test_downloads_point_detail_url_at_the_site_asked(app: Flask, tmp_path: Path) -> None:
    resp = app.test_client().get(f"/layers/{LAYER}/download.gpkg",
                                 base_url="https://atlas.example.org")
    (tmp_path / "p.gpkg").write_bytes(resp.data)
    frame = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer=LAYER)
    assert all(frame["detail_url"] == "https://atlas.example.org/places/" + frame["id"])


def test_no_crs_is_wgs84_and_unknown_is_a_400_in_the_clis_words(app: Flask, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    client = app.test_client()
    resp = client.get(f"/layers/{LAYER}/download.csv")
    assert f"{LAYER}-{WGS84.param}.csv" in resp.headers["Content-Disposition"]
    json_only = {"Accept": "application/json"}
    bad = client.get(f"/layers/{LAYER}/download.csv?crs=EPSG:3395", headers=json_only)
    assert bad.status_code == 400
    web_error = bad.get_json()["description"]
    assert cli_main(["export", "--layer", LAYER, "--crs", "EPSG:3395", "-o",
                     str(tmp_path / "x.csv")]) == 2
    assert web_error in capsys.readouterr().err
    kml = client.get(f"/layers/{LAYER}/download.kml", headers=json_only,
                     query_string={"crs": "http://www.opengis.net/def/crs/EPSG/0/4548"})
    assert kml.status_code == 400 and "longitude/latitude" in kml.get_json()["description"]


def test_the_cli_takes_the_same_spellings(tmp_path: Path) -> None:
    for i, spelling in enumerate(SPELLINGS_4548):
        path = tmp_path / f"{i}.gpkg"
        assert cli_main(["export", "--layer", LAYER, "--format", "gpkg", "--crs", spelling,
                         "--quiet", "-o", str(path)]) == 0
        first_table = pyogrio.list_layers(path)[0][0]  # the real parks mix types: parks_points
        assert pyogrio.read_info(path, layer=first_table)["crs"] == GK117.id


def test_each_file_has_its_own_lock(app: Flask) -> None:
    cache = cache_of(app)
    held = cache.lock(next(iter(_cache_names(app, f"{LAYER}-4326.csv"))))
    def fetch(fmt: str, into: list[int]) -> threading.Thread:
        worker = threading.Thread(target=lambda: into.append(
            app.test_client().get(f"/layers/{LAYER}/download.{fmt}").status_code), daemon=True)
        worker.start()
        return worker

    with held:
        # another file is written while this one is locked ...
        other: list[int] = []
        fetch("fgb", other).join(timeout=60)
        assert other == [200]
        # ... and a request for the locked file waits for the lock
        done: list[int] = []
        worker = fetch("csv", done)
        time.sleep(0.5)
        assert not done
    worker.join(timeout=60)
    assert done == [200]


def test_cache_holds_only_whole_files_and_leaves_with_the_app(store: LayerStore) -> None:
    app = create_app({"STORE": store, "TESTING": True})
    client = app.test_client()
    for fmt in FORMATS:
        status = client.get(f"/layers/{LAYER}/download.{fmt}?crs=gcj02").status_code
        assert status == (400 if fmt in ("geojson", "kml", "csv") else 200), fmt
        assert client.get(f"/layers/{LAYER}/download.{fmt}?crs=4490").status_code == 200
    assert client.get(f"/layers/{LAYER}/download.kml?crs=4548").status_code == 400
    folder = cache_of(app).folder
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.startswith(".")]  # no temp folders or hidden half files
    # files are named for the data version they were written from (corrections change it)
    assert all(n.startswith(f"{store.version}-") for n in names)
    assert any(n.endswith(f"-{LAYER}-4490.kml") for n in names)
    assert any(n.endswith(f"-{LAYER}-gcj02-amap-overlay.gpkg") for n in names)
    assert not any(n.endswith((f"{LAYER}-4548.kml", "gcj02-amap-overlay.kml")) for n in names)
    other = create_app({"STORE": store, "TESTING": True})
    assert cache_of(other).folder != folder  # one cache per app
    other_folder = cache_of(other).folder
    del app, client, other
    gc.collect()
    assert not folder.exists() and not other_folder.exists()


def _cache_names(app: Flask, name: str) -> set[str]:
    """The cache's name for the download `name` asked from the test client's host."""
    import hashlib

    version = get_store(app).version
    return {f"{version}-{hashlib.sha1(b'http://localhost/').hexdigest()[:8]}-{name}"}


FULL_DISK = """
import resource, signal, sys
from layers_fixtures import fixture_store, make_data_dir
from pathlib import Path
store = fixture_store(make_data_dir(Path(sys.argv[1])))
from webmap import create_app
from webmap.downloads import cache_of
app = create_app({"STORE": store, "TESTING": True})
client = app.test_client()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # a disk that fills at 20 kB
for attempt in range(2):
    resp = client.get("/layers/plan-haidian-14th-fyp/download.kml",
                      headers={"Accept": "application/json"})
    print(resp.status_code, resp.get_json()["description"])
print(sorted(p.name for p in cache_of(app).folder.iterdir()))
"""


@pytest.mark.slow
def test_a_full_disk_is_a_503_and_nothing_is_cached(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    run = subprocess.run([sys.executable, "-c", FULL_DISK, str(tmp_path)], capture_output=True,
                         text=True, timeout=300, env=env)
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0 and len(lines) == 3, run.stderr[-2000:]
    for line in lines[:2]:  # asked twice: refused twice, never a cut file served from cache
        assert line.startswith("503 download not available now"), line
    assert lines[2] == "[]"


@pytest.mark.parametrize(("spelling", "member"), [
    ("4527", "urn:ogc:def:crs:EPSG::4527"), ("web-mercator", "urn:ogc:def:crs:EPSG::3857"),
    ("baidu", "BD-09"), ("bd09", "BD-09")])
def test_the_json_api_answers_in_the_new_systems_too(app: Flask, store: LayerStore,
                                                     spelling: str, member: str) -> None:
    """One CRS table: what the CLI and the downloads take, /api takes."""
    fc = app.test_client().get(f"/api/layers/{LAYER}.geojson",
                               query_string={"crs": spelling}).get_json(force=True)
    assert fc["crs"]["properties"]["name"] == member
    x, _ = fc["features"][0]["geometry"]["coordinates"][0][0]
    if member.endswith("4527"):
        assert 39_300_000 < x < 39_700_000  # the zone number before the easting
