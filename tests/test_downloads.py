"""Web downloads against a fixture store: every CRS spelling the CLI takes, one lock per file,
and a cache folder that leaves with its app."""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import pyogrio
import pytest
from flask import Flask
from layers_fixtures import fixture_store, make_data_dir

from geo.crs_names import GK117, WGS84, parse_crs
from layers.export import FORMATS, offered
from layers.store import LayerStore
from webmap import create_app
from webmap.cli import main as cli_main
from webmap.downloads import cache_of

LAYER = "parks"
SPELLINGS_4548 = ["4548", "EPSG:4548", "epsg:4548", "http://www.opengis.net/def/crs/EPSG/0/4548"]
SPELLINGS_GCJ = ["gcj02", "GCJ-02", "gcj"]
SPELLINGS_WGS = ["4326", "EPSG:4326", "wgs84", "WGS-84"]


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
    assert [(r["format"], r["crs"]) for r in rows] == [(f.id, c.id) for f, c in offered()]
    assert ("kml", GK117.id) not in [(r["format"], r["crs"]) for r in rows]
    assert len(rows) == len(FORMATS) * 4 - 1
    assert all(f"crs={parse_crs(r['crs']).param}" in r["url"] for r in rows)


@pytest.mark.parametrize("spellings", [SPELLINGS_4548, SPELLINGS_GCJ, SPELLINGS_WGS])
def test_every_crs_spelling_names_one_file(app: Flask, spellings: list[str]) -> None:
    client = app.test_client()
    param = parse_crs(spellings[0]).param
    bodies = set()
    for spelling in spellings:
        resp = client.get(f"/layers/{LAYER}/download.geojson", query_string={"crs": spelling})
        assert resp.status_code == 200, (spelling, resp.data[:200])
        assert f"filename={LAYER}-{param}.geojson" in resp.headers["Content-Disposition"]
        assert resp.mimetype == "application/geo+json"
        bodies.add(resp.data)
    assert len(bodies) == 1


def test_no_crs_is_wgs84_and_unknown_is_a_400_in_the_clis_words(app: Flask, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    client = app.test_client()
    resp = client.get(f"/layers/{LAYER}/download.csv")
    assert f"{LAYER}-{WGS84.param}.csv" in resp.headers["Content-Disposition"]
    json_only = {"Accept": "application/json"}
    bad = client.get(f"/layers/{LAYER}/download.csv?crs=EPSG:3857", headers=json_only)
    assert bad.status_code == 400
    web_error = bad.get_json()["description"]
    assert cli_main(["export", "--layer", LAYER, "--crs", "EPSG:3857", "-o",
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
        assert pyogrio.read_info(path, layer=LAYER)["crs"] == GK117.id


def test_each_file_has_its_own_lock(app: Flask) -> None:
    cache = cache_of(app)
    held = cache.lock(f"{LAYER}-4326.csv")
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
        assert client.get(f"/layers/{LAYER}/download.{fmt}?crs=gcj02").status_code == 200
    assert client.get(f"/layers/{LAYER}/download.kml?crs=4548").status_code == 400
    folder = cache_of(app).folder
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.startswith(".")]  # no temp folders or hidden half files
    # files are named for the data version they were written from (corrections change it)
    assert f"{store.version}-{LAYER}-gcj02.kml" in names
    assert not [n for n in names if n.endswith(f"{LAYER}-4548.kml")]
    other = create_app({"STORE": store, "TESTING": True})
    assert cache_of(other).folder != folder  # one cache per app
    other_folder = cache_of(other).folder
    del app, client, other
    gc.collect()
    assert not folder.exists() and not other_folder.exists()
