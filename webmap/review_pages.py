"""Reviewing corrections and reading a place's history: the queue, one revision (before and
after on one map, the fields it changes, approve or reject with a reason), every revision of a
place with its geometry, and the revert, which is itself a revision.

Reading a revision or a history needs no role (as their JSON API); the queue needs an editor,
deciding a reviewer (four eyes: not one's own, unless admin), reverting an editor. The core
checks all of it again. Forms post here with their CSRF token and are answered with a redirect,
or with the page and a one-line error at the status of the refusal.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from geo.errors import BadRequest, NotFound, PlanmapError
from layers.accounts import Actor
from layers.db.errors import Conflict, Forbidden, Unauthorized
from layers.edits import sketch
from webmap import edit_common as ec
from webmap import i18n
from webmap.auth.session import client_address, current_actor, requires
from webmap.edit_pages import edit_map
from webmap.page_parts import show_name
from webmap.pages import page_context
from webmap.sources import database_store

blueprint = Blueprint("review_pages", __name__)
DONE = ("proposed", "approved", "rejected")


@blueprint.after_request
def _private(response: Response) -> Response:
    return ec.private(response)


def _name(feature: dict[str, Any] | None, place_id: str, lang: str) -> tuple[str, str]:
    props = (feature or {}).get("properties") or {}
    return show_name(props.get("name") or place_id, props.get("name_en") or "", lang)


def _row(rev: dict[str, Any], lang: str) -> dict[str, Any]:
    """A revision as a row of the queue or the history."""
    changes = rev.get("changes") or {}
    if rev["kind"] == "alias":
        what = changes.get("text") or ""
    elif rev["kind"] == "revert":
        what = ec.head_words(changes.get("to"), lang)
    else:
        what = ec.value_words("precision", changes.get("precision"), lang)
    return {**rev, "kind_words": ec.kind_words(rev["kind"], lang),
            "status_words": ec.status_words(rev["status"], lang), "what": what,
            "created": ec.when(rev.get("created_at")), "reviewed": ec.when(rev.get("reviewed_at"))}


# ---------------------------------------------------------------- the queue

@blueprint.get("/review")
def queue():
    lang = i18n.choose_lang()
    actor = ec.page_actor("editor")
    if not isinstance(actor, Actor):
        return actor
    rows = [_row(r, lang) for r in ec.edits().queue("proposed", None, 1000)]
    return render_template("review.html", rows=rows, actor=actor,
                           role_words=ec.role_words(actor.role, lang), **page_context(lang))


# ---------------------------------------------------------------- one revision

def _changes(rev: dict[str, Any], lang: str) -> list[dict[str, str]]:
    before, after = rev.get("before"), rev.get("after")
    out = []
    for field in rev.get("changed") or []:
        if field == "geometry":
            b = ec.geometry_words((before or {}).get("geometry"), lang)
            a = ec.geometry_words((after or {}).get("geometry"), lang)
        elif field == "exists":
            b = "—" if before is None else i18n.text("status_approved", lang)
            a = i18n.text("no_place", lang) if after is None else i18n.text("rev_place", lang)
        else:
            b = ec.value_words(field, ((before or {}).get("properties") or {}).get(field), lang)
            a = ec.value_words(field, ((after or {}).get("properties") or {}).get(field), lang)
        out.append({"field": field, "label": ec.field_label(field, lang), "before": b,
                    "after": a})
    return out


def _render_revision(revision_id: int, lang: str, status: int = 200,
                     error: str | None = None) -> Response:
    rev = ec.edits().get(revision_id)
    actor = current_actor()
    before, after = rev.get("before"), rev.get("after")
    name, name_lang = _name(after or before, rev["place_id"], lang)
    mine = actor is not None and actor.username == rev["author"]
    may = {
        "approve": actor is not None and actor.at_least("reviewer")
        and (not mine or actor.at_least("admin")),
        "reject": actor is not None and (actor.at_least("reviewer") or mine),
    }
    stale = rev["status"] == "proposed" and rev.get("base_revision") != rev.get("current_head")
    moved = sketch.moved_m((before or {}).get("geometry"), (after or {}).get("geometry"))
    done = request.args.get("done")
    t = i18n.strings(lang)
    client = {"before": (before or {}).get("geometry"), "after": (after or {}).get("geometry"),
              "strings": {k: t[k] for k in ("before", "after")}}
    body = render_template(
        "revision.html", rev=_row(rev, lang), name=name, name_lang=name_lang,
        changes=_changes(rev, lang), mine=mine, may=may, stale=stale,
        current_words=ec.head_words(rev.get("current_head"), lang), moved=moved,
        done=done if done in DONE else None, error=error, actor=actor,
        role_words=ec.role_words(actor.role, lang) if actor else "",
        client=client, map=edit_map(lang), **page_context(lang))
    return make_response(body, status)


@blueprint.get("/revisions/<int:revision_id>")
def revision_page(revision_id: int):
    return _render_revision(revision_id, i18n.choose_lang())


def _decide(revision_id: int, approve: bool) -> Response:
    lang = i18n.choose_lang()
    actor = current_actor()
    assert actor is not None
    reason = request.form.get("reason", "")
    try:
        if approve:
            ec.edits().approve(actor, revision_id, reason, client_address())
            store = database_store()
            if store is not None:
                store.refresh_soon()
        else:
            ec.edits().reject(actor, revision_id, reason, client_address())
    except PlanmapError as error:
        if isinstance(error, (Forbidden, Unauthorized, NotFound)):
            raise
        return _render_revision(revision_id, lang, error.http_status, error.message)
    done = "approved" if approve else "rejected"
    extra = "&lang=en" if lang == "en" else ""
    return redirect(f"/revisions/{revision_id}?done={done}{extra}", code=303)


@blueprint.post("/revisions/<int:revision_id>/approve")
@requires("reviewer")
def approve(revision_id: int):
    return _decide(revision_id, True)


@blueprint.post("/revisions/<int:revision_id>/reject")
@requires("editor")
def reject(revision_id: int):
    """Reviewers reject; an editor may withdraw their own proposal (the core checks which)."""
    return _decide(revision_id, False)


# ---------------------------------------------------------------- history and revert

def _render_history(place_id: str, lang: str, status: int = 200, error: str | None = None,
                    current: dict[str, Any] | None = None) -> Response:
    history = ec.edits().history(place_id)
    feature, head = ec.edits().place_state(place_id)
    present = (feature or {}).get("geometry")
    rows = []
    for rev in history["revisions"]:
        row = _row(rev, lang)
        drawn = rev.get("geometry") if rev.get("sets_geometry") else None
        row["sketch_now"], row["sketch_rev"] = sketch.sketch([present, drawn])
        row["revertible"] = rev["status"] == "approved" and rev["id"] != head
        rows.append(row)
    actor = current_actor()
    name, name_lang = _name(feature or ec.edits().base_feature(place_id), place_id, lang)
    body = render_template(
        "history.html", place_id=place_id, name=name, name_lang=name_lang, rows=rows,
        head=head, head_words=ec.head_words(head, lang), exists=feature is not None,
        in_files=ec.edits().base_feature(place_id) is not None, error=error, current=current,
        may_revert=actor is not None and actor.at_least("editor"), actor=actor,
        role_words=ec.role_words(actor.role, lang) if actor else "", **page_context(lang))
    return make_response(body, status)


@blueprint.get("/places/<place_id>/history")
def history(place_id: str):
    return _render_history(place_id, i18n.choose_lang())


@blueprint.post("/places/<place_id>/revert")
@requires("editor")
def revert(place_id: str):
    lang = i18n.choose_lang()
    actor = current_actor()
    assert actor is not None
    try:
        target = request.form.get("to_revision", "").strip()
        if target and not target.isdigit():
            raise BadRequest("to_revision must be a revision id, or empty for the data files")
        revision = ec.edits().revert(actor, place_id, int(target) if target else None,
                                     ec.base_revision(), request.form.get("comment", ""),
                                     client_address())
    except PlanmapError as error:
        if isinstance(error, (Forbidden, Unauthorized, NotFound)):
            raise
        current = error.current if isinstance(error, Conflict) else None
        return _render_history(place_id, lang, error.http_status, error.message, current)
    extra = "&lang=en" if lang == "en" else ""
    return redirect(f"/revisions/{revision['id']}?done=proposed{extra}", code=303)
