"""OGC API – Features Part 4 (create, replace, update, delete) on the places collections, as
proposals for review, never as direct edits.

POST `/collections/{c}/items` proposes a new place; PUT, PATCH (JSON Merge Patch) and DELETE on
`/collections/{c}/items/{id}` propose a corrected position (`layers.edits.features` says what
each means). The answer is `202 Accepted`: the change is recorded and waits for a reviewer;
`Location` is the revision (`/api/revisions/{n}`, its JSON), and a `Link` with rel `alternate`
its page. Each item of a places collection carries an ETag naming the place's state
(`"<id>.<head revision>~<hash of the body>"`); PUT, PATCH and DELETE must send it in If-Match
(`428 Precondition Required` without it, `412 Precondition Failed` with the newer revision when
the place has moved on). The history's ETag (`"<id>.<head>"`) is accepted too.

Editors and above write here, with an API token (`Authorization: Bearer pm_…`, no CSRF token
needed: a browser never sends that header on its own) or a signed-in session with its CSRF token
(`X-CSRFToken`, from /api/me). On a places collection of a server with a database, anonymous
writes answer 401 and a viewer's 403 (JSON). Where nothing can be written — a server without a
database, a synthetic collection, any other resource — every write answers the read-only API's
405 with `Allow: GET, HEAD, OPTIONS`. The classes are declared in /conformance only where writing
is possible (a server with a database).

If-Match is required (428 without it) rather than optional: a proposal replaces the whole
position of a place, and a client that never read the place cannot know what it overwrites.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from geo.errors import BadRequest, NotFound, PlanmapError
from layers.accounts import Actor
from layers.db.errors import Conflict, PreconditionFailed
from layers.edits import features
from layers.edits.service import Edits
from webmap.auth import check_csrf
from webmap.auth.session import check_role, client_address
from webmap.sources import database_store

CLASSES = (
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PreconditionRequired(PlanmapError):
    """A replace, update or delete without If-Match (RFC 6585)."""

    http_status = 428
    code = "PreconditionRequired"


def conformance() -> tuple[str, ...]:
    return CLASSES if database_store() is not None else ()


def _edits() -> Edits | None:
    store = database_store()
    return store.edits if store is not None else None


def _writer() -> Actor:
    """The editor (or above) this request acts for: 401 for nobody, 403 for a viewer, then
    the CSRF token unless it came with an API token."""
    actor = check_role("editor")
    check_csrf()
    return actor


def state_tag(collection: Any, feature_id: str) -> str | None:
    """The state part of an item's ETag (`<id>.<head>`), after making sure the snapshot this
    request answers from holds that state (the database may be a moment ahead of it); None
    where items cannot be written (no database, synthetic collections)."""
    store = database_store()
    if store is None or not collection.layer_id or request.method not in ("GET", "HEAD"):
        return None
    counter, head = features.state(store.edits, feature_id)
    if store.last_build.get("counter") != counter:
        store.refresh()  # a few hundredths of a second; then this request pins the new one
    return f"{feature_id}.{head or 0}"


def _json(status: int, doc: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False), status=status,
                    headers={"Content-Type": "application/json; charset=utf-8",
                             **(headers or {})})


def _error(exc: PlanmapError) -> Response:
    doc: dict[str, Any] = {"code": exc.code, "description": exc.message}
    if isinstance(exc, Conflict):
        doc["current"] = exc.current
    return _json(exc.http_status, doc)


def _body() -> Any:
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise BadRequest("the body must be JSON (application/geo+json, or "
                         "application/merge-patch+json for PATCH)")
    return body


def _base(edits: Edits, place_id: str, head: int | None) -> int | None:
    """The head the client's If-Match names; 428 without one, 412 when it is not the head."""
    if request.if_match.star_tag:
        return head
    tags = request.if_match.as_set()
    if not tags:
        raise PreconditionRequired(f"send If-Match with the ETag of {place_id!r} (GET the "
                                   "item, or its history) to replace, update or delete it")
    if len(tags) != 1:
        raise BadRequest("If-Match must name one entity tag")
    tag = next(iter(tags)).split("~", 1)[0]
    pid, _, named = tag.rpartition(".")
    if pid != place_id or not named.isdigit():
        raise BadRequest(f"If-Match {tag!r} is not an entity tag of {place_id!r}")
    if (int(named) or None) != head:
        raise PreconditionFailed(f"{place_id!r} has changed since that ETag: it is now at "
                                 f"{'revision ' + str(head) if head else 'the data files'}",
                                 current=edits.get(head) if head else None)
    return head


def _accepted(revision: dict[str, Any]) -> Response:
    root = request.url_root.rstrip("/")
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/") or root
    location = f"{base}/api/revisions/{revision['id']}"
    page = f"{base}/revisions/{revision['id']}"
    return _json(202, {"status": "proposed", "revision": revision, "links": [
        {"href": location, "rel": "monitor", "type": "application/json",
         "title": "the proposed revision"},
        {"href": page, "rel": "alternate", "type": "text/html", "title": "its review page"}]},
        {"Location": location, "Link": f'<{page}>; rel="alternate"; type="text/html"'})


def write(catalog: Callable[[], Any], collection_id: str, feature_id: str | None = None
          ) -> Response | None:
    """Part 4 for this request (to `/items` when `feature_id` is None, else to one item), or
    None to answer as the read-only API does (405)."""
    edits = _edits()
    creates = feature_id is None
    if request.method not in WRITES or edits is None or (request.method == "POST") != creates:
        return None
    try:
        collection = catalog().get(collection_id)
        if not collection.layer_id:
            return None  # synthetic benchmark data is not the gazetteer's
        actor = _writer()
        if feature_id is None:
            body = _body()
            return _accepted(edits.propose_place(actor, features.create_body(body),
                                                 features.comment_of(body), client_address()))
        current, head = edits.place_state(feature_id)
        if current is None or collection.store().index_of(feature_id) is None:
            raise NotFound(f"no feature {feature_id!r} in collection {collection_id!r}")
        base = _base(edits, feature_id, head)
        body = None if request.method == "DELETE" else _body()
        proposal = {"PUT": features.replace_body, "PATCH": features.patch_body}.get(
            request.method)
        fields = features.delete_body(current) if proposal is None else proposal(current, body)
        comment = features.comment_of(body) or f"OGC API {request.method}"
        return _accepted(edits.propose_geometry(actor, feature_id, fields, base, comment,
                                                client_address(), if_match=True))
    except PlanmapError as exc:
        return _error(exc)
