"""An approved correction reaches every answer of a running app without a restart: the place
record, the layer GeoJSON, the OGC API items, the GeoPackage download and the figures' store."""

from __future__ import annotations

import time

import pyogrio

from layers.accounts import get_actor
from webmap import create_app

PARK = "zhongguancunruanjianyuan"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}


def test_an_approval_reaches_pages_api_ogc_and_downloads(db_url, base_store, tmp_path) -> None:
    app = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                      "DATABASE_URL": db_url, "SECRET_KEY": "k"})
    store = app.extensions["planmap.store"]
    client = app.test_client()
    layer = client.get(f"/api/places/{PARK}").get_json()["layers"][0]
    # a layer that mixes geometry types is published per family (`<layer>-polygons`)
    collection = next(c["id"] for c in client.get("/ogcapi/collections?f=json").get_json()[
        "collections"] if c["id"] in (layer, f"{layer}-polygons"))
    old_ogc = client.get(f"/ogcapi/collections/{collection}/items/{PARK}?f=json").get_json()
    old_gpkg = client.get(f"/layers/{layer}/download.gpkg").data
    assert old_ogc["properties"]["precision"] == "schematic"

    edits = store.edits
    rev = edits.propose_geometry(get_actor(store.db, "editor"), PARK, {
        "geometry": OUTLINE, "precision": "surveyed", "error_m": 20, "source": "survey"}, None)
    edits.approve(get_actor(store.db, "reviewer"), rev["id"])
    deadline = time.monotonic() + 15
    while client.get(f"/api/places/{PARK}").get_json()["precision"] != "surveyed":
        assert time.monotonic() < deadline, "the approval did not go live"
        time.sleep(0.1)

    ogc = client.get(f"/ogcapi/collections/{collection}/items/{PARK}?f=json").get_json()
    assert ogc["properties"]["precision"] == "surveyed" and ogc["properties"]["error_m"] == 20
    body = client.get(f"/api/layers/{layer}.geojson").get_json()
    assert next(f for f in body["features"] if f["id"] == PARK)["properties"][
        "precision"] == "surveyed"
    gpkg = client.get(f"/layers/{layer}/download.gpkg").data
    assert gpkg != old_gpkg
    path = tmp_path / "layer.gpkg"
    path.write_bytes(gpkg)
    tables = [t for t in pyogrio.list_layers(path)[:, 0] if t.startswith(layer.replace("-", "_"))]
    frames = [pyogrio.read_dataframe(path, layer=t) for t in tables]
    row = next(f[f["id"] == PARK].iloc[0] for f in frames if (f["id"] == PARK).any())
    assert row["precision"] == "surveyed"
    assert tuple(round(v, 6) for v in row.geometry.bounds) == (116.27, 40.046, 116.293, 40.06)
    page = client.get(f"/places/{PARK}?lang=en").get_data(as_text=True)
    assert "surveyed" in page.lower()
    store.close()


def test_healthz_reports_the_database_behind_the_store(db_url, base_store) -> None:
    app = create_app({"TESTING": True, "STORE": base_store, "DATABASE_URL": db_url,
                      "SECRET_KEY": "k"})
    answer = app.test_client().get("/healthz").get_json()
    assert answer["status"] == "ok"
    assert answer["database"]["reachable"] is True
    assert answer["database"]["backend"] in ("sqlite", "postgresql")
    none = create_app({"TESTING": True, "STORE": base_store, "DATABASE_URL": "none"})
    assert "database" not in none.test_client().get("/healthz").get_json()
