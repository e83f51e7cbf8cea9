"""Real GIS clients against a live server: Debian GDAL's ogrinfo and pyogrio's OAPIF reader."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pyogrio
import pytest
import shapely
from flask import request
from ogcapi_fixtures import (
    PLACES,
    expected_collections,
    live_server,
    make_app,
    server_process,
    small_catalog,
)
from pyproj import Transformer
from shapely.geometry import shape

from layers.store import default_store

OGRINFO = "/usr/bin/ogrinfo"  # Debian gdal-bin, installed by `make test`
NAMES = {p["id"]: p["properties"]["name"] for p in PLACES}


@pytest.fixture(scope="module")
def small_server():
    """A live server over the fixed catalog; `seen` records every items request's arguments."""
    app = make_app(small_catalog())
    seen: list[dict[str, str]] = []

    @app.before_request
    def record() -> None:
        if request.path.endswith("/items"):
            seen.append(dict(request.args))

    with live_server(app) as url:
        yield f"{url}/ogcapi", seen


@pytest.fixture(scope="module")
def real_server():
    app = make_app()
    app.config["OGC_SYNTHETIC"] = False
    with live_server(app) as url:
        yield f"{url}/ogcapi"


def ogrinfo(*args: str) -> str:
    out = subprocess.run([OGRINFO, "-ro", *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def ogr_features(text: str) -> dict[str, str]:
    """id → name for each feature ogrinfo printed."""
    ids = re.findall(r"^  id \(String\) = (.*)$", text, flags=re.M)
    names = re.findall(r"^  name \(String\) = (.*)$", text, flags=re.M)
    assert len(ids) == len(names)
    return dict(zip(ids, names, strict=True))


@pytest.mark.gdal
def test_ogrinfo_lists_every_collection(small_server, real_server):
    url, _ = small_server
    assert re.search(r"^1: places \(title: 测试地点\)", ogrinfo("-so", f"OAPIF:{url}"), re.M)
    listed = re.findall(r"^\d+: (\S+) \(title: ", ogrinfo("-so", f"OAPIF:{real_server}"), re.M)
    assert listed == list(expected_collections(default_store()))


@pytest.mark.gdal
def test_ogrinfo_follows_next_links_with_chinese_intact(small_server):
    url, seen = small_server
    seen.clear()
    text = ogrinfo("-al", "-q", "-oo", "PAGE_SIZE=5", f"OAPIF:{url}", "places")
    assert ogr_features(text) == NAMES
    assert "支持北京大学建设世界一流大学" in text  # nested passages arrive as a JSON field
    offsets = {r.get("offset") for r in seen if r.get("limit") == "5"}
    assert {"5", "10"} <= offsets  # it really paged


@pytest.mark.gdal
def test_ogrinfo_spatial_filter_goes_to_the_server(small_server):
    url, seen = small_server
    box = (116.26, 39.98, 116.31, 40.035)
    expected = {p["id"] for p in PLACES if shape(p["geometry"]).intersects(shapely.box(*box))}
    seen.clear()
    text = ogrinfo("-al", "-q", "-spat", *map(str, box), f"OAPIF:{url}", "places")
    assert set(ogr_features(text)) == expected
    assert any("bbox" in r for r in seen)


@pytest.mark.gdal
def test_ogrinfo_reads_every_real_layer(real_server):
    store = default_store()
    expected = expected_collections(store)
    assert expected, "no real layer has located places"
    for cid, (_, features) in expected.items():
        want = {f["id"]: f["properties"]["name"] for f in features}
        text = ogrinfo("-al", "-q", "-oo", "PAGE_SIZE=2", f"OAPIF:{real_server}", cid)
        assert ogr_features(text) == want, cid


@pytest.fixture(scope="module")
def child_server(tmp_path_factory):
    """pyogrio runs GDAL in this process, so its server must be another process."""
    log = tmp_path_factory.mktemp("ogc") / "requests.log"
    with server_process("small", log) as url:
        yield f"{url}/ogcapi", log


@pytest.mark.slow
def test_pyogrio_reads_a_collection(child_server):
    url, _ = child_server
    layers = pyogrio.list_layers(f"OAPIF:{url}")
    assert "places" in layers[:, 0]
    df = pyogrio.read_dataframe(f"OAPIF:{url}", layer="places")
    assert dict(zip(df["id"], df["name"], strict=True)) == NAMES
    pku = df[df["id"] == "pku"].geometry.iloc[0]
    assert (pku.x, pku.y) == pytest.approx((116.3055, 39.9869))


@pytest.mark.slow
def test_pyogrio_requests_epsg_4548_and_gets_axis_order_right(child_server):
    """GDAL >= 3.7 asks for crs=.../4548 and reads our northing-first coordinates correctly."""
    url, log = child_server
    assert pyogrio.__gdal_version__[:2] >= (3, 7), "GDAL < 3.7 has no OAPIF CRS open option"
    df = pyogrio.read_dataframe(f"OAPIF:{url}", layer="places", CRS="EPSG:4548")
    assert "crs=http://www.opengis.net/def/crs/EPSG/0/4548" in log.read_text()
    assert df.crs.to_epsg() == 4548
    t = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
    for pid, geom in zip(df["id"], df.geometry, strict=True):
        src = shapely.get_coordinates(shape(next(p for p in PLACES if p["id"] == pid)["geometry"]))
        e, n = t.transform(src[:, 0], src[:, 1])
        got = shapely.get_coordinates(geom)
        assert np.allclose(got[:, 0], e, atol=0.002) and np.allclose(got[:, 1], n, atol=0.002)
