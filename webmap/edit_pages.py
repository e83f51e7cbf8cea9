"""Proposing corrections from the browser: a place's new geometry (drawn, typed or uploaded) with
its precision, expected error, basis, source and note; a new alias; a new place.

Forms post to these routes (CSRF token in the form, role checked before the view by
`webmap.auth`), which call `layers.edits.service.Edits` like the JSON API does and answer with a
redirect to the new revision's page, or the form again with a one-line error and the status of
the refusal (400, 409 with the newer revision, 413, 503). The map is the atlas's (folium + the
atlas scripts) with Leaflet-Geoman, vendored, for drawing (static/edit/draw.js); without a
script the GeoJSON field and the upload still work. `POST /api/geometry/read` reads an uploaded
file for the page to show before it is submitted.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from geo.errors import BadRequest, NotFound, PlanmapError
from layers.accounts import Actor
from layers.db.errors import Conflict, Forbidden, Unauthorized
from layers.edits import upload
from webmap import edit_common as ec
from webmap import i18n, maps
from webmap.auth.session import client_address, current_actor, requires
from webmap.page_parts import show_name
from webmap.pages import page_context
from webmap.sources import database_store, get_store

blueprint = Blueprint("edit_pages", __name__)
# The largest request body: an upload and the form around it.
MAX_REQUEST = upload.MAX_BYTES + 2**20


@blueprint.record_once
def _limit_bodies(state: Any) -> None:
    if not state.app.config.get("MAX_CONTENT_LENGTH"):
        state.app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST


@blueprint.app_context_processor
def _edits_enabled() -> dict[str, Any]:
    """Whether pages offer corrections at all (no database: a read-only atlas)."""
    return {"edits_enabled": database_store() is not None}


@blueprint.after_request
def _private(response: Response) -> Response:
    return ec.private(response)


def edit_map(lang: str) -> dict[str, str]:
    """The atlas map without its page controls, on WGS-84 basemaps only (a shape drawn over a
    GCJ-02 basemap would be 500 m off)."""
    config = maps.base_config(lang)
    config["basemaps"] = [b for b in config["basemaps"] if b["crs"] == "wgs84"]
    if config["basemap"] not in {b["id"] for b in config["basemaps"]}:
        config["basemap"] = "vector"
    return maps.map_parts(maps.build_map(config))


def _client_data(geometry: Any, lang: str) -> dict[str, Any]:
    """What static/edit/*.js read from the page."""
    t = i18n.strings(lang)
    return {"geometry": geometry, "read_url": "/api/geometry/read",
            "strings": {k: t[k] for k in ("upload_done", "before", "after", "geometry")}}


def _refused(error: PlanmapError) -> bool:
    """Refusals a form shows in place; signing in and roles answer as everywhere else."""
    return not isinstance(error, (Forbidden, Unauthorized))


def _proposed(revision: dict[str, Any], lang: str) -> Response:
    extra = "&" + ec.lang_q(lang) if lang == "en" else ""
    return redirect(f"/revisions/{revision['id']}?done=proposed{extra}", code=303)


# ---------------------------------------------------------------- a place's correction

def _render_edit(place_id: str, lang: str, actor: Actor, status: int = 200,
                 error: str | None = None, current: dict[str, Any] | None = None) -> Response:
    feature, head = ec.edits().place_state(place_id)
    if feature is None:
        raise NotFound(f"unknown place id {place_id!r}")
    props = feature["properties"]
    posted = request.method == "POST"
    form = request.form if posted else {}
    values = {k: form.get(k, "") if posted else props.get(k) or ""
              for k in ("precision", "basis", "error_m", "source", "note", "comment", "crs")}
    if not posted:
        values["basis"] = props.get("basis") if "basis" in props else ""
    geometry = feature.get("geometry")
    values["geometry"] = form.get("geometry", "") if posted else (
        json.dumps(geometry, ensure_ascii=False) if geometry else "")
    name, name_lang = show_name(props.get("name", place_id), props.get("name_en") or "", lang)
    plans = [{"id": p.id, "title": p.short_title or p.title} for p in get_store().plans()]
    body = render_template(
        "edit.html", place_id=place_id, name=name, name_lang=name_lang, head=head,
        head_words=ec.head_words(head, lang), values=values, error=error, current=current,
        choices=ec.choices(lang), plans=plans, actor=actor,
        role_words=ec.role_words(actor.role, lang),
        client=_client_data(geometry, lang), map=edit_map(lang), **page_context(lang))
    return make_response(body, status)


@blueprint.get("/places/<place_id>/edit")
def edit_place(place_id: str):
    lang = i18n.choose_lang()
    actor = ec.page_actor("editor")
    if not isinstance(actor, Actor):
        return actor
    return _render_edit(place_id, lang, actor)


@blueprint.post("/places/<place_id>/edit")
@requires("editor")
def propose_geometry(place_id: str):
    lang = i18n.choose_lang()
    actor = current_actor()
    assert actor is not None
    try:
        feature, _ = ec.edits().place_state(place_id)
        names = (feature["properties"].get("name", ""),) if feature else ()
        body = {**ec.position_body(), **ec.geometry_body(place_id, names)}
        revision = ec.edits().propose_geometry(
            actor, place_id, body, ec.base_revision(), request.form.get("comment", ""),
            client_address())
    except PlanmapError as error:
        if not _refused(error) or isinstance(error, NotFound):
            raise
        current = error.current if isinstance(error, Conflict) else None
        return _render_edit(place_id, lang, actor, error.http_status, error.message, current)
    return _proposed(revision, lang)


@blueprint.post("/places/<place_id>/alias")
@requires("editor")
def propose_alias(place_id: str):
    lang = i18n.choose_lang()
    actor = current_actor()
    assert actor is not None
    plans = request.form.getlist("plans")
    try:
        revision = ec.edits().propose_alias(
            actor, place_id, {"text": request.form.get("text"), "plans": plans or None},
            ec.base_revision(), request.form.get("comment", ""), client_address())
    except PlanmapError as error:
        if not _refused(error) or isinstance(error, NotFound):
            raise
        current = error.current if isinstance(error, Conflict) else None
        return _render_edit(place_id, lang, actor, error.http_status, error.message, current)
    return _proposed(revision, lang)


# ---------------------------------------------------------------- a new place

def _render_new(lang: str, actor: Actor, status: int = 200, error: str | None = None
                ) -> Response:
    posted = request.method == "POST"
    source = request.form if posted else request.args
    values = {k: source.get(k, "") for k in ("id", "name", "name_en", "kind", "parent",
                                             "precision", "basis", "error_m", "source", "note",
                                             "comment", "crs", "geometry")}
    body = render_template(
        "place_new.html", values=values, error=error, choices=ec.choices(lang), actor=actor,
        role_words=ec.role_words(actor.role, lang), client=_client_data(None, lang),
        map=edit_map(lang), **page_context(lang))
    return make_response(body, status)


@blueprint.get("/places/new")
def new_place():
    lang = i18n.choose_lang()
    actor = ec.page_actor("editor")
    if not isinstance(actor, Actor):
        return actor
    return _render_new(lang, actor)


@blueprint.post("/places/new")
@requires("editor")
def propose_place():
    lang = i18n.choose_lang()
    actor = current_actor()
    assert actor is not None
    try:
        revision = ec.edits().propose_place(actor, ec.new_place_body(),
                                            request.form.get("comment", ""), client_address())
    except PlanmapError as error:
        if not _refused(error):
            raise
        return _render_new(lang, actor, error.http_status, error.message)
    return _proposed(revision, lang)


# ---------------------------------------------------------------- reading a file

@blueprint.post("/api/geometry/read")
@requires("editor")
def read_geometry():
    """An uploaded file's geometry in WGS-84 (form fields `file`, `crs`, optional `place`),
    checked as a correction would be; nothing is stored."""
    file = ec.uploaded()
    if file is None:
        raise BadRequest("send the file in the form field 'file'")
    place_id = request.form.get("place") or None
    names: tuple[str, ...] = ()
    if place_id:
        feature, _ = ec.edits().place_state(place_id)
        names = (feature["properties"].get("name", ""),) if feature else ()
    return jsonify(ec.read_upload(file, place_id, names).as_dict())
