"""OGC API – Features behaviour through Flask's test client, checked against brute force."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import numpy as np
import pytest
import shapely
from ogcapi_fixtures import PLACES, make_app, small_catalog
from pyproj import Transformer
from shapely.geometry import shape

from geo.crs_names import EPSG_URI, OGC_CRS84
from webmap.ogcapi import core

CRS84 = OGC_CRS84

EPSG4548 = EPSG_URI + "4548"
EPSG4326 = EPSG_URI + "4326"
EPSG4490 = EPSG_URI + "4490"


@pytest.fixture(scope="module")
def app():
    return make_app(small_catalog(synthetic=True))


@pytest.fixture()
def client(app):
    return app.test_client()


def get_json(client, url: str, status: int = 200, **kw) -> dict:
    r = client.get(url, **kw)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:300])
    return json.loads(r.get_data(as_text=True))


def relative(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


def all_pages(client, url: str) -> tuple[list[dict], list[dict]]:
    """Follow `next` links from `url`; returns (features, pages)."""
    feats: list[dict] = []
    pages: list[dict] = []
    while url:
        page = get_json(client, url)
        pages.append(page)
        feats.extend(page["features"])
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url = relative(nxt[0]) if nxt else ""
        assert len(pages) < 1000
    return feats, pages


# ---- landing, conformance, api ----------------------------------------------------------------

def test_landing_links(client):
    doc = get_json(client, "/ogcapi/")
    rels = {link["rel"]: link for link in doc["links"]}
    for rel in ("self", "alternate", "service-desc", "service-doc", "conformance", "data"):
        assert rel in rels
    assert rels["service-desc"]["type"] == core.OPENAPI
    assert get_json(client, "/ogcapi") == doc  # no redirect needed without the slash


def test_conformance_classes(client):
    doc = get_json(client, "/ogcapi/conformance")
    for cls in ("ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
                "ogcapi-features-1/1.0/conf/html", "ogcapi-features-1/1.0/conf/oas30",
                "ogcapi-features-2/1.0/conf/crs"):
        assert any(uri.endswith(cls) for uri in doc["conformsTo"]), cls


def test_openapi_document_is_valid(client):
    from openapi_spec_validator import validate

    r = client.get("/ogcapi/api")
    assert r.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = json.loads(r.get_data(as_text=True))
    validate(doc)
    assert "/collections/places/items" in doc["paths"]
    names = {p["name"] for p in doc["paths"]["/collections/places/items"]["get"]["parameters"]}
    assert {"limit", "offset", "bbox", "bbox-crs", "crs", "q", "kind", "plan", "year"} <= names


# ---- collections --------------------------------------------------------------------------------

def test_collections_and_collection(client):
    doc = get_json(client, "/ogcapi/collections")
    assert [c["id"] for c in doc["collections"]] == ["places", "synthetic-polygons"]
    coll = get_json(client, "/ogcapi/collections/places")
    assert coll["storageCrs"] == CRS84
    assert set(coll["crs"]) == {CRS84, EPSG4326, EPSG4490, EPSG4548, EPSG_URI + "4527",
                                EPSG_URI + "3857"}
    geoms = [shape(f["geometry"]) for f in PLACES]
    expected = shapely.total_bounds(np.asarray(geoms, dtype=object))
    assert coll["extent"]["spatial"]["bbox"][0] == pytest.approx(list(expected))
    assert coll["extent"]["temporal"]["interval"][0][0].startswith("2016-01-01")
    assert coll["extent"]["temporal"]["interval"][0][1].startswith("2025-12-31")
    rels = {link["rel"] for link in coll["links"]}
    assert {"self", "alternate", "items"} <= rels


def test_queryables_schema(client):
    r = client.get("/ogcapi/collections/places/queryables")
    assert r.headers["Content-Type"].startswith("application/schema+json")
    doc = json.loads(r.get_data(as_text=True))
    assert doc["$schema"].startswith("https://json-schema.org/")
    assert doc["type"] == "object"
    assert {"kind", "plan", "year", "precision", "layer", "geometry"} <= set(doc["properties"])
    assert doc["properties"]["year"]["type"] == "integer"


# ---- items: paging --------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 5, 7, 12, 100])
def test_paging_covers_every_feature_once(client, limit):
    feats, pages = all_pages(client, f"/ogcapi/collections/places/items?limit={limit}")
    ids = [f["id"] for f in feats]
    assert sorted(ids) == sorted(p["id"] for p in PLACES)
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)  # stable order: feature id
    for i, page in enumerate(pages):
        assert page["numberMatched"] == len(PLACES)
        assert page["numberReturned"] == len(page["features"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page["timeStamp"])
        rels = {link["rel"]: link for link in page["links"]}
        assert rels["self"]["type"] == "application/geo+json"
        assert rels["alternate"]["type"] == "text/html"
        assert rels["collection"]["type"] == "application/json"
        assert ("prev" in rels) == (i > 0)
        assert ("next" in rels) == (i < len(pages) - 1)


def test_prev_link_goes_back(client):
    page = get_json(client, "/ogcapi/collections/places/items?limit=5&offset=5&kind=zone,park,"
                            "innovation-node,institution,site,town,road,other,water,mountain")
    prev = next(link["href"] for link in page["links"] if link["rel"] == "prev")
    assert "offset=0" in prev and "kind=" in prev  # filters carried along
    first = get_json(client, relative(prev))
    assert [f["id"] for f in first["features"]] == sorted(p["id"] for p in PLACES)[:5]


def test_paging_large_layer(client):
    feats, pages = all_pages(client, "/ogcapi/collections/synthetic-polygons/items?limit=3000")
    ids = [f["id"] for f in feats]
    assert len(ids) == 10_000 == len(set(ids))
    assert len(pages) == 4


def test_limit_above_maximum_is_clamped(client):
    page = get_json(client, "/ogcapi/collections/synthetic-polygons/items?limit=20000")
    assert page["numberReturned"] == core.MAX_LIMIT == 10_000
    assert page["numberMatched"] == 10_000
    assert not any(link["rel"] == "next" for link in page["links"])


def test_offset_past_the_end_is_empty(client):
    page = get_json(client, "/ogcapi/collections/places/items?offset=50")
    assert page["features"] == [] and page["numberMatched"] == len(PLACES)


# ---- items: bbox ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def polygons(app):
    """The synthetic layer as served (all 10 000), to check queries against brute force."""
    page = get_json(app.test_client(), "/ogcapi/collections/synthetic-polygons/items?limit=10000")
    ids = np.asarray([f["id"] for f in page["features"]])
    geoms = np.asarray([shape(f["geometry"]) for f in page["features"]], dtype=object)
    return ids, geoms


BOXES = [
    (116.20, 39.90, 116.40, 40.05),
    (115.40, 39.40, 115.60, 39.60),  # a corner of the extent
    (116.30, 39.95, 116.3005, 39.9505),  # tiny
    (100.0, 20.0, 101.0, 21.0),  # nowhere
    (115.0, 39.0, 118.0, 42.0),  # everything
]


@pytest.mark.parametrize("box", BOXES)
def test_bbox_matches_brute_force(client, polygons, box):
    ids, geoms = polygons
    expected = set(ids[shapely.intersects(geoms, shapely.box(*box))])
    feats, _ = all_pages(
        client, "/ogcapi/collections/synthetic-polygons/items?limit=10000&bbox="
        + ",".join(map(str, box)))
    got = [f["id"] for f in feats]
    assert len(got) == len(set(got))
    assert set(got) == expected


def test_bbox_on_mixed_geometries(client):
    box = (116.26, 39.98, 116.31, 40.035)
    expected = {p["id"] for p in PLACES if shape(p["geometry"]).intersects(shapely.box(*box))}
    page = get_json(client, "/ogcapi/collections/places/items?bbox=" + ",".join(map(str, box)))
    assert {f["id"] for f in page["features"]} == expected
    assert page["numberMatched"] == len(expected)
    assert {"beiqing-lu", "far-east"}.isdisjoint(expected) and "pku" in expected


def test_bbox_with_six_numbers_ignores_heights(client):
    four = get_json(client, "/ogcapi/collections/places/items?bbox=116.26,39.98,116.31,40.035")
    six = get_json(client, "/ogcapi/collections/places/items?bbox=116.26,39.98,0,116.31,40.035,99")
    assert [f["id"] for f in six["features"]] == [f["id"] for f in four["features"]]


def test_bbox_crs_4548_is_northing_first(client, polygons):
    ids, geoms = polygons
    # A box in EPSG:4548 (northing, easting order) around Zhongguancun.
    n0, e0, n1, e1 = 4_420_000.0, 436_000.0, 4_432_000.0, 447_000.0
    to_wgs = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
    ring = shapely.segmentize(shapely.box(e0, n0, e1, n1), 100)
    area = shapely.transform(ring, lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
    expected = set(ids[shapely.intersects(geoms, area)])
    assert expected
    page = get_json(
        client, f"/ogcapi/collections/synthetic-polygons/items?limit=10000&bbox={n0},{e0},{n1},{e1}"
        f"&bbox-crs={EPSG4548}")
    assert {f["id"] for f in page["features"]} == expected


def test_bbox_crs_4326_is_latitude_first(client):
    lonlat = get_json(client, "/ogcapi/collections/places/items?bbox=116.26,39.98,116.31,40.035")
    latlon = get_json(client, "/ogcapi/collections/places/items?bbox=39.98,116.26,40.035,116.31"
                              f"&bbox-crs={EPSG4326}")
    assert [f["id"] for f in latlon["features"]] == [f["id"] for f in lonlat["features"]]


# ---- items: crs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("uri,epsg", [(EPSG4548, "EPSG:4548"), (EPSG4326, "EPSG:4326"),
                                      (EPSG4490, "EPSG:4490")])
def test_crs_output_follows_the_crs_axis_order(client, uri, epsg):
    r = client.get(f"/ogcapi/collections/places/items?crs={uri}&limit=100")
    assert r.status_code == 200
    assert r.headers["Content-Crs"] == f"<{uri}>"
    got = {f["id"]: f for f in json.loads(r.get_data(as_text=True))["features"]}
    # pyproj without always_xy uses the authority axis order: lat/lon, northing/easting.
    t = Transformer.from_crs("OGC:CRS84", epsg)
    for place in PLACES:
        src = np.asarray(shapely.get_coordinates(shape(place["geometry"])))
        a, b = t.transform(src[:, 0], src[:, 1])
        out = shapely.get_coordinates(shape(got[place["id"]]["geometry"]))
        tol = 0.002 if epsg == "EPSG:4548" else 1e-7
        assert np.allclose(out[:, 0], a, atol=tol) and np.allclose(out[:, 1], b, atol=tol)
    if epsg == "EPSG:4548":  # northing ~4.43e6 first, easting ~4.4e5 second in Haidian
        x, y = got["pku"]["geometry"]["coordinates"]
        assert 4.3e6 < x < 4.5e6 and 3e5 < y < 6e5


def test_crs_default_uris_and_safe_curies(client):
    r = client.get("/ogcapi/collections/places/items/pku")
    assert r.headers["Content-Crs"] == f"<{CRS84}>"
    assert json.loads(r.data)["geometry"]["coordinates"] == [116.3055, 39.9869]
    for spelling in ("[EPSG:4548]", "https://www.opengis.net/def/crs/EPSG/0/4548", EPSG4548,
                     "EPSG:4548", "epsg:4548", "4548"):
        r = client.get(f"/ogcapi/collections/places/items/pku?crs={spelling}")
        assert r.status_code == 200 and r.headers["Content-Crs"] == f"<{EPSG4548}>"
    # Part 2 takes URIs (and safe CURIEs); EPSG codes name their URI's system (above). Names
    # that leave the axis order in doubt, and offsets, are refused with the URIs offered.
    for spelling in ("wgs84", "CRS84", "gcj02", "EPSG:32650", "99999"):
        for param in ("crs", "bbox-crs"):
            extra = "&bbox=1,2,3,4" if param == "bbox-crs" else ""
            r = client.get(f"/ogcapi/collections/places/items?{param}={spelling}{extra}")
            assert r.status_code == 400, (param, spelling)
            assert EPSG4548 in json.loads(r.data)["description"]


# ---- items: filters, q, datetime -------------------------------------------------------------

def ids_of(client, query: str) -> set[str]:
    page = get_json(client, f"/ogcapi/collections/places/items?{query}")
    assert page["numberMatched"] == len(page["features"])
    return {f["id"] for f in page["features"]}


def test_property_filters(client):
    props = {p["id"]: p["properties"] for p in PLACES}
    assert ids_of(client, "kind=institution") == {"pku", "tsinghua"}
    assert ids_of(client, "kind=institution,park") == {
        k for k, p in props.items() if p["kind"] in ("institution", "park")}
    assert ids_of(client, "plan=haidian-13th-innovation-core") == {
        k for k, p in props.items() if "haidian-13th-innovation-core" in p["plans"]}
    assert ids_of(client, "year=2021&kind=institution") == {"pku", "tsinghua"}
    assert ids_of(client, "year=2025") == {k for k, p in props.items() if 2025 in p["years"]}
    assert ids_of(client, "kind=no-such-kind") == set()
    assert ids_of(client, "name=北京大学") == {"pku"}


def test_free_text(client):
    assert ids_of(client, "q=世界一流") == {"pku", "tsinghua"}
    assert ids_of(client, "q=summer palace") == {"yiheyuan"}
    assert ids_of(client, "q=PEKING") == {"pku"}
    assert ids_of(client, "q=世界一流 清华") == {"tsinghua"}
    assert ids_of(client, "q=三山五园&kind=park") == {"yiheyuan"}


def test_datetime(client):
    props = {p["id"]: p["properties"] for p in PLACES}
    assert ids_of(client, "datetime=2024-01-01T00:00:00Z/..") == {
        k for k, p in props.items() if max(p["years"]) >= 2024}
    assert ids_of(client, "datetime=2019-06-01") == {
        k for k, p in props.items() if 2019 in p["years"]}
    assert ids_of(client, "datetime=../2016-12-31") == {
        k for k, p in props.items() if min(p["years"]) <= 2016}
    both = {k for k, p in props.items() if 2021 in p["years"]}
    assert ids_of(client, "datetime=2021-01-01T00:00:00%2B08:00/2021-12-31T00:00:00Z") == both
    assert ids_of(client, "datetime=2021-01-01T00:00:00+08:00/2021-12-31T00:00:00Z") == both


def test_huge_numbers_are_not_errors(client):
    page = get_json(client, "/ogcapi/collections/places/items?offset=" + "9" * 30)
    assert page["features"] == [] and page["numberMatched"] == len(PLACES)
    page = get_json(client, "/ogcapi/collections/places/items?limit=" + "9" * 30)
    assert page["numberReturned"] == len(PLACES)


# ---- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url,status", [
    ("/ogcapi/collections/nope", 404),
    ("/ogcapi/collections/nope/items", 404),
    ("/ogcapi/collections/nope/queryables", 404),
    ("/ogcapi/collections/places/items/nope", 404),
    ("/ogcapi/nowhere", 404),
    ("/ogcapi/collections/places/items?bbox=1,2,3", 400),
    ("/ogcapi/collections/places/items?bbox=a,b,c,d", 400),
    ("/ogcapi/collections/places/items?bbox=116,41,117,40", 400),
    ("/ogcapi/collections/places/items?bbox=116,39,117,91", 400),
    ("/ogcapi/collections/places/items?bbox=116,39,117,nan", 400),
    ("/ogcapi/collections/places/items?bbox=1,2,3,4,5,6,7", 400),
    ("/ogcapi/collections/places/items?bbox-crs=EPSG:4548", 400),
    ("/ogcapi/collections/places/items?bbox=1,2,3,4&bbox-crs=EPSG:32650", 400),
    ("/ogcapi/collections/places/items?limit=0", 400),
    ("/ogcapi/collections/places/items?limit=-5", 400),
    ("/ogcapi/collections/places/items?limit=ten", 400),
    ("/ogcapi/collections/places/items?offset=-1", 400),
    ("/ogcapi/collections/places/items?offset=1.5", 400),
    ("/ogcapi/collections/places/items?crs=EPSG:32650", 400),
    ("/ogcapi/collections/places/items?crs=", 400),
    ("/ogcapi/collections/places/items?year=twenty", 400),
    ("/ogcapi/collections/places/items?kind=", 400),
    ("/ogcapi/collections/places/items?datetime=yesterday", 400),
    ("/ogcapi/collections/places/items?datetime=2025-01-01/2016-01-01", 400),
    ("/ogcapi/collections/places/items?category=住宅", 400),
    ("/ogcapi/collections/places/items?unknown=1", 400),
    ("/ogcapi/collections/places/items?limit=1&limit=2", 400),
    ("/ogcapi/collections/places/items?f=xml", 400),
    ("/ogcapi/collections/places/items/pku?crs=EPSG:2000", 400),
    ("/ogcapi/collections?bbox=1,2,3,4", 400),
])
def test_errors_are_json_with_code_and_description(client, url, status):
    r = client.get(url)
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.headers["Content-Type"].startswith("application/json")
    body = json.loads(r.get_data(as_text=True))
    assert set(body) == {"code", "description"} and body["description"]


# ---- encoding, formats --------------------------------------------------------------------------

def test_chinese_is_utf8_not_escaped(client):
    r = client.get("/ogcapi/collections/places/items?kind=institution")
    assert r.headers["Content-Type"] == "application/geo+json; charset=utf-8"
    assert "北京大学".encode() in r.data
    assert b"\\u5317" not in r.data
    feature = get_json(client, "/ogcapi/collections/places/items/pku")
    assert feature["properties"]["passages"][0]["text"] == "支持北京大学建设世界一流大学"


def test_content_negotiation(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for url in ("/ogcapi/", "/ogcapi/collections", "/ogcapi/collections/places",
                "/ogcapi/collections/places/items", "/ogcapi/collections/places/items/pku"):
        assert client.get(url, headers={"Accept": browser}).mimetype == "text/html"
        assert client.get(url, headers={"Accept": "application/json"}).mimetype != "text/html"
        assert client.get(url + "?f=json", headers={"Accept": browser}).mimetype != "text/html"
        assert client.get(url, headers={"Accept": "text/html;q=0.5, application/geo+json"}
                          ).mimetype != "text/html"
    items = client.get("/ogcapi/collections/places/items",
                       headers={"Accept": "application/geo+json"})
    assert items.mimetype == "application/geo+json"
    assert {v.strip() for v in items.headers["Vary"].split(",")} == {"Accept", "Accept-Encoding"}
    assert items.headers["Access-Control-Allow-Origin"] == "*"


def test_html_pages_use_local_leaflet_and_escape_text(client):
    for url in ("/ogcapi/?f=html", "/ogcapi/conformance?f=html", "/ogcapi/api?f=html",
                "/ogcapi/collections?f=html", "/ogcapi/collections/places?f=html",
                "/ogcapi/collections/places/queryables?f=html",
                "/ogcapi/collections/places/items?f=html&limit=5",
                "/ogcapi/collections/places/items/far-east?f=html"):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "text/html", url
        html = r.get_data(as_text=True)
        srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assert not [s for s in srcs if s.startswith(("http:", "https:", "//"))], (url, srcs)
    page = client.get("/ogcapi/collections/places/items?f=html").get_data(as_text=True)
    assert 'src="/static/vendor/leaflet/dist/leaflet.js"' in page
    assert "北京大学" in page
    item = client.get("/ogcapi/collections/places/items/far-east?f=html").get_data(as_text=True)
    assert "<b>不应" not in item and "&lt;b&gt;不应" in item


def test_every_route_parameter_and_setting_is_documented(app):
    from pathlib import Path

    from layers.place_query import PLACE_QUERYABLES
    from layers.query import OGC_CRS_URIS

    text = (Path(__file__).resolve().parent.parent / "docs" / "ogcapi.md").read_text("utf-8")
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r.rule) for r in app.url_map.iter_rules()
             if r.endpoint.startswith("ogcapi.") and r.endpoint != "ogcapi.unknown"}
    assert len(rules) == 9
    missing = [r for r in sorted(rules) if f"`{r}`" not in text]
    assert not missing, f"routes not in docs/ogcapi.md: {missing}"
    params = [*core.ITEMS_PARAMS, *(q.name for q in PLACE_QUERYABLES), "category"]
    assert not [p for p in params if f"`{p}`" not in text]
    assert not [u for u in OGC_CRS_URIS if f"`{u}`" not in text]
    for setting in ("OGC_SYNTHETIC", "PLANMAP_OGC_SYNTHETIC", "STORE"):
        assert setting in text
