"""The corrections API: JSON in and out over `layers.edits.service.Edits`.

Writes need a role (`requires`, checked before the CSRF token; a Bearer API token needs no CSRF
token) and say which state they build on: `base_revision` in the body (the place's head revision
as last seen, null for the data files) or an If-Match header with the place's ETag (from its
history). A stale base answers 409 (412 with If-Match) with the newer revision in `current`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from geo.errors import BadRequest, NotFound
from layers.edits.service import Edits
from layers.edits.views import etag
from webmap.auth.session import client_address, current_actor, requires
from webmap.auth.views import json_body
from webmap.sources import database_store, get_store

blueprint = Blueprint("edits", __name__)
MISSING = object()


def _edits() -> Edits:
    store = database_store()
    if store is None:
        raise BadRequest("this server has no database (DATABASE_URL = none): no corrections")
    return store.edits


def _base(place_id: str, body: dict[str, Any]) -> tuple[int | None, bool]:
    """(base revision, stated by If-Match) for a write on a place."""
    if request.if_match and not request.if_match.star_tag:
        tags = request.if_match.as_set()
        if len(tags) != 1:
            raise BadRequest("If-Match must name one entity tag")
        tag = next(iter(tags))
        pid, _, head = tag.rpartition(".")
        if pid != place_id or not head.isdigit():
            raise BadRequest(f"If-Match {tag!r} is not an entity tag of place {place_id!r}")
        return int(head) or None, True
    base = body.get("base_revision", MISSING)
    if base is MISSING:
        raise BadRequest("say which state the change builds on: base_revision (the place's "
                         "head revision, null for the data files) or an If-Match header")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise BadRequest("base_revision must be a revision id or null")
    return base, False


def _created(revision: dict[str, Any]) -> Any:
    response = jsonify(revision)
    response.status_code = 201
    response.headers["Location"] = f"/api/revisions/{revision['id']}"
    return response


def _after_approval() -> None:
    """Start this process's rebuild now rather than at its next check."""
    store = database_store()
    if store is not None:
        store.refresh_soon()


@blueprint.get("/api/revisions")
@requires("editor")
def queue():
    status = request.args.get("status", "proposed")
    limit = request.args.get("limit", "100")
    if not limit.isdigit():
        raise BadRequest("limit must be a whole number")
    return jsonify(revisions=_edits().queue(None if status == "all" else status,
                                            request.args.get("place") or None, int(limit)))


@blueprint.get("/api/revisions/<int:revision_id>")
def revision(revision_id: int):
    if database_store() is None:
        raise NotFound(f"no revision {revision_id}: this server has no database")
    return jsonify(_edits().get(revision_id))


@blueprint.get("/api/places/<place_id>/history")
def history(place_id: str):
    if database_store() is None:  # read-only: every place is as in the data files
        get_store().place_record(place_id)
        answer: dict[str, Any] = {"place_id": place_id, "head": None,
                                  "etag": etag(place_id, None), "revisions": []}
    else:
        answer = _edits().history(place_id)
    response = jsonify(answer)
    response.headers["ETag"] = answer["etag"]
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.post("/api/places/<place_id>/revisions")
@requires("editor")
def propose_geometry(place_id: str):
    body = json_body()
    base, if_match = _base(place_id, body)
    actor = current_actor()
    assert actor is not None
    return _created(_edits().propose_geometry(actor, place_id, body, base,
                                              str(body.get("comment") or ""),
                                              client_address(), if_match))


@blueprint.post("/api/places/<place_id>/aliases")
@requires("editor")
def propose_alias(place_id: str):
    body = json_body()
    base, if_match = _base(place_id, body)
    actor = current_actor()
    assert actor is not None
    return _created(_edits().propose_alias(actor, place_id, body, base,
                                           str(body.get("comment") or ""), client_address(),
                                           if_match))


@blueprint.post("/api/places")
@requires("editor")
def propose_place():
    body = json_body()
    comment = str(body.pop("comment", "") or "")
    actor = current_actor()
    assert actor is not None
    return _created(_edits().propose_place(actor, body, comment, client_address()))


@blueprint.post("/api/places/<place_id>/revert")
@requires("editor")
def revert(place_id: str):
    body = json_body()
    base, if_match = _base(place_id, body)
    to = body.get("to_revision")
    if to is not None and (isinstance(to, bool) or not isinstance(to, int)):
        raise BadRequest("to_revision must be a revision id, or null for the data files")
    actor = current_actor()
    assert actor is not None
    return _created(_edits().revert(actor, place_id, to, base, str(body.get("comment") or ""),
                                    client_address(), if_match))


@blueprint.post("/api/revisions/<int:revision_id>/approve")
@requires("reviewer")
def approve(revision_id: int):
    body = request.get_json(silent=True) or {}
    actor = current_actor()
    assert actor is not None
    answer = _edits().approve(actor, revision_id, str(body.get("reason") or ""),
                              client_address())
    _after_approval()
    return jsonify(answer)


@blueprint.post("/api/revisions/<int:revision_id>/reject")
@requires("editor")
def reject(revision_id: int):
    """Reviewers reject; an editor may withdraw their own proposal (the core checks which)."""
    body = json_body()
    actor = current_actor()
    assert actor is not None
    return jsonify(_edits().reject(actor, revision_id, str(body.get("reason") or ""),
                                   client_address()))
