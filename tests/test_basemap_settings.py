"""Basemaps as data: online ones off unless a setting turns them on, and a bureau's own XYZ or
WMTS services declared in the settings file, validated when the service starts."""

from __future__ import annotations

import json
import re

import pytest

from geo.errors import DataError
from webmap import create_app
from webmap.basemaps import service
from webmap.config import load_settings

BUREAU = """
[[basemaps]]
id = "bureau"
title = {zh = "规划局底图", en = "Bureau basemap"}
kind = "xyz"
url = "http://tiles.bureau.internal/base/{z}/{x}/{y}.png"
crs = "CGCS2000"
attribution = "© 海淀规划分局"
min_zoom = 8
max_zoom = 18

[[basemaps]]
id = "bureau-gcj"
title = "规划局影像（GCJ-02）"
kind = "wmts"
url = "https://wmts{s}.bureau.internal/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=img&TILEMATRIXSET=GoogleMapsCompatible&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}"
subdomains = "12"
crs = "gcj02"
attribution = "© 海淀规划分局"
"""


def config_of(html: str) -> dict:
    return json.loads(re.search(r"Planmap\.init\(\w+, (\{.*\})\);", html).group(1))


def test_online_basemaps_are_off_by_default():
    html = create_app({"TESTING": True}).test_client().get("/").get_data(as_text=True)
    cfg = config_of(html)
    assert [b["id"] for b in cfg["basemaps"]] == ["vector"]
    for host in ("openstreetmap", "autonavi", "tianditu"):
        assert host not in html


def test_online_basemaps_are_offered_when_named():
    app = create_app({"TESTING": True, "ONLINE_BASEMAPS": ["osm", "amap"]})
    cfg = config_of(app.test_client().get("/").get_data(as_text=True))
    assert [b["id"] for b in cfg["basemaps"]] == ["vector", "osm", "amap"]
    with pytest.raises(DataError, match="unknown basemap"):
        load_settings({"ONLINE_BASEMAPS": ["googlemaps"]}, environ={})


def test_services_from_the_settings_file(tmp_path):
    path = tmp_path / "planmap.toml"
    path.write_text(BUREAU, encoding="utf-8")
    settings = load_settings(environ={"PLANMAP_CONFIG": str(path)})
    app = create_app({**settings, "TESTING": True})
    cfg = config_of(app.test_client().get("/?lang=en").get_data(as_text=True))
    bases = {b["id"]: b for b in cfg["basemaps"]}
    assert list(bases) == ["vector", "bureau", "bureau-gcj"]
    assert bases["bureau"]["title"] == "Bureau basemap" and bases["bureau"]["crs"] == "wgs84"
    assert bases["bureau"]["min_zoom"] == 8 and bases["bureau"]["max_native_zoom"] == 18
    gcj = bases["bureau-gcj"]
    assert gcj["crs"] == "gcj02" and gcj["subdomains"] == "12"
    assert "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in gcj["tiles"][0]
    # a permalink may name them; the default basemap may be one
    assert app.test_client().get("/?basemap=bureau-gcj").status_code == 200
    assert config_of(app.test_client().get("/?basemap=bureau-gcj").get_data(as_text=True))[
        "basemap"] == "bureau-gcj"
    assert app.test_client().get("/?basemap=nope").status_code == 400
    assert load_settings({"DEFAULT_BASEMAP": "bureau"}, environ={
        "PLANMAP_CONFIG": str(path)})["DEFAULT_BASEMAP"] == "bureau"


def test_services_from_the_environment_as_json():
    raw = json.dumps([{"id": "b", "title": "B", "kind": "xyz", "crs": "4326",
                       "url": "http://127.0.0.1:9/{z}/{x}/{y}.png", "attribution": "B"}])
    settings = load_settings(environ={"PLANMAP_BASEMAPS": raw})
    assert settings["BASEMAPS"][0]["id"] == "b"
    with pytest.raises(DataError, match="not JSON"):
        load_settings(environ={"PLANMAP_BASEMAPS": "[{"})


GOOD = {"id": "b", "title": "B", "kind": "xyz", "crs": "wgs84", "attribution": "B",
        "url": "http://host/{z}/{x}/{y}.png"}


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "osm"}, "id must be new"),
    ({"id": "Bad Id"}, "id must be new"),
    ({"title": {"zh": "只有中文"}}, "title"),
    ({"kind": "wms"}, "kind must be xyz or wmts"),
    ({"url": "ftp://host/{z}/{x}/{y}.png"}, "url must be"),
    ({"url": "http://host/{z}/{x}.png"}, "url must be"),
    ({"url": "http://host/{s}/{z}/{x}/{y}.png"}, "subdomains"),
    ({"crs": "EPSG:4548"}, "crs must be WGS-84, CGCS2000 or GCJ-02"),
    ({"crs": "EPSG:3857x"}, "crs must be"),
    ({"min_zoom": 12, "max_zoom": 10}, "min_zoom"),
    ({"max_zoom": 30}, "max_zoom"),
    ({"attribution": " "}, "attribution"),
    ({"colour": "red"}, "unknown key"),
])
def test_a_bad_service_stops_the_service_with_a_message(change, message):
    with pytest.raises(DataError, match=message):
        service({**GOOD, **change})
    with pytest.raises(DataError, match=message):
        load_settings({"BASEMAPS": [{**GOOD, **change}]}, environ={})


def test_missing_keys_and_duplicates_are_named():
    with pytest.raises(DataError, match="missing url, crs"):
        service({"id": "b", "title": "B", "kind": "xyz", "attribution": "B"})
    with pytest.raises(DataError, match="duplicate"):
        load_settings({"BASEMAPS": [GOOD, GOOD]}, environ={})
    with pytest.raises(DataError, match="DEFAULT_BASEMAP"):
        load_settings({"DEFAULT_BASEMAP": "nowhere"}, environ={})
