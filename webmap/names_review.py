"""The unknown names of a plan, for review: make one an alias, a new place, or dismiss it.

`/plans/<plan_id>/names` lists the names the plan uses that the gazetteer lacks, most likely
places first, each with its count, where else it is used, and the passages naming it (citations
linked to the plan page). An editor or reviewer decides each:

- an alias of an existing place: a revision of kind `alias` (layers.edits), shown in the review
  queue with every other revision;
- a new place, drawn on the small map (a point, or an area of three or more clicks) or area-only
  inside a parent place: a revision of kind `place`;
- not a place: a stop rule with its reason (layers.db.plans), in force at once.

Revisions take effect when a reviewer approves them (here, or in the review queue); then every
server's store is rebuilt and the finder runs on every plan again, so earlier plans gain the new
place's mentions.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from geo.errors import BadRequest
from geo.unknown_names import guess_kind, place_entry, unknown_names
from geo.vocabulary import KINDS
from layers.edits.service import Edits
from webmap import i18n
from webmap.auth.session import client_address, current_actor, requires
from webmap.auth.views import json_body
from webmap.pages import page_context
from webmap.plans_upload import intake
from webmap.sources import app_cache, database_store, get_store

blueprint = Blueprint("names", __name__)


def _edits() -> Edits:
    store = database_store()
    if store is None:
        raise BadRequest("this server has no database (DATABASE_URL = none): names cannot be "
                         "reviewed here")
    return store.edits


def _pending() -> dict[str, list[dict[str, Any]]]:
    """Proposed revisions by the name they add (an alias's text, a new place's name)."""
    store = database_store()
    if store is None:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    for rev in store.edits.queue("proposed", limit=1000):
        changes = rev["changes"] or {}
        name = changes.get("text") if rev["kind"] == "alias" else \
            changes.get("name") if rev["kind"] == "place" else None
        if name:
            out.setdefault(name, []).append(
                {"id": rev["id"], "kind": rev["kind"], "place_id": rev["place_id"],
                 "author": rev["author"]})
    return out


def names_of(plan_id: str) -> list[dict[str, Any]]:
    """The plan's unknown names, kept per data version (the stop rules are part of it)."""
    store = get_store()
    key = (store.version, plan_id)
    cache = app_cache("unknown-names")
    if key not in cache:
        meta = store.plan(plan_id)
        document = store.plan_document(plan_id)
        db = database_store()
        dismissed = [s["text"] for s in db.intake.stops()] if db is not None else []
        others = {m.id: m.text() for m in store.plans() if m.id != plan_id}
        found = unknown_names(plan_id, meta.text(), document.paragraphs, store.gazetteer,
                              dismissed, others)
        cache[key] = [{**u.as_dict(), "kind": guess_kind(u.text)} for u in found]
    pending = _pending()
    return [{**entry, "pending": pending.get(entry["text"], [])} for entry in cache[key]]


@blueprint.get("/api/plans/<plan_id>/names")
def names_api(plan_id: str):
    return jsonify(plan_id=plan_id, names=names_of(plan_id))


@blueprint.get("/plans/<plan_id>/names")
def names_page(plan_id: str):
    lang = i18n.choose_lang()
    store = get_store()
    meta = store.plan(plan_id)
    actor = current_actor()
    db = database_store()
    return render_template(
        "plan_names.html", plan=meta, names=names_of(plan_id), kinds=KINDS,
        kind_label=lambda k: i18n.kind_label(k, lang),
        role=actor.role if actor else None, has_database=db is not None,
        can_edit=db is not None and actor is not None and actor.at_least("editor"),
        can_review=db is not None and actor is not None and actor.at_least("reviewer"),
        stops=db.intake.stops() if db is not None else [],
        **{k: v for k, v in page_context(lang).items() if k != "kind_label"})


def _where(plan_id: str, text: str) -> str:
    """The citation of the first passage naming `text` (the new place's evidence)."""
    for p in get_store().plan_document(plan_id).paragraphs:
        if text in p.text:
            return p.citation
    raise BadRequest(f"{text!r} does not occur in plan {plan_id}")


def _text(body: dict[str, Any], key: str = "text") -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{key} is required")
    return value.strip()


def _created(answer: dict[str, Any]) -> Any:
    response = jsonify(answer)
    response.status_code = 201
    return response


@blueprint.post("/api/plans/<plan_id>/names/alias")
@requires("editor")
def propose_alias(plan_id: str):
    """`{"text", "place_id", "only_this_plan": false, "comment"}`: the name as an alias of a
    place, proposed as a revision on the place's current state."""
    body = json_body()
    text, place_id = _text(body), _text(body, "place_id")
    where = _where(plan_id, text)
    actor = current_actor()
    assert actor is not None
    edits = _edits()
    plans = [plan_id] if body.get("only_this_plan") is True else None
    comment = str(body.get("comment") or "") or f"named in {where}"
    return _created(edits.propose_alias(actor, place_id, {"text": text, "plans": plans},
                                        edits.head(place_id), comment, client_address()))


@blueprint.post("/api/plans/<plan_id>/names/place")
@requires("editor")
def propose_place(plan_id: str):
    """`{"text", "kind", "id", "name_en", "geometry"}` (drawn) or `{…, "parent"}` (area-only
    inside that place): the name as a new place, proposed as a revision."""
    body = json_body()
    text = _text(body)
    where = _where(plan_id, text)
    store = get_store()
    parent = None
    if body.get("parent"):
        parent = store.gazetteer.get(_text(body, "parent"))
    kind = body.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
    actor = current_actor()
    assert actor is not None
    entry = place_entry(text, where, kind=kind, place_id=body.get("id") or None,
                        gazetteer=store.gazetteer, geometry=body.get("geometry"),
                        parent=parent, name_en=str(body.get("name_en") or ""),
                        by=actor.username)
    comment = str(body.get("comment") or "") or f"named in {where}"
    return _created(_edits().propose_place(actor, entry, comment, client_address()))


@blueprint.post("/api/plans/<plan_id>/names/dismiss")
@requires("editor")
def dismiss(plan_id: str):
    """`{"text", "reason"}`: not a place. A stop rule, in force at once on every server."""
    body = json_body()
    get_store().plan(plan_id)
    actor = current_actor()
    assert actor is not None
    rule = intake().dismiss(actor, _text(body), str(body.get("reason") or ""), plan_id,
                            client_address())
    store = database_store()
    if store is not None:
        store.refresh_soon()
    return _created(rule)


@blueprint.post("/api/stops/<int:stop_id>/lift")
@requires("reviewer")
def lift(stop_id: int):
    body = request.get_json(silent=True) or {}
    actor = current_actor()
    assert actor is not None
    rule = intake().lift(actor, stop_id, str(body.get("reason") or ""), client_address())
    store = database_store()
    if store is not None:
        store.refresh_soon()
    return jsonify(rule)
