"""The corrections pages on both backends, through the Flask test client: who sees what, forms
with CSRF tokens, refusals as one line with the form kept, uploads in GCJ-02, the queue, the
revision page, approval going live, four eyes, history with mini maps, revert, both languages,
escaping, no shared caching, and client addresses behind a proxy."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from db_fixtures import PASSWORDS
from shapely.geometry import mapping, shape

from geo import crs as crs_math
from layers.db import audit
from webmap import create_app

PARK = "zhongguancunruanjianyuan"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}
FORM = {"base_revision": "", "precision": "approximate", "error_m": "80", "basis": "",
        "source": "survey 2026", "note": "", "comment": "fence surveyed",
        "geometry": json.dumps(OUTLINE)}


def make_app(db_url: str, base_store, **settings):
    return create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                       "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", **settings})


@pytest.fixture()
def app(db_url: str, base_store) -> Iterator:
    app = make_app(db_url, base_store)
    yield app
    app.extensions["planmap.store"].close()


def signed_in(app, name: str):
    """A client signed in as `name`, and the CSRF token of its session."""
    client = app.test_client()
    token = client.get("/api/me").get_json()["csrf_token"]
    resp = client.post("/login", json={"username": name, "password": PASSWORDS[name]},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return client, resp.get_json()["csrf_token"]


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def error_line(html: str) -> str:
    return re.search(r'class="pm-error-line">([^<]*)<', html).group(1)


def revision_id(resp) -> int:
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return int(re.match(r"/revisions/(\d+)\?done=", resp.headers["Location"]).group(1))


def wait_for(app, check, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the change did not go live"
        time.sleep(0.1)


def test_who_sees_what(app) -> None:
    anonymous = app.test_client()
    page = anonymous.get(f"/places/{PARK}").get_data(as_text=True)
    block = page[page.index('class="pm-corrections"'):page.index("</section>",
                                                                  page.index("pm-corrections"))]
    # the place page is one page for everyone: the edit links are there but hidden
    assert f'href="/places/{PARK}/history"' in block
    assert re.search(r'<li data-pm-role="editor" hidden><a href="/places/[^"]+/edit"', block)
    assert "/static/edit/account.js" in block
    edit = anonymous.get(f"/places/{PARK}/edit")
    assert edit.status_code == 303 and edit.headers["Location"] == \
        f"/login?next=/places/{PARK}/edit"
    assert anonymous.get("/review").status_code == 303
    assert anonymous.post(f"/places/{PARK}/edit", data=FORM).status_code == 401
    viewer, token = signed_in(app, "viewer")
    assert viewer.get(f"/places/{PARK}/edit").status_code == 403
    assert viewer.get("/review").status_code == 403
    refused = viewer.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token})
    assert refused.status_code == 403
    refused = viewer.post(f"/api/places/{PARK}/revisions", headers={"X-CSRFToken": token},
                          json={**FORM, "geometry": OUTLINE, "base_revision": None})
    assert refused.status_code == 403 and refused.get_json()["code"] == "Forbidden"
    history = viewer.get(f"/places/{PARK}/history").get_data(as_text=True)
    assert "pm-revert" not in history
    editor, _ = signed_in(app, "editor")
    page = editor.get(f"/places/{PARK}/edit")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'enctype="multipart/form-data"' in html
    assert "leaflet-geoman.min.js" in html and "/static/edit/draw.js" in html
    assert 'name="base_revision" value=""' in html


def test_propose_review_and_go_live(app) -> None:
    editor, e_token = signed_in(app, "editor")
    no_csrf = editor.post(f"/places/{PARK}/edit", data=FORM)
    assert no_csrf.status_code == 400
    rid = revision_id(editor.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": e_token}))
    page = editor.get(f"/revisions/{rid}?done=proposed").get_data(as_text=True)
    assert "已提交，等待审核。" in page and 'id="pm-approve"' not in page
    assert 'data-field="geometry"' in page and 'data-field="precision"' in page
    assert "近似位置" in page and "示意范围" in page  # after and before, in words
    assert re.search(r"中心移动 [\d.]+ 米", page)
    data = json.loads(re.search(r'id="pm-review-data">(.*?)</script>', page).group(1))
    assert data["after"]["type"] == "Polygon" and data["before"] is not None
    reviewer, _ = signed_in(app, "reviewer")
    queue = reviewer.get("/review").get_data(as_text=True)
    assert f'data-revision="{rid}"' in queue and "fence surveyed" in queue
    page = reviewer.get(f"/revisions/{rid}").get_data(as_text=True)
    assert 'id="pm-approve"' in page and 'id="pm-reject"' in page
    approved = reviewer.post(f"/revisions/{rid}/approve",
                             data={"csrf_token": form_token(page), "reason": "checked"})
    assert approved.status_code == 303 and approved.headers["Location"] == \
        f"/revisions/{rid}?done=approved"
    wait_for(app, lambda: app.test_client().get(f"/api/places/{PARK}").get_json()[
        "precision"] == "approximate")
    place = app.test_client().get(f"/places/{PARK}").get_data(as_text=True)
    assert "近似位置" in place
    assert reviewer.get("/review").get_data(as_text=True).count("data-revision=") == 0
    store = app.extensions["planmap.store"]
    actions = [(e["action"], e["username"], e["revision_id"]) for e in audit.entries(store.db)]
    assert ("propose", "editor", rid) in actions and ("approve", "reviewer", rid) in actions


def test_refusals_keep_the_form(app) -> None:
    editor, token = signed_in(app, "editor")
    resp = editor.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token, "source": "",
                                                      "note": "kept <b>as typed</b>"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert error_line(html) == "source is required"
    assert 'value="kept &lt;b&gt;as typed&lt;/b&gt;"' in html  # kept, escaped
    bad_json = editor.post(f"/places/{PARK}/edit",
                           data={**FORM, "csrf_token": token, "geometry": "{oops"})
    assert bad_json.status_code == 400 and "not JSON" in error_line(bad_json.get_data(
        as_text=True))
    far = editor.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token, "geometry":
                                                     json.dumps({"type": "Point",
                                                                 "coordinates": [121.4, 31.2]})})
    assert far.status_code == 400 and "outside Beijing" in error_line(far.get_data(as_text=True))
    first = revision_id(editor.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token}))
    reviewer, r_token = signed_in(app, "reviewer")
    reviewer.post(f"/revisions/{first}/approve", data={"csrf_token": r_token, "reason": "ok"})
    stale = editor.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert f'href="/revisions/{first}"' in html and "此地点已有更新的修订" in html
    assert f'name="base_revision" value="{first}"' in html  # the form now builds on it


def test_upload_through_the_form_lands_shifted_back(app) -> None:
    editor, token = signed_in(app, "editor")
    shifted = crs_math.offset(shape(OUTLINE), "GCJ-02")
    file = json.dumps({"type": "Feature", "properties": {},
                       "geometry": mapping(shifted)}).encode()
    import io

    read = editor.post("/api/geometry/read", headers={"X-CSRFToken": token},
                       data={"file": (io.BytesIO(file), "amap.geojson"), "crs": "gcj02",
                             "place": PARK}, content_type="multipart/form-data")
    assert read.status_code == 200, read.get_data(as_text=True)
    assert 450 < read.get_json()["moved_m"] < 700 and read.get_json()["crs"] == "GCJ-02"
    refused = editor.post("/api/geometry/read", headers={"X-CSRFToken": token},
                          data={"file": (io.BytesIO(b"<html>no</html>"), "x.kml")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "\n" not in refused.get_json()["description"]
    rid = revision_id(editor.post(
        f"/places/{PARK}/edit", content_type="multipart/form-data",
        data={**FORM, "geometry": "", "csrf_token": token, "crs": "gcj02",
              "file": (io.BytesIO(file), "amap.geojson")}))
    got = editor.get(f"/api/revisions/{rid}").get_json()["geometry"]
    assert shape(got).hausdorff_distance(shape(OUTLINE)) < 1e-6
    viewer, v_token = signed_in(app, "viewer")
    assert viewer.post("/api/geometry/read", headers={"X-CSRFToken": v_token},
                       data={"file": (io.BytesIO(file), "a.geojson")},
                       content_type="multipart/form-data").status_code == 403


def test_alias_and_new_place(app) -> None:
    editor, token = signed_in(app, "editor")
    rid = revision_id(editor.post(f"/places/{PARK}/alias", data={
        "csrf_token": token, "base_revision": "", "text": "软件园北区", "comment": "local use"}))
    assert editor.get(f"/api/revisions/{rid}").get_json()["kind"] == "alias"
    form = editor.get("/places/new?name=西北旺新村").get_data(as_text=True)
    assert 'value="西北旺新村"' in form
    new = {"csrf_token": token, "id": "xibeiwang-xincun", "name": "西北旺新村",
           "kind": "village", "precision": "approximate", "source": "survey",
           "geometry": json.dumps({"type": "Point", "coordinates": [116.25, 40.05]})}
    rid = revision_id(editor.post("/places/new", data=new))
    detail = editor.get(f"/api/revisions/{rid}").get_json()
    assert detail["kind"] == "place" and detail["after"]["properties"]["name"] == "西北旺新村"
    again = editor.post("/places/new", data={**new, "kind": "no-such-kind"})
    assert again.status_code == 400 and "kind must be one of" in error_line(
        again.get_data(as_text=True))
    reviewer, r_token = signed_in(app, "reviewer")
    reviewer.post(f"/revisions/{rid}/approve", data={"csrf_token": r_token, "reason": "ok"})
    wait_for(app, lambda: app.test_client().get(
        "/places/xibeiwang-xincun").status_code == 200)


def test_four_eyes_and_reasons(app) -> None:
    reviewer, token = signed_in(app, "reviewer")
    own = revision_id(reviewer.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token}))
    page = reviewer.get(f"/revisions/{own}").get_data(as_text=True)
    assert "四眼原则" in page and 'id="pm-approve"' not in page
    refused = reviewer.post(f"/revisions/{own}/approve", data={"csrf_token": token})
    assert refused.status_code == 403
    no_reason = reviewer.post(f"/revisions/{own}/reject", data={"csrf_token": token,
                                                                "reason": " "})
    assert no_reason.status_code == 400
    assert error_line(no_reason.get_data(as_text=True)) == "a rejection needs a reason"
    admin, _ = signed_in(app, "admin")
    assert 'id="pm-approve"' in admin.get(f"/revisions/{own}").get_data(as_text=True)
    editor, e_token = signed_in(app, "editor2")
    assert editor.post(f"/revisions/{own}/reject", data={"csrf_token": e_token,
                                                         "reason": "no"}).status_code == 403
    rejected = reviewer.post(f"/revisions/{own}/reject", data={"csrf_token": token,
                                                               "reason": "withdrawn"})
    assert rejected.status_code == 303
    page = app.test_client().get(f"/revisions/{own}?done=rejected").get_data(as_text=True)
    assert "已驳回" in page and "withdrawn" in page and 'id="pm-reject"' not in page


def test_history_mini_maps_and_revert(app) -> None:
    editor, token = signed_in(app, "editor")
    reviewer, r_token = signed_in(app, "reviewer")
    empty = app.test_client().get(f"/places/{PARK}/history").get_data(as_text=True)
    assert "尚无修订" in empty
    first = revision_id(editor.post(f"/places/{PARK}/edit", data={**FORM, "csrf_token": token}))
    reviewer.post(f"/revisions/{first}/approve", data={"csrf_token": r_token, "reason": "ok"})
    moved = {"type": "Polygon", "coordinates": [[[116.28, 40.05], [116.29, 40.05],
                                                  [116.29, 40.058], [116.28, 40.058],
                                                  [116.28, 40.05]]]}
    second = revision_id(editor.post(f"/places/{PARK}/edit", data={
        **FORM, "csrf_token": token, "base_revision": str(first),
        "geometry": json.dumps(moved), "comment": "<script>alert(1)</script>"}))
    reviewer.post(f"/revisions/{second}/approve", data={"csrf_token": r_token, "reason": "ok"})
    page = editor.get(f"/places/{PARK}/history")
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    rows = re.findall(r'<tr data-revision="(\d+)" data-status="(\w+)">', html)
    assert rows == [(str(second), "approved"), (str(first), "approved")]
    assert html.count('class="pm-mini-rev"') == 2 and 'class="pm-mini-now"' in html
    # the head cannot be reverted to; the first revision and the data files can
    assert f'name="to_revision" value="{first}"' in html
    assert f'name="to_revision" value="{second}"' not in html and 'id="pm-revert-files"' in html
    back = revision_id(editor.post(f"/places/{PARK}/revert", data={
        "csrf_token": token, "to_revision": "", "base_revision": str(second),
        "comment": "back to the files"}))
    detail = editor.get(f"/api/revisions/{back}").get_json()
    assert detail["kind"] == "revert" and detail["status"] == "proposed"
    stale = editor.post(f"/places/{PARK}/revert", data={
        "csrf_token": token, "to_revision": str(first), "base_revision": str(first)})
    assert stale.status_code == 409
    reviewer.post(f"/revisions/{back}/approve", data={"csrf_token": r_token, "reason": "ok"})
    wait_for(app, lambda: app.test_client().get(f"/api/places/{PARK}").get_json()[
        "precision"] == "schematic")
    html = app.test_client().get(f"/places/{PARK}/history?lang=en").get_data(as_text=True)
    assert "Revision history" in html and "revert" in html and "the data files" in html


def test_english_pages(app) -> None:
    editor, token = signed_in(app, "editor")
    html = editor.get(f"/places/{PARK}/edit?lang=en").get_data(as_text=True)
    assert "Propose a correction" in html and "Coordinate source (required)" in html
    assert '<html lang="en">' in html and "GCJ-02" in html
    rid = revision_id(editor.post(f"/places/{PARK}/edit?lang=en",
                                  data={**FORM, "csrf_token": token}))
    page = editor.get(f"/revisions/{rid}?done=proposed&lang=en").get_data(as_text=True)
    assert "Submitted; it waits for a reviewer." in page and "What changes" in page
    assert "Review queue" in editor.get("/review?lang=en").get_data(as_text=True)


def test_client_address_behind_a_proxy(db_url: str, base_store) -> None:
    direct = make_app(db_url, base_store)
    proxied = make_app(db_url, base_store, TRUSTED_PROXIES=1)
    try:
        for app, forwarded in ((direct, "203.0.113.7"), (proxied, "198.51.100.9")):
            client = app.test_client()
            token = client.get("/api/me").get_json()["csrf_token"]
            client.post("/login", json={"username": "editor", "password": "wrong"},
                        headers={"X-CSRFToken": token, "X-Forwarded-For": forwarded})
        clients = [e["client"] for e in audit.entries(direct.extensions["planmap.store"].db)
                   if e["action"] == "login_failed"]
        # a direct server ignores the header anyone can send; behind one proxy it is the client
        assert clients == ["127.0.0.1", "198.51.100.9"]
    finally:
        direct.extensions["planmap.store"].close()
        proxied.extensions["planmap.store"].close()


def test_without_a_database_there_is_nothing_to_edit(base_store) -> None:
    client = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                         "DATABASE_URL": "none"}).test_client()
    assert "pm-corrections" not in client.get(f"/places/{PARK}").get_data(as_text=True)
    assert client.get(f"/places/{PARK}/edit").status_code == 400
