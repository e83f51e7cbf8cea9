"""The upload API without a browser, on both backends: every format a planner brings is
previewed and saved through `/api/plans/uploads`, approved and served with its outline, layer
and citations (the PDF's with pages); a scan, an unknown format and a missing file are refused
with a one-line 4xx JSON answer; the same file twice names the existing plan; only editors
upload and only reviewers approve."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from db_fixtures import PASSWORDS
from plan_documents import (
    DOCX_TITLE,
    GBK_TITLE,
    HTML_TITLE,
    PDF_TITLE,
    UNKNOWN_ROAD,
    plan_docx,
    plan_gbk,
    plan_html,
    plan_pdf,
    scanned_pdf,
)

from webmap import create_app

DOCUMENTS = {  # file name: (bytes, title, a heading of its outline, a known place it names)
    "plan.pdf": (plan_pdf, PDF_TITLE, "交通组织", "beiqinglu"),
    "plan.docx": (plan_docx, DOCX_TITLE, "第二章 重点任务", "wenquanzhen"),
    "plan.html": (plan_html, HTML_TITLE, "二、主要任务", "zhongguancundajie"),
    "plan-gbk.txt": (plan_gbk, GBK_TITLE, "第二节 规划目标", "beiqinglu"),
}


@pytest.fixture()
def app(db_url: str, base_store) -> Iterator:
    app = create_app({"OFFLINE_ASSETS": "raise", "TESTING": True, "STORE": base_store,
                      "DATABASE_URL": db_url, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["planmap.store"].close()


def signed_in(app, name: str) -> tuple[object, dict[str, str]]:
    """A client signed in as `name` and the CSRF header its writes carry."""
    client = app.test_client()
    token = client.get("/api/me").get_json()["csrf_token"]
    resp = client.post("/login", json={"username": name, "password": PASSWORDS[name]},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return client, {"X-CSRFToken": resp.get_json()["csrf_token"]}


def post_file(client, url: str, headers: dict[str, str], name: str, data: bytes,
              **fields: str):
    return client.post(url, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), **fields})


def one_line_error(resp, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    message = resp.get_json()["description"]
    assert isinstance(message, str) and message and "\n" not in message
    assert "Traceback" not in resp.get_data(as_text=True)
    return message


def test_every_format_through_the_upload_api(app) -> None:
    editor, editing = signed_in(app, "editor")
    reviewer, reviewing = signed_in(app, "reviewer")
    ids: dict[str, str] = {}
    sent: dict[str, bytes] = {}
    for name, (make, title, heading, _) in DOCUMENTS.items():
        data = sent[name] = make()
        preview = post_file(editor, "/api/plans/uploads/preview", editing, name, data)
        assert preview.status_code == 200, (name, preview.get_data(as_text=True))
        answer = preview.get_json()
        assert answer["duplicate"] is None
        text = str(answer)
        assert title in text and heading in text and UNKNOWN_ROAD in text, name
        saved = post_file(editor, "/api/plans/uploads", editing, name, data)
        assert saved.status_code == 201, (name, saved.get_data(as_text=True))
        ids[name] = saved.get_json()["id"]
        again = post_file(editor, "/api/plans/uploads", editing, name, data, title="again")
        assert ids[name] in one_line_error(again, 409)
        assert post_file(editor, "/api/plans/uploads/preview", editing, name,
                         data).get_json()["duplicate"] == ids[name]
    # an editor cannot approve; a reviewer can
    first = ids["plan.pdf"]
    assert editor.post(f"/api/plans/uploads/{first}/approve", headers=editing,
                       json={}).status_code == 403
    for plan_id in ids.values():
        resp = reviewer.post(f"/api/plans/uploads/{plan_id}/approve", headers=reviewing,
                             json={"reason": "read it"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
    store = app.extensions["planmap.store"]
    store.refresh()
    served = {m.id for m in store.plans()}
    assert set(ids.values()) <= served
    client = app.test_client()  # what a visitor sees
    for name, (_, title, heading, place_id) in DOCUMENTS.items():
        page = client.get(f"/plans/{ids[name]}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert title in body and heading in body, name
        assert f'data-place="{place_id}"' in body, name
        layer = client.get(f"/layers/plan-{ids[name]}")
        assert layer.status_code == 200, name
        place = client.get(f"/places/{place_id}").get_data(as_text=True)
        assert f"《{title}》" in place, f"{name}: citation on the place page"
    assert f"《{PDF_TITLE}》空间布局 交通组织 (第2页)" in client.get(
        "/places/beiqinglu").get_data(as_text=True), "PDF citations carry the page"
    # the new plan in the record popups read, in time order, in OGC API and in downloads
    record = client.get("/api/places/beiqinglu").get_json()
    plan_ids = [p["plan_id"] for p in record["passages"]]
    assert ids["plan.pdf"] in plan_ids and plan_ids[-1] == ids["plan.pdf"], "2025: last"
    pdf_layer = f"plan-{ids['plan.pdf']}"
    # a layer mixing points, lines and areas is one collection per geometry family
    collections = [c["id"] for c in client.get("/ogcapi/collections?f=json").get_json()[
        "collections"] if c["id"] == pdf_layer or c["id"].startswith(f"{pdf_layer}-")]
    assert collections, "the new plan's layer is an OGC collection"
    served = set()
    for collection in collections:
        items = client.get(f"/ogcapi/collections/{collection}/items?f=json&limit=1000")
        assert items.status_code == 200
        served |= {f["id"] for f in items.get_json()["features"]}
    assert "beiqinglu" in served
    download = client.get(f"/layers/{pdf_layer}/download.geojson")
    assert download.status_code == 200
    assert "beiqinglu" in {f["properties"]["id"] for f in download.get_json()["features"]}
    for name, plan_id in ids.items():
        original = client.get(f"/plans/{plan_id}/original")
        assert original.status_code == 200 and original.data == sent[name], name


def test_refusals_are_one_line_4xx(app) -> None:
    editor, editing = signed_in(app, "editor")
    scan = post_file(editor, "/api/plans/uploads/preview", editing, "scan.pdf", scanned_pdf())
    assert "no text layer: run OCR first" in one_line_error(scan, 422)
    saved = post_file(editor, "/api/plans/uploads", editing, "scan.pdf", scanned_pdf(),
                      title="扫描件", issuer="某单位", date="2024-01-01")
    assert "no text layer: run OCR first" in one_line_error(saved, 422)
    one_line_error(post_file(editor, "/api/plans/uploads/preview", editing, "sheet.xlsx",
                             b"PK\x03\x04 not a document"), 422)
    one_line_error(editor.post("/api/plans/uploads/preview", headers=editing,
                               data={}, content_type="multipart/form-data"), 400)
    assert app.extensions["planmap.store"].intake.plans() == [], "nothing half-imported"
    visitor = app.test_client()
    token = visitor.get("/api/me").get_json()["csrf_token"]
    anonymous = post_file(visitor, "/api/plans/uploads/preview", {"X-CSRFToken": token},
                          "plan-gbk.txt", plan_gbk())
    one_line_error(anonymous, 401)
    viewer, viewing = signed_in(app, "viewer")
    one_line_error(post_file(viewer, "/api/plans/uploads", viewing, "plan-gbk.txt",
                             plan_gbk()), 403)
