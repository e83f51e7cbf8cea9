"""OGC API items queries beyond Part 1's basics, each checked against brute force over the
fixture places: datetime (undated features kept, offsets honoured), properties, sortby, CQL2
filters (Part 3, text and JSON), and the protocol faults of issues 12 and 14 (405 with Allow,
newline ids, limit above the maximum, zero-area bbox with bbox-crs, gzip/ETag, Link headers,
flat excerpts and absolute detail_url)."""

from __future__ import annotations

import copy
import gzip
import json

import pytest
import shapely
from ogcapi_fixtures import PLACES, make_app
from shapely.geometry import shape

from geo.crs_names import EPSG_URI
from layers.place_query import place_store
from webmap import create_app
from webmap.ogcapi.catalog import Catalog, Collection

UNDATED = copy.deepcopy(PLACES[0])
UNDATED["id"] = UNDATED["properties"]["id"] = "undated"
UNDATED["properties"].update(years=[], plans=[], passages=[], first_year=None, last_year=None)
FEATURES = [*PLACES, UNDATED]
ITEMS = "/ogcapi/collections/places/items"


@pytest.fixture(scope="module")
def client():
    catalog = Catalog({"places": Collection(
        id="places", title="测试地点", description="fixture",
        loader=lambda: place_store(FEATURES))})
    app = make_app(catalog)
    app.config["BASE_URL"] = ""
    return app.test_client()


def ids(client, url: str, **params) -> list[str]:
    r = client.get(url, query_string={"limit": 1000, **params})
    assert r.status_code == 200, (params, r.get_data(as_text=True)[:300])
    return [f["id"] for f in r.get_json()["features"]]


def brute(test) -> set[str]:
    return {f["id"] for f in FEATURES if test(f["properties"], f["geometry"])}


def status(client, url: str, **params) -> int:
    return client.get(url, query_string=params).status_code


# ---- datetime --------------------------------------------------------------------------------

def test_datetime_keeps_features_without_a_date():
    """/req/core/fc-time-response: features with no temporal geometry are always returned."""
    app = make_app(Catalog({"p": Collection(id="p", title="p", description="",
                                            loader=lambda: place_store(FEATURES))}))
    c = app.test_client()
    for value in ("2021-06-01T12:00:00Z", "2016-01-01/2016-12-31", "../2000-01-01",
                  "3000-01-01/.."):
        got = set(ids(c, "/ogcapi/collections/p/items", datetime=value))
        assert "undated" in got, value


@pytest.mark.parametrize(("value", "years"), [
    ("2021-06-01T12:00:00Z", {2021}),
    ("2022-01-01T03:00:00+08:00", {2021}),   # 2021-12-31T19:00Z
    ("2021-12-31T20:00:00-05:00", {2022}),   # 2022-01-01T01:00Z
    ("2021-06-01", {2021}),
    ("2019-01-01/2021-01-01", {2019, 2020, 2021}),
    ("2019-01-01/2020-12-31", {2019, 2020}),
    ("2020-12-31T23:59:59Z/..", set(range(2020, 2100))),
    ("../2016-01-01T00:00:00Z", set(range(1900, 2017))),
])
def test_datetime_intervals_and_offsets(client, value, years):
    want = brute(lambda p, g: not p["years"] or bool(set(p["years"]) & years))
    assert set(ids(client, ITEMS, datetime=value)) == want


def test_real_admin_towns_without_years_survive_datetime():
    """The reproduction of issue 12: admin lost 3 towns under any datetime."""
    client = create_app({"OGC_SYNTHETIC": False}).test_client()
    every = ids(client, "/ogcapi/collections/admin/items")
    dated = ids(client, "/ogcapi/collections/admin/items", datetime="2021-06-01T12:00:00Z")
    undated = [f["id"] for f in client.get("/ogcapi/collections/admin/items?limit=1000")
               .get_json()["features"] if not f["properties"]["years"]]
    assert undated, "admin has no undated place any more: the reproduction needs another layer"
    assert set(undated) <= set(dated) <= set(every)


# ---- properties, sortby ----------------------------------------------------------------------

def test_properties_selects_fields(client):
    r = client.get(ITEMS, query_string={"properties": "name,excerpts,detail_url"})
    feats = r.get_json()["features"]
    assert feats and all(list(f["properties"]) == ["name", "excerpts", "detail_url"]
                         for f in feats)
    assert all(f["geometry"] for f in feats)
    assert status(client, ITEMS, properties="name,nope") == 400
    empty = client.get(ITEMS, query_string={"properties": ""}).get_json()["features"]
    assert all(f["properties"] == {} for f in empty)


def test_sortby(client):
    got = ids(client, ITEMS, sortby="-last_year,name")
    rows = sorted(FEATURES, key=lambda f: f["properties"]["name"])
    dated = sorted((f for f in rows if f["properties"]["last_year"] is not None),
                   key=lambda f: -f["properties"]["last_year"])
    undated = [f for f in rows if f["properties"]["last_year"] is None]
    assert got == [f["id"] for f in dated + undated]
    assert ids(client, ITEMS, sortby="id") == sorted(f["id"] for f in FEATURES)
    assert ids(client, ITEMS, sortby="-id") == sorted((f["id"] for f in FEATURES), reverse=True)
    assert status(client, ITEMS, sortby="passages") == 400
    # paging follows the sort order
    first = ids(client, ITEMS, sortby="name", limit=4)
    r = client.get(ITEMS, query_string={"sortby": "name", "limit": 4, "offset": 4})
    assert first + [f["id"] for f in r.get_json()["features"]] == ids(client, ITEMS,
                                                                      sortby="name")[:8]


# ---- CQL2 ------------------------------------------------------------------------------------

BOX = (116.26, 39.98, 116.31, 40.035)
CASES = [
    ("kind = 'park'", lambda p, g: p["kind"] == "park"),
    ("kind <> 'park'", lambda p, g: p["kind"] != "park"),
    ("year >= 2021", lambda p, g: any(y >= 2021 for y in p["years"])),
    ("year < 2017 AND kind = 'zone'", lambda p, g: any(y < 2017 for y in p["years"])
     and p["kind"] == "zone"),
    ("kind = 'park' OR kind = 'water'", lambda p, g: p["kind"] in ("park", "water")),
    ("NOT (kind = 'park')", lambda p, g: p["kind"] != "park"),
    ("name LIKE '清%'", lambda p, g: p["name"].startswith("清")),
    ("name LIKE '_华大学'", lambda p, g: len(p["name"]) == 4 and p["name"][1:] == "华大学"),
    ("year BETWEEN 2016 AND 2019", lambda p, g: any(2016 <= y <= 2019 for y in p["years"])),
    ("kind IN ('park', 'water', 'road')", lambda p, g: p["kind"] in ("park", "water", "road")),
    ("first_year IS NULL", lambda p, g: p["first_year"] is None),
    ("plan = 'haidian-14th-fyp'", lambda p, g: "haidian-14th-fyp" in p["plans"]),
    ("CASEI(name_en) = CASEI('summer PALACE')", lambda p, g: p["name_en"] == "Summer Palace"),
    (f"S_INTERSECTS(geometry, BBOX({','.join(map(str, BOX))}))",
     lambda p, g: shape(g).intersects(shapely.box(*BOX))),
    ("S_WITHIN(geometry, POLYGON((116.2 39.9, 116.4 39.9, 116.4 40.1, 116.2 40.1, 116.2 39.9)))",
     lambda p, g: shape(g).within(shapely.box(116.2, 39.9, 116.4, 40.1))),
    ("S_CONTAINS(geometry, POINT(116.267 39.995))",
     lambda p, g: shape(g).contains(shapely.Point(116.267, 39.995))),
    ("S_DISJOINT(geometry, BBOX(116.0,39.0,116.2,40.5))",
     lambda p, g: shape(g).disjoint(shapely.box(116.0, 39.0, 116.2, 40.5))),
]


@pytest.mark.parametrize(("text", "test"), CASES, ids=[c[0] for c in CASES])
def test_cql2_text_matches_brute_force(client, text, test):
    assert set(ids(client, ITEMS, filter=text)) == brute(test)


def test_cql2_json_and_filter_crs(client):
    doc = {"op": "and", "args": [
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": list(BOX)}]},
        {"op": ">=", "args": [{"property": "year"}, 2021]}]}
    want = brute(lambda p, g: shape(g).intersects(shapely.box(*BOX))
                 and any(y >= 2021 for y in p["years"]))
    assert set(ids(client, ITEMS, filter=json.dumps(doc), **{"filter-lang": "cql2-json"})) == want
    # the same box in EPSG:4326 (latitude first): filter-crs swaps it back
    lat_first = f"S_INTERSECTS(geometry, BBOX({BOX[1]},{BOX[0]},{BOX[3]},{BOX[2]}))"
    got = ids(client, ITEMS, filter=lat_first, **{"filter-crs": EPSG_URI + "4326"})
    assert set(got) == brute(lambda p, g: shape(g).intersects(shapely.box(*BOX)))


@pytest.mark.parametrize("bad", [
    "kind = 1", "nope = 'x'", "kind ==", "year = 'x'", "S_INTERSECTS(geometry, kind)",
    "passages = 'x'", "", "S_INTERSECTS(geometry, POINT(1e400 0))",
])
def test_bad_filters_are_400(client, bad):
    r = client.get(ITEMS, query_string={"filter": bad})
    assert r.status_code == 400 and r.get_json()["code"] == "InvalidParameterValue", bad


def test_filter_lang_and_crs_are_checked(client):
    assert status(client, ITEMS, filter="kind = 'park'", **{"filter-lang": "ecql"}) == 400
    assert status(client, ITEMS, **{"filter-lang": "cql2-text"}) == 400
    assert status(client, ITEMS, filter="{", **{"filter-lang": "cql2-json"}) == 400
    assert status(client, ITEMS, filter="kind = 'park'", **{"filter-crs": "wgs84"}) == 400


def test_queryables_are_typed(client):
    doc = client.get("/ogcapi/collections/places/queryables").get_json()
    props = doc["properties"]
    assert props["geometry"]["x-ogc-role"] == "primary-geometry"
    assert props["mention_count"]["type"] == "integer"
    assert props["error_m"]["type"] == "number"
    assert props["name"]["type"] == "string"
    assert set(props["precision"]["enum"]) >= {"surveyed", "area-only"}


# ---- flat text fields ------------------------------------------------------------------------

def test_excerpts_and_absolute_detail_url(client):
    f = client.get(f"{ITEMS}/pku").get_json()
    props = f["properties"]
    assert "支持北京大学建设世界一流大学" in props["excerpts"]
    assert props["excerpts"].startswith(PLACES[8]["properties"]["passages"][0]["citation"])
    assert props["detail_url"] == "http://localhost/places/pku"
    app = make_app(Catalog({"places": Collection(
        id="places", title="t", description="", loader=lambda: place_store(FEATURES))}))
    app.config["BASE_URL"] = "https://maps.example.org/planmap"
    other = app.test_client()
    f2 = other.get(f"{ITEMS}/pku").get_json()
    assert f2["properties"]["detail_url"] == "https://maps.example.org/planmap/places/pku"
    assert f2["links"][0]["href"].startswith("https://maps.example.org/planmap/ogcapi/")


# ---- protocol faults -------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("url", ["/ogcapi/", ITEMS, f"{ITEMS}/pku", "/ogcapi/nowhere"])
def test_writes_are_405_json_with_allow(client, method, url):
    r = client.open(url, method=method, data=b"{}", content_type="application/json")
    assert r.status_code == 405
    assert r.mimetype == "application/json"
    assert r.get_json()["code"] == "MethodNotAllowed"
    assert {m.strip() for m in r.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}


def test_options_is_a_cors_preflight(client):
    r = client.options(ITEMS, headers={"Origin": "https://report.example",
                                       "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]


def test_writes_to_the_app_api_are_405_json_with_allow():
    # without a database (the tests' default) nothing can be written: the OGC API's Part 4
    # routes answer 405 as the read-only API does (tests/test_ogcapi_transactions.py has them
    # with a database); POST /api/places proposes a place, refused with 403 here
    client = create_app({"OGC_SYNTHETIC": False}).test_client()
    for url in ("/api/layers", "/ogcapi/collections/admin/items"):
        r = client.post(url, data=b"x")
        assert r.status_code == 405 and r.mimetype == "application/json", url
        assert "GET" in r.headers["Allow"], url
    r = client.post("/api/places?q=x", data=b"x")
    assert r.status_code == 403 and r.mimetype == "application/json"


def test_newline_in_feature_id_is_json_404(client):
    for fid in ("pk%0Au", "pku%0A", "%0A", "a%0Ab/c", "pku%0D%0AX-Injected:%201"):
        r = client.get(f"{ITEMS}/{fid}")
        assert r.status_code == 404 and r.mimetype == "application/json", fid
        assert "X-Injected" not in r.headers
    app_client = create_app({"OGC_SYNTHETIC": False}).test_client()
    r = app_client.get("/ogcapi/collections/admin/items/x%0Ay")
    assert r.status_code == 404 and r.mimetype == "application/json"


def test_limit_above_the_maximum_is_clamped_as_the_openapi_says(client):
    r = client.get(ITEMS, query_string={"limit": 10001})
    assert r.status_code == 200
    assert all("limit=10000" in link["href"] for link in r.get_json()["links"]
               if link["rel"] in ("self", "alternate"))
    api = client.get("/ogcapi/api").get_json()
    limit = next(p for p in api["paths"]["/collections/places/items"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 10000
    assert "above 10000 is not an error" in limit["description"]


@pytest.mark.parametrize("crs", ["4326", "4490", "4548"])
def test_zero_area_bbox_with_bbox_crs_is_not_500(client, crs):
    for bbox in ("0,0,0,0", "39.9869,116.3055,39.9869,116.3055", "4428305,440682,4428305,440682",
                 "10,10,10,20"):
        r = client.get(ITEMS, query_string={"bbox": bbox, "bbox-crs": EPSG_URI + crs})
        assert r.status_code in (200, 400), (crs, bbox, r.status_code)
    pku = client.get(ITEMS, query_string={"bbox": "39.9869,116.3055,39.9869,116.3055",
                                          "bbox-crs": EPSG_URI + "4326"}).get_json()
    assert "pku" in {f["id"] for f in pku["features"]}


def test_openapi_form_explode_false_everywhere(client):
    api = client.get("/ogcapi/api").get_json()
    for path, ops in api["paths"].items():
        for p in ops["get"]["parameters"]:
            if p["in"] == "query":
                assert (p.get("style"), p.get("explode")) == ("form", False), (path, p["name"])


def test_gzip_etag_and_304_on_json_answers(client):
    for url in ("/ogcapi/", "/ogcapi/conformance", "/ogcapi/api", "/ogcapi/collections",
                "/ogcapi/collections/places", "/ogcapi/collections/places/queryables",
                "/ogcapi/collections/places/schema", ITEMS, f"{ITEMS}/pku"):
        plain = client.get(url)
        assert plain.status_code == 200 and plain.headers.get("ETag"), url
        again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
        assert again.status_code == 304 and not again.data, url
        packed = client.get(url, headers={"Accept-Encoding": "gzip", "Accept": "application/json"})
        if len(plain.data) >= 1024:
            assert packed.headers["Content-Encoding"] == "gzip", url
            assert gzip.decompress(packed.data) == plain.data, url
        assert "Accept-Encoding" in packed.headers["Vary"], url


def test_link_headers_on_items(client):
    r = client.get(ITEMS, query_string={"limit": 5, "offset": 5})
    header = r.headers["Link"]
    body_links = {link["rel"]: link["href"] for link in r.get_json()["links"]}
    for rel in ("self", "alternate", "next", "prev", "collection"):
        assert f'<{body_links[rel]}>; rel="{rel}"' in header, rel
    one = client.get(f"{ITEMS}/pku")
    assert 'rel="self"' in one.headers["Link"] and 'rel="collection"' in one.headers["Link"]
