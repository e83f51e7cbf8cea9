"""The web service through Flask's test client: API, errors, escaping, headers, settings, assets."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, shape

from geo.errors import DataError
from geo.gazetteer import Gazetteer, Place, default_gazetteer
from webmap import assets, create_app
from webmap.config import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "web.md"
EVIL = "<script>alert('pm')</script>海淀测试园"


@pytest.fixture(scope="module")
def store(app):
    from webmap.sources import get_store

    return get_store(app)


@pytest.fixture(scope="module")
def evil_client():
    """An app whose gazetteer holds a place named with markup, drawn in the heritage layer."""
    from layers.store import LayerStore

    places = list(default_gazetteer())
    places.append(Place(
        id="evil-test-place", name=EVIL, kind="park", precision="approximate",
        source="<b>placed by a test</b>", geometry=Point(116.30, 40.00),
        name_en="<img src=x onerror=alert(1)>", layer="heritage", themes=("heritage",),
        note="<i>fixture</i>", geometry_type="point",
    ))
    app = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True,
                      "STORE": LayerStore(gazetteer=Gazetteer(places))})
    return app.test_client()


def located_layer(store) -> str:
    located = [layer.id for layer in store.layers
               if layer.group != "plan" and store.features(layer.id)]
    assert located, "no layer has a located feature"
    return located[0]


# ---------------------------------------------------------------- settings and docs

def test_every_setting_and_route_is_documented(app):
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"settings not in docs/web.md: {missing}"
    ours = {"pages", "compare", "api", "downloads", "auth", "edits", "intake", "names", None}
    rules = sorted({
        re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r.rule) for r in app.url_map.iter_rules()
        if r.endpoint != "static" and app.view_functions[r.endpoint].__module__.startswith(
            ("webmap.pages", "webmap.compare", "webmap.api", "webmap.app", "webmap.downloads",
             "webmap.auth", "webmap.edits_api", "webmap.plans_upload", "webmap.names_review"))
        and (r.endpoint.split(".")[0] if "." in r.endpoint else None) in ours
    })
    assert rules, "no routes found"
    undocumented = [r for r in rules if f"`{r}`" not in text]
    assert not undocumented, f"routes not in docs/web.md: {undocumented}"


def test_settings_precedence_file_env_overrides(tmp_path):
    cfg = tmp_path / "planmap.toml"
    cfg.write_text('zoom = 9\ndefault_basemap = "osm"\ntiandITU_KEY = "abc"\n', encoding="utf-8")
    env = {"PLANMAP_CONFIG": str(cfg), "PLANMAP_ZOOM": "12", "PLANMAP_CENTER": "40.0,116.3"}
    s = load_settings(environ=env)
    assert s["DEFAULT_BASEMAP"] == "osm"   # from the file
    assert s["TIANDITU_KEY"] == "abc"
    assert s["ZOOM"] == 12                 # the environment beats the file
    assert s["CENTER"] == [40.0, 116.3]
    assert load_settings({"ZOOM": 5}, environ=env)["ZOOM"] == 5  # create_app's dict beats both


@pytest.mark.parametrize("env", [
    {"PLANMAP_ZOOM": "eleven"},
    {"PLANMAP_DEFAULT_LANG": "fr"},
    {"PLANMAP_SEARCH_LIMIT": "500"},
    {"PLANMAP_CONFIG": "/nonexistent/planmap.toml"},
])
def test_bad_settings_are_refused(env):
    with pytest.raises(DataError):
        load_settings(environ=env)


def test_unknown_key_in_config_file(tmp_path):
    cfg = tmp_path / "planmap.toml"
    cfg.write_text("zooom = 3\n", encoding="utf-8")
    with pytest.raises(DataError, match="zooom"):
        load_settings(environ={"PLANMAP_CONFIG": str(cfg)})


def test_tianditu_offered_only_with_a_key():
    plain = create_app({"TESTING": True}).test_client().get("/").get_data(as_text=True)
    assert "tianditu.gov.cn" not in plain
    keyed = create_app({"TESTING": True, "TIANDITU_KEY": "k123",
                        "ONLINE_BASEMAPS": ["tianditu-vec"]}).test_client().get("/")
    body = keyed.get_data(as_text=True)
    assert "tianditu.gov.cn" in body and "tk=k123" in body
    none = create_app({"TESTING": True, "ONLINE_BASEMAPS": []}).test_client().get("/")
    assert "openstreetmap" not in none.get_data(as_text=True)


# ---------------------------------------------------------------- offline assets

def test_atlas_links_only_local_assets_that_exist(client):
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert assets.off_host_links(html) == []
    local = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="(/static/[^"]+)"', html)
    assert any("leaflet/dist/leaflet.js" in u for u in local)
    for url in set(local):
        assert client.get(url).status_code == 200, url


def test_vendor_manifest_matches_files():
    manifest = assets.vendor_manifest()
    assert manifest["packages"]["leaflet"]["version"] == "1.9.3"
    for rel, digest in manifest["files"].items():
        data = (assets.VENDOR_DIR / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, rel
    for rel in assets.LOCAL.values():
        assert (assets.VENDOR_DIR / rel).is_file(), rel
    # Leaflet's whole images folder (marker-shadow.png is not named in its CSS)
    assert (assets.VENDOR_DIR / "leaflet/dist/images/marker-shadow.png").is_file()
    # CSS-relative font links resolve inside the vendored layout
    css = (assets.VENDOR_DIR / "@fortawesome/fontawesome-free/css/all.min.css").read_text()
    for font in set(re.findall(r"url\(\.\./webfonts/([^)?#]+)", css)):
        assert (assets.VENDOR_DIR / "@fortawesome/fontawesome-free/webfonts" / font).is_file()


@pytest.mark.parametrize("tag", [
    '<script src="https://cdn.example.org/x.js"></script>',
    '<link rel="stylesheet" href="//cdn.example.org/x.css">',
    "<script src='http://example.org/y.js'></script>",
])
def test_off_host_assets_raise_or_are_stripped(tag):
    page = f"<html><head>{tag}</head><body>ok</body></html>"
    with pytest.raises(assets.OffHostAsset):
        assets.check_offline(page, "raise")
    stripped = assets.check_offline(page, "strip")
    assert assets.off_host_links(stripped) == [] and "ok" in stripped


def test_branca_d3_link_is_replaced():
    page = '<script src="https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"></script>'
    out = assets.check_offline(page, "raise")
    assert "/static/vendor/d3/d3.min.js" in out


def test_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.data[:4] == b"\x00\x00\x01\x00"


# ---------------------------------------------------------------- API

def test_api_layers(client, store):
    data = client.get("/api/layers").get_json()
    ids = [layer["id"] for layer in data["layers"]]
    assert ids == [layer.id for layer in store.layers]
    for layer in data["layers"]:
        assert layer["url"] == f"/api/layers/{layer['id']}.geojson"
        assert set(layer["title"]) == {"zh", "en"}


def test_layer_geojson_headers_etag_gzip(client, store):
    lid = located_layer(store)
    resp = client.get(f"/api/layers/{lid}.geojson")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    assert "max-age" in resp.headers["Cache-Control"]
    etag = resp.headers["ETag"]
    fc = resp.get_json(force=True)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == len(store.features(lid))
    assert set(fc["features"][0]["properties"]) <= {
        "id", "name", "name_en", "kind", "precision", "layer", "mention_count", "plans", "years"}
    again = client.get(f"/api/layers/{lid}.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    zipped = client.get(f"/api/layers/{lid}.geojson", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == resp.data


def test_gcj02_variant_is_shifted_about_half_a_kilometre(client, store):
    lid = located_layer(store)
    wgs = client.get(f"/api/layers/{lid}.geojson").get_json(force=True)
    gcj = client.get(f"/api/layers/{lid}.geojson?crs=gcj02").get_json(force=True)
    a = shape(wgs["features"][0]["geometry"]).centroid
    b = shape(gcj["features"][0]["geometry"]).centroid
    metres = ((b.x - a.x) * 85_000) ** 2 + ((b.y - a.y) * 111_000) ** 2
    assert 300 < metres ** 0.5 < 900  # the GCJ-02 offset in Haidian is about 540 m
    base = client.get("/api/basemap.geojson?crs=gcj02")
    assert base.status_code == 200 and base.mimetype == "application/geo+json"


@pytest.mark.parametrize("spelling", ["4326", "EPSG:4326", "wgs84", "WGS-84",
                                      "http://www.opengis.net/def/crs/EPSG/0/4326"])
def test_api_accepts_every_wgs84_spelling(client, store, spelling):
    lid = located_layer(store)
    plain = client.get(f"/api/layers/{lid}.geojson").data
    assert client.get(f"/api/layers/{lid}.geojson", query_string={"crs": spelling}).data == plain
    rec = client.get("/api/places/beiqinglu", query_string={"crs": spelling}).get_json()
    assert rec["crs"] == "EPSG:4326"


@pytest.mark.parametrize("spelling", ["gcj02", "GCJ-02", "gcj"])
def test_api_accepts_every_gcj02_spelling(client, store, spelling):
    lid = located_layer(store)
    shifted = client.get(f"/api/layers/{lid}.geojson?crs=gcj02").data
    got = client.get(f"/api/layers/{lid}.geojson", query_string={"crs": spelling})
    assert got.data == shifted != client.get(f"/api/layers/{lid}.geojson").data
    assert client.get("/api/places/beiqinglu", query_string={"crs": spelling}
                      ).get_json()["crs"] == "GCJ-02"


@pytest.mark.parametrize("spelling", ["4548", "EPSG:4548", "epsg:4548",
                                      "http://www.opengis.net/def/crs/EPSG/0/4548"])
def test_api_answers_in_epsg4548_in_every_spelling(client, store, spelling):
    """The same spellings as `planmap export --crs` and the downloads: metres, a `crs` member."""
    lid = located_layer(store)
    fc = client.get(f"/api/layers/{lid}.geojson", query_string={"crs": spelling}
                    ).get_json(force=True)
    assert fc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"
    x, y = shapely.get_coordinates(shape(fc["features"][0]["geometry"]))[0]
    assert 300_000 < x < 700_000 and 4_300_000 < y < 4_600_000  # easting, northing in Beijing
    assert all(round(float(v), 3) == float(v) for v in (x, y))
    rec = client.get("/api/places/beiqinglu", query_string={"crs": spelling}).get_json()
    assert rec["crs"] == "EPSG:4548"
    base = client.get("/api/basemap.geojson", query_string={"crs": spelling}).get_json(force=True)
    assert base["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"


@pytest.mark.parametrize("spelling", ["epsg:3857x", "mars", "EPSG:99999"])
def test_api_refuses_unknown_crs_naming_what_it_offers(client, spelling):
    for url in ("/api/layers/zones.geojson", "/api/places/beiqinglu", "/api/basemap.geojson"):
        resp = client.get(url, query_string={"crs": spelling})
        assert resp.status_code == 400
        message = resp.get_json()["description"]
        assert "4326" in message and "4548" in message and "gcj02" in message
        assert "\n" not in message


def test_api_geometries_are_rounded_and_oriented(client, store):
    lid = located_layer(store)
    fc = client.get(f"/api/layers/{lid}.geojson").get_json(force=True)
    coords = [c for f in fc["features"] for c in shapely.get_coordinates(shape(f["geometry"]))]
    assert coords and all(round(float(v), 7) == float(v) for xy in coords for v in xy)
    for f in fc["features"]:
        geom = shape(f["geometry"])
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type == "Polygon":
                assert poly.exterior.is_ccw


def test_basemap_has_districts_and_haidian(client):
    fc = client.get("/api/basemap.geojson").get_json(force=True)
    roles = {f["properties"]["role"] for f in fc["features"]}
    assert {"district", "haidian"} <= roles
    haidian = [f for f in fc["features"] if f["properties"]["role"] == "haidian"]
    assert haidian[0]["properties"]["name"] == "海淀区"


@pytest.mark.parametrize("q", ["北清", "beiqing", "Beiqing"])
def test_search_finds_beiqinglu(client, q):
    data = client.get("/api/places", query_string={"q": q}).get_json()
    assert "beiqinglu" in [r["id"] for r in data["results"]]
    assert all(r["page"].startswith("/places/") for r in data["results"])


def test_place_and_plan_api(client, store):
    rec = client.get("/api/places/beiqinglu").get_json()
    assert rec["name"] == "北清路"
    assert rec["passages"] and all("citation" in p for p in rec["passages"])
    plans = client.get("/api/plans").get_json()["plans"]
    assert [p["year"] for p in plans] == sorted(p["year"] for p in plans)
    plan = client.get(f"/api/plans/{plans[0]['id']}").get_json()
    assert plan["places"] == store.plan_places(plans[0]["id"])


@pytest.mark.parametrize("url,status", [
    ("/api/places/no-such-place", 404),
    ("/api/layers/no-such-layer.geojson", 404),
    ("/api/plans/no-such-plan", 404),
    ("/api/nothing-here", 404),
    ("/api/places", 400),
    ("/api/places?q=", 400),
    ("/api/places?q=a&limit=abc", 400),
    ("/api/places?q=a&limit=0", 400),
    ("/api/places?q=a&limit=1000", 400),
    ("/api/places?q=" + "x" * 200, 400),
    ("/api/layers/zones.geojson?crs=epsg:3857x", 400),
    ("/api/places/beiqinglu?crs=mars", 400),
])
def test_api_errors_are_json(client, url, status):
    resp = client.get(url)
    assert resp.status_code == status
    body = resp.get_json()
    assert body["status"] == status and body["description"]


def test_api_wrong_method(client):
    resp = client.post("/api/layers")
    assert resp.status_code == 405 and resp.get_json()["code"] == "MethodNotAllowed"


# ---------------------------------------------------------------- pages and errors

@pytest.mark.parametrize("url,status", [
    ("/places/no-such-place", 404),
    ("/plans/no-such-plan", 404),
    ("/layers/no-such-layer", 404),
    ("/no/such/page", 404),
    ("/?zoom=abc", 400),
    ("/?zoom=99", 400),
    ("/?center=abc", 400),
    ("/?center=95,10", 400),
    ("/?center=nan,nan", 400),
    ("/?layers=zones,nope", 400),
    ("/?basemap=google", 400),
    ("/?place=%3Cscript%3E", 400),
    ("/?lang=fr", 400),
    ("/places/beiqinglu?lang=xx", 400),
])
def test_page_errors_are_html_pages(client, url, status):
    resp = client.get(url)
    assert resp.status_code == status
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "Traceback" not in html and "<script>" not in html.lower().replace(" ", "")


def test_atlas_permalink_parameters_are_applied(client):
    online = create_app({"TESTING": True, "ONLINE_BASEMAPS": ["osm"]}).test_client()
    html = online.get("/?layers=heritage&center=40.01,116.28&zoom=13&basemap=osm&place=beiqinglu"
                      ).get_data(as_text=True)
    cfg = json.loads(re.search(r"Planmap\.init\(\w+, (\{.*\})\);", html).group(1))
    assert cfg["visible"] == ["heritage"]
    assert cfg["center"] == [40.01, 116.28] and cfg["zoom"] == 13
    assert cfg["basemap"] == "osm" and cfg["place"] == "beiqinglu"
    empty = client.get("/?layers=").get_data(as_text=True)
    assert '"visible": []' in empty


def test_language_choice(client):
    zh = client.get("/").get_data(as_text=True)
    assert "海淀规划地图" in zh and 'lang="zh-CN"' in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "Haidian planning atlas" in en and 'lang="en"' in en
    accept = client.get("/plans", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Plans" in accept.get_data(as_text=True)
    zh_accept = client.get("/plans", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "规划文件" in zh_accept.get_data(as_text=True)


def test_security_headers(client):
    resp = client.get("/")
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_no_debug_mode(app):
    assert app.debug is False


def test_place_page_passages_grouped_in_time_order(client, store):
    pid = max((p for p in store.gazetteer), key=lambda p: len(store.place_record(p.id)["plans"])).id
    html = client.get(f"/places/{pid}").get_data(as_text=True)
    years = [int(y) for y in re.findall(r'<h3>(\d{4}) · ', html)]
    assert len(years) >= 2 and years == sorted(years)
    assert html.count('class="pm-passage"') == len(store.place_record(pid)["passages"])
    assert "第" in html and "行)" in html  # citations


def test_plan_page_links_recognised_places(client, store):
    plan_id = "haidian-14th-fyp"
    html = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    linked = set(re.findall(r'class="pm-mention" href="/places/([^"?]+)', html))
    assert linked and linked <= set(store.plan_places(plan_id)) | set(store.gazetteer.places)
    assert 'id="L1"' in html or 'id="L2"' in html


def test_layer_page_downloads_every_format_and_crs(client, store, tmp_path):
    import pyogrio

    from layers import export

    lid = located_layer(store)
    html = client.get(f"/layers/{lid}").get_data(as_text=True)
    links = [u.replace("&amp;", "&") for u in re.findall(r'<a href="([^"]+)" download', html)]
    assert len(links) == len(export.offered())  # KML in metres, GeoJSON in GCJ-02 … refused
    for url in links:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "attachment" in resp.headers["Content-Disposition"]
    gpkg = client.get(f"/layers/{lid}/download.gpkg?crs=4548")
    assert gpkg.mimetype == "application/geopackage+sqlite3"
    path = tmp_path / "layer.gpkg"
    path.write_bytes(gpkg.data)
    tables = [name for name, kind in pyogrio.list_layers(path) if kind]  # one per geometry type
    frames = [pyogrio.read_dataframe(path, layer=t) for t in tables]
    assert sum(len(f) for f in frames) == len(store.features(lid))
    assert all(f.crs.to_epsg() == 4548 for f in frames)
    assert client.get(f"/layers/{lid}/download.kml?crs=4548").status_code == 400
    assert client.get(f"/layers/{lid}/download.exe").status_code == 400
    assert client.get(f"/layers/{lid}/download.csv?crs=3395").status_code == 400
    assert client.get("/layers/no-such-layer/download.csv").status_code == 404


def test_markup_in_data_is_escaped_everywhere(evil_client):
    place = evil_client.get("/places/evil-test-place").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in place
    assert "<script>alert(" not in place
    assert "<b>placed" not in place and "&lt;b&gt;placed" in place
    layer = evil_client.get("/layers/heritage").get_data(as_text=True)
    assert "<script>alert(" not in layer and "&lt;script&gt;alert(" in layer
    atlas = evil_client.get("/?layers=heritage").get_data(as_text=True)
    assert "<script>alert(" not in atlas
    hits = evil_client.get("/api/places?q=海淀测试园").get_json()["results"]
    assert hits and hits[0]["name"] == EVIL  # JSON carries the text as data; pages escape it
    fc = evil_client.get("/api/layers/heritage.geojson").get_json(force=True)
    assert EVIL in [f["properties"]["name"] for f in fc["features"]]


def test_blueprints_are_imported_plainly_and_a_bad_store_stops_the_app():
    from webmap import app as app_module

    app = create_app({"TESTING": True})
    registered = set(app.blueprints)
    assert {bp.name for bp in app_module.BLUEPRINTS} == registered
    assert {"pages", "api", "downloads", "ogcapi", "figures", "embed"} <= registered
    with pytest.raises(ModuleNotFoundError):  # a misspelt store module is not hidden
        create_app({"TESTING": True, "STORE": "pm_absent_module_xyz:store"})
    with pytest.raises(DataError, match="PlanStore"):
        create_app({"TESTING": True, "STORE": "geo.corpus:default_corpus"})


ODD = ["%00", "..%2F..%2Fetc%2Fpasswd", "x" * 3000, "北清路", "%3Cscript%3E", "' OR 1=1 --",
       "%E2%80%AE", "-1", "1e309"]


@pytest.mark.parametrize("odd", ODD)
def test_no_server_error_on_odd_input(client, odd):
    urls = [f"/places/{odd}", f"/plans/{odd}", f"/layers/{odd}", f"/api/places/{odd}",
            f"/api/layers/{odd}.geojson", f"/api/plans/{odd}", f"/api/places?q={odd}",
            f"/?zoom={odd}", f"/?center={odd}", f"/?layers={odd}", f"/?basemap={odd}",
            f"/?place={odd}", f"/?lang={odd}", f"/layers/zones/download.{odd}",
            f"/layers/zones/download.csv?crs={odd}", f"/api/places?q=a&limit={odd}"]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code < 500, (url, resp.status_code)


def atlas_config(client, query: str = "") -> dict:
    html = client.get("/" + query).get_data(as_text=True)
    return json.loads(re.search(r"Planmap\.init\(\w+, (\{.*\})\);", html).group(1))


def test_share_offers_an_iframe_only_when_an_embed_page_exists():
    from flask import Blueprint

    app = create_app({"TESTING": True})
    if any(r.rule == "/embed" for r in app.url_map.iter_rules()):
        assert atlas_config(app.test_client())["api"]["embed"] == "/embed"
        return
    assert atlas_config(app.test_client())["api"]["embed"] is None
    app = create_app({"TESTING": True})
    stub = Blueprint("embed_stub", __name__)
    stub.add_url_rule("/embed", "embed", lambda: "embedded")
    app.register_blueprint(stub)
    assert atlas_config(app.test_client())["api"]["embed"] == "/embed"


def test_folium_pages_render_offline_and_unvendored_plugins_are_caught(app):
    import folium
    from branca.colormap import LinearColormap
    from folium.plugins import Fullscreen, GroupedLayerControl, MarkerCluster

    m = folium.Map(tiles=None)
    Fullscreen().add_to(m)
    a, b = folium.FeatureGroup("a").add_to(m), folium.FeatureGroup("b").add_to(m)
    GroupedLayerControl({"g": [a, b]}).add_to(m)
    folium.Marker([40, 116.3], icon=folium.Icon(icon="star", angle=45)).add_to(m)
    LinearColormap(["#ffffff", "#0000ff"], vmin=0, vmax=1).add_to(m)
    html = assets.check_offline(m.get_root().render(), "raise")
    assert "/static/vendor/d3/d3.min.js" in html
    client = app.test_client()
    for url in re.findall(r'(?:src|href)="(/static/vendor/[^"]+)"', html):
        assert client.get(url).status_code == 200, url
    MarkerCluster().add_to(m)  # not vendored: the guard must notice
    with pytest.raises(assets.OffHostAsset, match="markercluster"):
        assets.check_offline(m.get_root().render(), "raise")
