"""Accounts on the web, on both backends: sign-in with CSRF and throttling, cookie flags, roles
checked on the server (401/403 JSON), API tokens, READ_REQUIRES_LOGIN, the corrections API with
its conflicts, and an unreachable database (503 JSON on writes, pages still served)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from db_fixtures import PASSWORDS

from layers.db import audit
from layers.db.engine import Database
from webmap import create_app

PARK = "zhongguancunruanjianyuan"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}
BODY = {"geometry": OUTLINE, "precision": "approximate", "error_m": 80, "source": "survey",
        "base_revision": None, "comment": "fence surveyed"}


def make_app(db_url: str, base_store, **settings):
    return create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                       "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", **settings})


@pytest.fixture()
def app(db_url: str, base_store) -> Iterator:
    app = make_app(db_url, base_store)
    yield app
    app.extensions["planmap.store"].close()


def csrf_token(client) -> str:
    return client.get("/api/me").get_json()["csrf_token"]


def sign_in(client, name: str) -> str:
    """Sign in through the JSON form of /login; returns the CSRF token for later writes."""
    resp = client.post("/login", json={"username": name, "password": PASSWORDS[name]},
                       headers={"X-CSRFToken": csrf_token(client)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["csrf_token"]


def test_sign_in_form_with_csrf_and_cookie_flags(app) -> None:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"username": "editor", "password": PASSWORDS["editor"], "next": "/layers"}
    assert client.post("/login", data=form).status_code == 400  # no CSRF token
    wrong = client.post("/login", data={**form, "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "wrong password" in wrong.get_data(as_text=True)
    ok = client.post("/login", data={**form, "csrf_token": token})
    assert ok.status_code == 303 and ok.headers["Location"] == "/layers"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/api/me").get_json()["user"]["role"] == "editor"
    # signing in starts a new session: the token of the old one is void
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 400
    evil = client.post("/login", data={**form, "csrf_token": csrf_token(client),
                                       "next": "//evil.example/"})
    assert evil.headers["Location"] == "/"
    client.post("/logout", headers={"X-CSRFToken": csrf_token(client)})
    assert client.get("/api/me").get_json()["signed_in"] is False
    actions = [(e["action"], e["username"], e["client"]) for e in audit.entries(
        app.extensions["planmap.store"].db)]
    assert ("login_failed", "editor", "127.0.0.1") in actions
    assert ("login", "editor", "127.0.0.1") in actions and ("logout", "editor", "127.0.0.1") \
        in actions


def test_secure_flag_over_https(app) -> None:
    client = app.test_client()
    token = client.get("/api/me", base_url="https://localhost").get_json()["csrf_token"]
    resp = client.post("/login", base_url="https://localhost", json={
        "username": "viewer", "password": PASSWORDS["viewer"]},
        headers={"X-CSRFToken": token, "Referer": "https://localhost/login"})
    assert resp.status_code == 200
    assert "Secure" in resp.headers["Set-Cookie"]


def test_writes_are_checked_on_the_server(app) -> None:
    anonymous = app.test_client()
    resp = anonymous.post(f"/api/places/{PARK}/revisions", json=BODY)
    assert resp.status_code == 401 and resp.get_json()["code"] == "Unauthorized"
    viewer = app.test_client()
    token = sign_in(viewer, "viewer")
    resp = viewer.post(f"/api/places/{PARK}/revisions", json=BODY,
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 403 and resp.get_json()["code"] == "Forbidden"
    editor = app.test_client()
    token = sign_in(editor, "editor")
    resp = editor.post(f"/api/places/{PARK}/revisions", json=BODY)
    assert resp.status_code == 400 and resp.get_json()["code"] == "CSRFError"
    resp = editor.post(f"/api/places/{PARK}/revisions", json=BODY,
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 201 and resp.headers["Location"].startswith("/api/revisions/")
    rid = resp.get_json()["id"]
    resp = editor.post(f"/api/revisions/{rid}/approve", json={}, headers={"X-CSRFToken": token})
    assert resp.status_code == 403
    no_base = editor.post(f"/api/places/{PARK}/revisions", headers={"X-CSRFToken": token},
                          json={k: v for k, v in BODY.items() if k != "base_revision"})
    assert no_base.status_code == 400 and "base_revision" in no_base.get_json()["description"]


def test_review_through_the_api_goes_live_and_conflicts_show_the_newer(app) -> None:
    editor, reviewer = app.test_client(), app.test_client()
    e_token, r_token = sign_in(editor, "editor"), sign_in(reviewer, "reviewer")
    first = editor.post(f"/api/places/{PARK}/revisions", json=BODY,
                        headers={"X-CSRFToken": e_token}).get_json()
    queue = reviewer.get("/api/revisions").get_json()["revisions"]
    assert [r["id"] for r in queue] == [first["id"]]
    detail = reviewer.get(f"/api/revisions/{first['id']}").get_json()
    assert "geometry" in detail["changed"] and detail["before"]["properties"]["id"] == PARK
    resp = reviewer.post(f"/api/revisions/{first['id']}/approve", json={"reason": "ok"},
                         headers={"X-CSRFToken": r_token})
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        record = app.test_client().get(f"/api/places/{PARK}").get_json()
        if record["precision"] == "approximate":
            break
        time.sleep(0.1)
    assert record["precision"] == "approximate" and record["error_m"] == 80
    history = app.test_client().get(f"/api/places/{PARK}/history")
    assert history.headers["ETag"] == f'"{PARK}.{first["id"]}"'
    stale = editor.post(f"/api/places/{PARK}/revisions", json=BODY,
                        headers={"X-CSRFToken": e_token})
    assert stale.status_code == 409 and stale.get_json()["current"]["id"] == first["id"]
    precondition = editor.post(f"/api/places/{PARK}/revisions",
                               json={k: v for k, v in BODY.items() if k != "base_revision"},
                               headers={"X-CSRFToken": e_token, "If-Match": f'"{PARK}.0"'})
    assert precondition.status_code == 412
    assert precondition.get_json()["current"]["id"] == first["id"]
    fresh = editor.post(f"/api/places/{PARK}/revisions",
                        json={k: v for k, v in BODY.items() if k != "base_revision"},
                        headers={"X-CSRFToken": e_token, "If-Match": history.headers["ETag"]})
    assert fresh.status_code == 201 and fresh.get_json()["base_revision"] == first["id"]


def test_api_tokens_need_no_csrf_and_stop_when_revoked(app) -> None:
    editor = app.test_client()
    token = sign_in(editor, "editor")
    issued = editor.post("/api/tokens", json={"name": "QGIS", "days": 30},
                         headers={"X-CSRFToken": token})
    assert issued.status_code == 201
    secret, token_id = issued.get_json()["token"], issued.get_json()["id"]
    store = app.extensions["planmap.store"]
    with store.db.reader() as session:
        from sqlalchemy import text

        stored = session.execute(text("SELECT digest FROM api_tokens")).scalars().all()
    assert secret not in stored and len(stored) == 1  # only a hash is kept
    script = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert script.get("/api/me", headers=bearer).get_json()["user"]["username"] == "editor"
    resp = script.post(f"/api/places/{PARK}/aliases", headers=bearer,
                       json={"text": "软件园一期", "base_revision": None})
    assert resp.status_code == 201
    assert script.get("/api/me", headers={"Authorization": "Bearer pm_nope"}).status_code == 401
    editor.post(f"/api/tokens/{token_id}/revoke", headers={"X-CSRFToken": token})
    assert script.post(f"/api/places/{PARK}/aliases", headers=bearer,
                       json={"text": "软件园二期", "base_revision": None}).status_code == 401


def test_sign_in_is_throttled(db_url, base_store) -> None:
    app = make_app(db_url, base_store, LOGIN_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_token(client)
    codes = [client.post("/login", json={"username": "editor", "password": "wrong"},
                         headers={"X-CSRFToken": token}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    app.extensions["planmap.store"].close()


def test_read_requires_login(db_url, base_store) -> None:
    app = make_app(db_url, base_store, READ_REQUIRES_LOGIN=True)
    client = app.test_client()
    assert client.get("/").status_code == 303
    assert client.get("/").headers["Location"].startswith("/login?next=/")
    assert client.get("/api/layers").status_code == 401
    assert client.get("/ogcapi/collections").status_code in (303, 401)
    assert client.get("/login").status_code == 200 and client.get("/healthz").status_code == 200
    sign_in(client, "viewer")
    assert client.get("/api/layers").status_code == 200
    app.extensions["planmap.store"].close()


def test_without_a_database_the_atlas_is_read_only(base_store) -> None:
    client = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                         "DATABASE_URL": "none"}).test_client()
    resp = client.post(f"/api/places/{PARK}/revisions", json=BODY)
    assert resp.status_code == 403 and "read-only" in resp.get_json()["description"]
    assert client.get("/api/me").get_json()["database"] is False


def test_a_busy_or_unreachable_database_gives_503_on_writes_and_pages_still_work(
        db_url, base_store, outage) -> None:
    app = make_app(db_url, base_store, DB_TIMEOUT=1)
    editor = app.test_client()
    token = sign_in(editor, "editor")
    with outage(db_url):
        resp = editor.post(f"/api/places/{PARK}/revisions", json=BODY,
                           headers={"X-CSRFToken": token})
        assert resp.status_code == 503 and resp.get_json()["code"] == "DatabaseUnavailable"
        page = app.test_client().get(f"/places/{PARK}")
        assert page.status_code == 200
        assert app.test_client().get(f"/api/places/{PARK}").status_code == 200
    resp = editor.post(f"/api/places/{PARK}/revisions", json=BODY,
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 201
    app.extensions["planmap.store"].close()


def test_a_signed_in_download_is_an_export_in_the_audit_log(app) -> None:
    client = app.test_client()
    sign_in(client, "viewer")
    assert client.get("/layers/parks/download.csv").status_code == 200
    exports = audit.entries(Database(app.extensions["planmap.store"].db.url), action="export")
    assert exports and exports[-1]["username"] == "viewer"
    assert exports[-1]["detail"]["path"].startswith("/layers/parks/download.csv")
