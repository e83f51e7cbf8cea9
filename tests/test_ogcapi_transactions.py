"""OGC API – Features Part 4 on the places collections, on SQLite and PostgreSQL, through the
Flask client: writes become proposals awaiting review (never direct edits), item ETags name the
place's state and If-Match is required and checked, roles and CSRF are checked on the server,
bad bodies answer 400 JSON, and the classes are declared only where writing is possible."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from db_fixtures import PASSWORDS
from shapely.geometry import shape

from layers import accounts
from webmap import create_app

PARK = "zhongguancunruanjianyuan"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}
PART4 = ("http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
         "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update")


@pytest.fixture()
def app(db_url: str, base_store) -> Iterator:
    app = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                      "DATABASE_URL": db_url, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["planmap.store"].close()


def bearer(app, name: str) -> dict[str, str]:
    store = app.extensions["planmap.store"]
    secret, _ = accounts.issue_token(store.db, name, "ogc client", accounts.operator("tests"))
    return {"Authorization": f"Bearer {secret}"}


def item_url(client) -> str:
    layer = client.get(f"/api/places/{PARK}").get_json()["layers"][0]
    ids = [c["id"] for c in client.get("/ogcapi/collections?f=json").get_json()["collections"]]
    collection = next(c for c in ids if c in (layer, f"{layer}-polygons"))
    return f"/ogcapi/collections/{collection}/items/{PARK}"


def feature(client, url: str) -> tuple[dict, str]:
    resp = client.get(f"{url}?f=json")
    assert resp.status_code == 200
    return resp.get_json(), resp.headers["ETag"]


def corrected(current: dict, **props) -> dict:
    return {"type": "Feature", "id": PARK, "geometry": OUTLINE,
            "properties": {**current["properties"], "precision": "approximate", "error_m": 60,
                           "source": "site survey 2026", "comment": "fence surveyed", **props}}


def test_conformance_declares_part4_only_with_a_database(app, base_store) -> None:
    classes = app.test_client().get("/ogcapi/conformance?f=json").get_json()["conformsTo"]
    assert set(PART4) <= set(classes)
    readonly = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                           "DATABASE_URL": "none"})
    client = readonly.test_client()
    assert not set(PART4) & set(client.get("/ogcapi/conformance?f=json").get_json()[
        "conformsTo"])
    url = item_url(client)
    resp = client.put(url, json={"type": "Feature"}, headers={"If-Match": "*"})
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert "\"" not in resp.headers.get("ETag", "") and resp.get_json()["code"]


def test_openapi_lists_the_writes_only_with_a_database(app, base_store) -> None:
    from openapi_spec_validator import validate

    client = app.test_client()
    item = item_url(client)
    path = "/collections/" + item.split("/")[3]
    doc = client.get("/ogcapi/api?f=json").get_json()
    validate(doc)
    assert "post" in doc["paths"][f"{path}/items"]
    ops = doc["paths"][f"{path}/items/{{featureId}}"]
    assert {"get", "put", "patch", "delete"} <= set(ops)
    assert "202" in ops["put"]["responses"] and "412" in ops["patch"]["responses"]
    assert any(p["name"] == "If-Match" and p["required"] for p in ops["delete"]["parameters"])
    readonly = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                           "DATABASE_URL": "none"}).test_client()
    plain = readonly.get("/ogcapi/api?f=json").get_json()
    validate(plain)
    assert set(plain["paths"][f"{path}/items/{{featureId}}"]) == {"get"}


def test_replace_is_a_proposal_with_if_match(app) -> None:
    client = app.test_client()
    url = item_url(client)
    current, etag = feature(client, url)
    assert etag.startswith(f'"{PARK}.0~') and current["properties"]["precision"] == "schematic"
    assert client.head(f"{url}?f=json").headers["ETag"] == etag
    assert client.get(f"{url}?f=json", headers={"If-None-Match": etag}).status_code == 304
    editor = bearer(app, "editor")
    body = corrected(current)

    missing = client.put(url, json=body, headers=editor)
    assert missing.status_code == 428 and missing.get_json()["code"] == "PreconditionRequired"
    foreign = client.put(url, json=body, headers={**editor, "If-Match": '"yiheyuan.0"'})
    assert foreign.status_code == 400 and "If-Match" in foreign.get_json()["description"]

    resp = client.put(url, json=body, headers={**editor, "If-Match": etag})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    answer = resp.get_json()
    revision = answer["revision"]
    assert answer["status"] == "proposed" and revision["status"] == "proposed"
    assert revision["place_id"] == PARK and revision["comment"] == "fence surveyed"
    assert resp.headers["Location"].endswith(f"/api/revisions/{revision['id']}")
    assert f"/revisions/{revision['id']}" in resp.headers["Link"]
    # a proposal, not an edit: the item is as it was, with the same ETag
    unchanged, same = feature(client, url)
    assert unchanged["properties"]["precision"] == "schematic" and same == etag

    # the reviewer approves: the item moves on, its ETag names the new head
    store = app.extensions["planmap.store"]
    store.edits.approve(accounts.get_actor(store.db, "reviewer"), revision["id"], "ok")
    store.refresh()
    now, newer = feature(client, url)
    assert newer.startswith(f'"{PARK}.{revision["id"]}~')
    assert now["properties"]["precision"] == "approximate"
    assert now["properties"]["error_m"] == 60
    # a polygons collection serves every polygon as a MultiPolygon
    assert shape(now["geometry"]).bounds == pytest.approx((116.27, 40.046, 116.293, 40.06))
    stale = client.put(url, json=corrected(now, error_m=30),
                       headers={**editor, "If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["code"] == "PreconditionFailed"
    assert stale.get_json()["current"]["id"] == revision["id"]
    # the history's ETag names the same state and is accepted too
    history = client.get(f"/api/places/{PARK}/history").headers["ETag"]
    assert history == f'"{PARK}.{revision["id"]}"'
    again = client.put(url, json=corrected(now, error_m=30),
                       headers={**editor, "If-Match": history})
    assert again.status_code == 202 and again.get_json()["revision"][
        "base_revision"] == revision["id"]


def test_patch_and_delete_propose_position_changes(app) -> None:
    client = app.test_client()
    url = item_url(client)
    _, etag = feature(client, url)
    editor = bearer(app, "editor")
    store = app.extensions["planmap.store"]

    patch = client.patch(url, data='{"properties": {"error_m": 400, "source": "map sheet"}}',
                         headers={**editor, "If-Match": etag,
                                  "Content-Type": "application/merge-patch+json"})
    assert patch.status_code == 202, patch.get_data(as_text=True)
    rev = store.edits.get(patch.get_json()["revision"]["id"])
    assert rev["changes"]["error_m"] == 400 and rev["changes"]["source"] == "map sheet"
    assert rev["sets_geometry"] is False  # the geometry was not named: it stays

    deleted = client.delete(url, headers={**editor, "If-Match": etag})
    assert deleted.status_code == 202
    rev = store.edits.get(deleted.get_json()["revision"]["id"])
    assert rev["sets_geometry"] is True and rev["geometry"] is None
    assert rev["changes"]["precision"] == "unlocated"
    assert [r["id"] for r in store.edits.queue()] == [patch.get_json()["revision"]["id"],
                                                      rev["id"]]
    assert feature(client, url)[0]["geometry"] is not None  # still on the map until approved


def test_create_proposes_a_new_place(app) -> None:
    client = app.test_client()
    items = item_url(client).rsplit("/", 1)[0]
    editor = bearer(app, "editor")
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.31, 40.05]},
            "properties": {"id": "test-new-station", "name": "测试新站", "kind": "station",
                           "precision": "approximate", "error_m": 100,
                           "source": "site visit", "comment": "missing station"}}
    resp = client.post(items, json=body, headers=editor)
    assert resp.status_code == 202, resp.get_data(as_text=True)
    revision = resp.get_json()["revision"]
    assert revision["kind"] == "place" and revision["place_id"] == "test-new-station"
    assert revision["status"] == "proposed"
    assert client.get(f"{items}/test-new-station?f=json").status_code == 404
    twice = client.post(items, json={**body, "properties": {**body["properties"], "id": PARK}},
                        headers=editor)
    assert twice.status_code == 409 and twice.get_json()["code"] == "Conflict"


def test_roles_csrf_and_bad_bodies(app) -> None:
    client = app.test_client()
    url = item_url(client)
    items = url.rsplit("/", 1)[0]
    current, etag = feature(client, url)
    body = corrected(current)

    anonymous = client.put(url, json=body, headers={"If-Match": etag})
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "Unauthorized"
    viewer = client.put(url, json=body, headers={**bearer(app, "viewer"), "If-Match": etag})
    assert viewer.status_code == 403 and viewer.get_json()["code"] == "Forbidden"
    assert client.post(items, json=body, headers=bearer(app, "viewer")).status_code == 403
    bad_token = client.delete(url, headers={"Authorization": "Bearer pm_nope", "If-Match": etag})
    assert bad_token.status_code == 401

    # a signed-in editor writes with the session's CSRF token
    session = app.test_client()
    csrf = session.get("/api/me").get_json()["csrf_token"]
    signed = session.post("/login", json={"username": "editor", "password": PASSWORDS["editor"]},
                          headers={"X-CSRFToken": csrf}).get_json()["csrf_token"]
    no_csrf = session.put(url, json=body, headers={"If-Match": etag})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["code"] == "CSRFError"
    ok = session.put(url, json=body, headers={"If-Match": etag, "X-CSRFToken": signed})
    assert ok.status_code == 202

    editor = {**bearer(app, "editor"), "If-Match": etag}
    cases = [
        ("not json", "the body must be JSON"),
        ('{"type": "FeatureCollection"}', "GeoJSON Feature"),
        ('{"type": "Feature", "properties": {"source": "x"}}', "geometry"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1]}, '
         '"properties": {"source": "x"}}', ""),
    ]
    for text, words in cases:
        resp = client.put(url, data=text, headers={**editor, "Content-Type": "application/json"})
        assert resp.status_code == 400, (text, resp.get_data(as_text=True))
        assert resp.is_json and words in resp.get_json()["description"]
    renamed = client.put(url, json=corrected(current, name="改名"), headers=editor)
    assert renamed.status_code == 400 and "name" in renamed.get_json()["description"]
    no_source = client.put(url, json=corrected(current, source=None), headers=editor)
    assert no_source.status_code == 400 and "source" in no_source.get_json()["description"]
    patch = client.patch(url, data='["not", "an object"]',
                         headers={**editor, "Content-Type": "application/merge-patch+json"})
    assert patch.status_code == 400
    missing = client.put(url.rsplit("/", 1)[0] + "/no-such-place", json=body, headers=editor)
    assert missing.status_code == 404 and missing.is_json
    # writes where the standard has none stay 405
    assert client.post(url, json=body, headers=editor).status_code == 405
    assert client.put(items, json=body, headers=editor).status_code == 405
    assert client.delete("/ogcapi/collections", headers=editor).status_code == 405
    # nothing of the above was proposed but the signed-in editor's replacement
    assert [r["id"] for r in app.extensions["planmap.store"].edits.queue()] == [
        ok.get_json()["revision"]["id"]]
