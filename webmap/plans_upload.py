"""Adding a document from the browser: the upload page, its preview, and the review of uploads.

An editor picks a file on `/plans/upload`; the page sends it to `POST /api/plans/uploads/preview`,
which reads it (geo.intake) and answers the metadata read from it, the outline, citations, the
places found and the unknown names, storing nothing. The editor corrects the metadata and saves
(`POST /api/plans/uploads`, the file sent again with the form): the plan is stored as a proposal
with its original file (layers.db.plans). A reviewer approves it on `/plans/uploads` (an admin
may approve their own); within seconds every server serves it. Reviewers withdraw and restore
plans there too. `/plans/<plan_id>/original` serves a plan's file as it came: the upload byte for
byte, or a data-files plan's text file.

The views hold no document logic: reading is geo.intake's, storing and review layers.db.plans'.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.datastructures import FileStorage

from geo.errors import BadRequest, NotFound
from geo.finder import FinderRules, StopString, rules_for
from geo.gazetteer import Gazetteer
from geo.importers import MAX_BYTES
from geo.intake import FIELDS, Upload, plan_meta, preview, read_upload
from layers.db.plans import PlanIntake
from webmap import i18n
from webmap.auth.session import client_address, current_actor, requires
from webmap.pages import page_context
from webmap.sources import database_store, get_store

blueprint = Blueprint("intake", __name__)


@blueprint.record_once
def _limit_uploads(state: Any) -> None:
    # a request body larger than the largest document is refused (413) before it is read
    state.app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BYTES + 1_048_576)


def intake() -> PlanIntake:
    store = database_store()
    if store is None:
        raise BadRequest("this server has no database (DATABASE_URL = none): plans cannot be "
                         "added here; use `planmap plans add` on a server with a database")
    return store.intake


def _upload() -> Upload:
    file = request.files.get("file")
    if not isinstance(file, FileStorage) or not file.filename:
        raise BadRequest("send the document as the form field 'file'")
    return read_upload(file.read(), file.filename)


def _fields() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k in FIELDS and v.strip()}


def _others() -> dict[str, str]:
    store = get_store()
    return {m.id: m.text() for m in store.plans()}


@blueprint.post("/api/plans/uploads/preview")
@requires("editor")
def preview_upload():
    """What the file will become: metadata read from it, outline, citations, places and
    unknown names. Nothing is stored; a file already added is named."""
    upload = _upload()
    service = intake()
    store = get_store()
    meta = plan_meta(upload, _fields())
    dismissed = tuple(s["text"] for s in service.stops())
    answer = preview(upload, meta, store.gazetteer, finder_rules(store.gazetteer, dismissed),
                     _others(), dismissed)
    answer["duplicate"] = next((p["id"] for p in service.plans()
                                if p["checksum"] == upload.checksum
                                and p["status"] != "rejected"), None)
    return jsonify(answer)


def finder_rules(gazetteer: Gazetteer, dismissed: tuple[str, ...]) -> FinderRules:
    """The rules the store's finder applies: the data files' and the review's stop strings."""
    base = rules_for(gazetteer)
    return FinderRules((*base.stops, *(StopString(t, None, "dismissed in review")
                                       for t in dismissed)), base.rules)


@blueprint.post("/api/plans/uploads")
@requires("editor")
def save_upload():
    """Store the file and its metadata as a proposed plan (201); a file already added is
    refused with 409 naming that plan."""
    actor = current_actor()
    assert actor is not None
    stored = intake().propose(actor, _upload(), _fields(), client_address())
    response = jsonify(stored)
    response.status_code = 201
    response.headers["Location"] = f"/api/plans/uploads/{stored['id']}"
    return response


@blueprint.get("/api/plans/uploads")
@requires("editor")
def list_uploads():
    return jsonify(plans=intake().plans(request.args.get("status") or None))


@blueprint.get("/api/plans/uploads/<plan_id>")
@requires("editor")
def get_upload(plan_id: str):
    return jsonify(intake().get(plan_id))


def _decide(plan_id: str, action: str) -> Any:
    actor = current_actor()
    assert actor is not None
    body = request.get_json(silent=True) or {}
    reason = str(body.get("reason") or "") if isinstance(body, dict) else ""
    service = intake()
    if action == "approve":
        answer = service.approve(actor, plan_id, reason, client_address())
    elif action == "reject":
        answer = service.reject(actor, plan_id, reason, client_address())
    else:
        answer = service.set_withdrawn(actor, plan_id, action == "withdraw", reason,
                                       client_address())
    store = database_store()
    if store is not None and action != "reject":
        store.refresh_soon()
    return jsonify(answer)


@blueprint.post("/api/plans/uploads/<plan_id>/approve")
@requires("reviewer")
def approve_upload(plan_id: str):
    return _decide(plan_id, "approve")


@blueprint.post("/api/plans/uploads/<plan_id>/reject")
@requires("editor")
def reject_upload(plan_id: str):
    """Reviewers reject; the author may take back their own upload (the core checks which)."""
    return _decide(plan_id, "reject")


@blueprint.post("/api/plans/uploads/<plan_id>/withdraw")
@requires("reviewer")
def withdraw_plan(plan_id: str):
    return _decide(plan_id, "withdraw")


@blueprint.post("/api/plans/uploads/<plan_id>/restore")
@requires("reviewer")
def restore_plan(plan_id: str):
    return _decide(plan_id, "restore")


@blueprint.get("/plans/<plan_id>/original")
def original(plan_id: str):
    """The plan's file as it came. A proposed, rejected or withdrawn upload only for editors."""
    store = database_store()
    stored = None
    if store is not None and plan_id not in store.base.corpus.plans:
        try:
            row, data = store.intake.original(plan_id)
        except NotFound:
            row = None
        if row is not None:
            actor = current_actor()
            if not row["live"] and (actor is None or not actor.at_least("editor")):
                raise NotFound(f"no plan {plan_id!r} to download")
            stored = (row["filename"], row["media_type"], data, row["checksum"])
    if stored is None:
        meta = get_store().plan(plan_id)
        if meta.content is not None:  # an added plan this server's store holds
            raise NotFound(f"the original file of {plan_id} is in the database")
        stored = (meta.file, "text/plain; charset=utf-8", meta.text().encode("utf-8"), None)
    filename, media_type, data, checksum = stored
    response = Response(data, mimetype=media_type.split(";")[0],
                        content_type=media_type)
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    if checksum:
        response.headers["Digest"] = f"sha-256={checksum}"
        response.headers["ETag"] = f'"{checksum}"'
    return response


def _page(template: str, **values: Any) -> str:
    lang = i18n.choose_lang()
    actor = current_actor()
    return render_template(template, actor=actor.as_dict() if actor else None,
                           role=actor.role if actor else None,
                           has_database=database_store() is not None,
                           **values, **page_context(lang))


@blueprint.get("/plans/upload")
def upload_page():
    return _page("plans_upload.html", max_mb=MAX_BYTES // 1_048_576,
                 fields=[f for f in FIELDS if f != "id"])


@blueprint.get("/plans/uploads")
def uploads_page():
    actor = current_actor()
    rows = intake().plans() if database_store() is not None and actor is not None \
        and actor.at_least("editor") else []
    return _page("plans_uploads.html", rows=rows)
