"""Feature store, CRS handling and synthetic layers under the OGC API; the real layers served."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from ogcapi_fixtures import PLACES, expected_collections, make_app
from pyproj import Transformer

from geo.crs_names import CGCS2000, CRS84, EPSG_URI, GK117, WGS84
from geo.errors import BadRequest
from geo.extents import BEIJING
from layers.place_query import place_store
from layers.query import (
    FeatureStore,
    bbox_geometry,
    from_crs,
    ogc_crs,
    to_crs,
)
from layers.store import default_store
from layers.synthetic import SYNTHETIC_LAYERS, generate, synthetic_store
from webmap import create_app
from webmap.ogcapi.catalog import Catalog, Collection, build_catalog
from webmap.ogcapi.flask_adapter import EXTENSION

SYNTHETIC_IDS = {sl.id for sl in SYNTHETIC_LAYERS}


def test_crs_spellings():
    """OGC API Part 2: URIs and [EPSG:n] safe CURIEs, and EPSG codes as typed elsewhere (the
    URI's system); names that leave the axis order in doubt (wgs84, CRS84) are a 400 here."""
    assert ogc_crs("http://www.opengis.net/def/crs/OGC/1.3/CRS84") is CRS84
    assert ogc_crs(None) is CRS84
    assert ogc_crs("https://www.opengis.net/def/crs/EPSG/0/4548") is GK117
    assert ogc_crs("[EPSG:4490]") is CGCS2000
    assert ogc_crs("[OGC:CRS84]") is CRS84
    assert ogc_crs(EPSG_URI + "4326") is WGS84
    assert ogc_crs("4326") is WGS84 and ogc_crs("EPSG:4548") is GK117
    for bad in ("EPSG:32650", "", "http://www.opengis.net/def/crs/EPSG/0/900913", "900913",
                "CRS84", "wgs84", "gcj02", "[EPSG:3395]"):
        with pytest.raises(BadRequest):
            ogc_crs(bad)


def test_to_and_from_crs_round_trip():
    pt = shapely.Point(116.3055, 39.9869)
    out = to_crs(pt, GK117)
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True).transform(pt.x, pt.y)
    assert (out.x, out.y) == pytest.approx((n, e), abs=1e-3)  # northing first
    assert to_crs(pt, WGS84).coords[0] == (39.9869, 116.3055)
    assert to_crs(pt, CRS84).coords[0] == (116.3055, 39.9869)
    back = from_crs(out, GK117)
    assert (back.x, back.y) == pytest.approx((pt.x, pt.y), abs=1e-8)


def test_bbox_across_the_antimeridian_is_two_boxes():
    geom = bbox_geometry([170, -10, -170, 10])
    assert geom.contains(shapely.Point(175, 0)) and geom.contains(shapely.Point(-175, 0))
    assert not geom.contains(shapely.Point(0, 0))


def test_feature_store_orders_by_id_and_refuses_duplicates():
    store = place_store(list(reversed(PLACES)))
    assert store.ids == sorted(p["id"] for p in PLACES)
    with pytest.raises(ValueError):
        FeatureStore.build([PLACES[0], PLACES[0]])


def test_feature_store_select_is_exact_and_cached_json_is_stable():
    store = synthetic_store("synthetic-points")
    box = bbox_geometry([116.2, 39.9, 116.3, 40.0])
    got = store.select(bbox=box)
    brute = np.flatnonzero(shapely.intersects(store.geometries, box))
    assert np.array_equal(got, brute)
    first = store.features_json(got[:5], CRS84)
    assert store.features_json(got[:5], CRS84) == first
    feature = json.loads(first[0])
    assert feature["id"] == store.ids[got[0]]


@pytest.mark.slow
def test_synthetic_layers_are_seeded_and_inside_beijing():
    for layer in SYNTHETIC_LAYERS:
        feats, geoms = generate(layer)
        again, geoms2 = generate(layer)
        assert len(feats) == layer.count
        assert feats[:50] == again[:50]
        assert shapely.equals(geoms[:50], geoms2[:50]).all()
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        bx = BEIJING
        assert bx[0] - 0.01 <= minx and maxx <= bx[2] + 0.01
        assert bx[1] - 0.01 <= miny and maxy <= bx[3] + 0.01
        assert shapely.is_valid(geoms).all()
        if layer.kind == "polygon":
            assert shapely.is_ccw(shapely.get_exterior_ring(geoms)).all()
    assert [sl.count for sl in SYNTHETIC_LAYERS] == [100_000, 10_000]


def test_each_store_is_built_once():
    calls: list[int] = []

    def loader() -> FeatureStore:
        calls.append(1)
        return place_store(PLACES)

    app = make_app(Catalog({"places": Collection("places", "t", "d", loader)}))
    client = app.test_client()
    for url in ("/ogcapi/collections", "/ogcapi/collections/places/items",
                "/ogcapi/collections/places/items?bbox=116,39,117,41",
                "/ogcapi/collections/places/items/pku"):
        assert client.get(url).status_code == 200
    assert len(calls) == 1


# ---- the real layers, through the app factory -------------------------------------------------

@pytest.fixture(scope="module")
def real_client():
    app = create_app({"OGC_SYNTHETIC": False})
    return app.test_client()


@pytest.mark.slow
def test_app_factory_serves_every_real_layer(real_client):
    store = default_store()
    expected = expected_collections(store)
    doc = json.loads(real_client.get("/ogcapi/collections").data)
    assert [c["id"] for c in doc["collections"]] == list(expected)
    served: dict[str, set[str]] = {}
    for cid, (layer_id, want) in expected.items():
        page = json.loads(real_client.get(
            f"/ogcapi/collections/{cid}/items?limit=10000").data)
        assert page["numberMatched"] == len(want), cid
        assert {f["id"] for f in page["features"]} == {f["id"] for f in want}
        names = {f["id"]: f["properties"]["name"] for f in want}
        assert {f["id"]: f["properties"]["name"] for f in page["features"]} == names
        types = {f["geometry"]["type"] for f in page["features"]}
        assert len(types) == 1, (cid, types)  # one geometry type per collection
        served.setdefault(layer_id, set()).update(names)
    # every feature of every layer is served, none twice
    for layer in store.layers:
        assert served[layer.id] == {f["id"] for f in store.features(layer.id)}, layer.id


def test_cache_header_follows_the_app_setting():
    client = create_app({"CACHE_MAX_AGE": 60}).test_client()
    assert client.get("/ogcapi/collections").headers["Cache-Control"] == "public, max-age=60"
    assert "Cache-Control" not in client.get("/ogcapi/collections/nope").headers


def test_real_free_text_finds_policy_words(real_client):
    store = default_store()
    located = [f for layer in store.layers for f in store.features(layer.id)
               if f["properties"]["passages"]]
    assert located, "no located place has passages"
    feature = located[0]
    layer_id = next(layer.id for layer in store.layers
                    if any(f["id"] == feature["id"] for f in store.features(layer.id)))
    word = feature["properties"]["passages"][0]["text"][:6]
    cid = next(c for c, (lid, feats) in expected_collections(store).items()
               if lid == layer_id and any(f["id"] == feature["id"] for f in feats))
    page = json.loads(real_client.get(
        f"/ogcapi/collections/{cid}/items", query_string={"q": word}).data)
    assert feature["id"] in {f["id"] for f in page["features"]}


def test_synthetic_collections_only_when_enabled(monkeypatch):
    monkeypatch.delenv("PLANMAP_OGC_SYNTHETIC", raising=False)
    plain = json.loads(create_app().test_client().get("/ogcapi/collections").data)
    assert SYNTHETIC_IDS.isdisjoint(c["id"] for c in plain["collections"])
    on = json.loads(create_app({"OGC_SYNTHETIC": True}).test_client()
                    .get("/ogcapi/collections").data)
    assert {c["id"] for c in on["collections"]} >= SYNTHETIC_IDS
    monkeypatch.setenv("PLANMAP_OGC_SYNTHETIC", "1")
    env_on = create_app().test_client()
    assert env_on.get("/ogcapi/collections/synthetic-points").status_code == 200
    # never part of the atlas: the layer store (which the atlas draws) has no synthetic layer
    assert SYNTHETIC_IDS.isdisjoint(layer.id for layer in default_store().layers)


def test_catalog_builder_uses_the_given_store():
    store = default_store()
    catalog = build_catalog(store, synthetic=True)
    assert list(catalog.collections) == [*expected_collections(store),
                                         *(sl.id for sl in SYNTHETIC_LAYERS)]
    assert EXTENSION == "planmap_ogcapi"
