"""The Flask face of the OGC API: turn a Flask request into an ApiRequest and back.

Settings (app.config): `OGC_SYNTHETIC` (bool; env `PLANMAP_OGC_SYNTHETIC=1` also enables it) adds
the synthetic benchmark collections; `STORE` (the web atlas's setting) is the store whose layers
the collections are, so the atlas and the OGC API always serve the same data; `BASE_URL` (the
site's public root, e.g. behind a proxy) makes every link and `detail_url` absolute from it
instead of from the request's host. The catalog is built on the first request and kept in
`app.extensions["planmap_ogcapi"]`; a test may put its own `Catalog` there before requesting.

The blueprint answers on its own for what routing alone would otherwise answer in HTML: a
method other than GET/HEAD (405 JSON with `Allow`; OPTIONS is a CORS preflight, 204), and a
feature id holding a newline (the `anything` converter matches it, so the answer is the
standard's JSON 404). Every answer gets
a strong ETag (304 when `If-None-Match` matches); JSON answers are gzipped when the client
accepts it (HTML is left to the app, which checks each page's text for off-host assets).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from webmap.ogcapi import core, transactions
from webmap.ogcapi.catalog import Catalog, build_catalog
from webmap.sources import get_store

EXTENSION = "planmap_ogcapi"
VERSION_KEY = "planmap_ogcapi.version"
_LOCK = threading.Lock()
READ_METHODS = ("GET", "HEAD")
ALLOWED = "GET, HEAD, OPTIONS"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Bodies smaller than this are sent as they are: gzip would save little and cost a round of CPU.
GZIP_MIN_BYTES = 1024
_GZIP_CACHE: OrderedDict[str, bytes] = OrderedDict()
_GZIP_CACHE_SIZE = 64


class AnyText(BaseConverter):
    """A path segment run that may hold any character, newlines and slashes included, so
    every feature id reaches the endpoint (which answers 404 in JSON when there is none)."""

    regex = r"[\s\S]+?"
    part_isolating = False


blueprint = Blueprint("ogcapi", __name__, url_prefix="/ogcapi")


@blueprint.record_once
def _converters(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("anything", AnyText)


def synthetic_enabled(app: Flask) -> bool:
    """A setting like any other (webmap.config): PLANMAP_OGC_SYNTHETIC=1 or the config dict."""
    return bool(app.config.get("OGC_SYNTHETIC", False))


def catalog_for(app: Flask) -> Catalog:
    """The catalog of the store's current version (rebuilt when approved corrections change
    it); a catalog placed on the app without a version (a test's) is kept as it is."""
    catalog = app.extensions.get(EXTENSION)
    if catalog is not None and VERSION_KEY not in app.extensions:
        return catalog
    store = get_store(app)
    if catalog is None or app.extensions[VERSION_KEY] != store.version:
        with _LOCK:
            catalog = app.extensions.get(EXTENSION)
            if catalog is None or app.extensions[VERSION_KEY] != store.version:
                catalog = build_catalog(store, synthetic=synthetic_enabled(app))
                catalog.conformance = transactions.conformance()
                app.extensions[EXTENSION] = catalog
                app.extensions[VERSION_KEY] = store.version
    return catalog


def site_root(app: Flask) -> str:
    """The site's absolute root: the BASE_URL setting, else the request's own host."""
    configured = str(app.config.get("BASE_URL") or "").rstrip("/")
    return configured or request.url_root.rstrip("/")


def _api_request() -> core.ApiRequest:
    app = current_app
    configured = str(app.config.get("BASE_URL") or "").rstrip("/")
    if configured:
        base = configured + blueprint.url_prefix  # type: ignore[operator]
    else:
        base = url_for("ogcapi.landing", _external=True).rstrip("/")
    static = request.script_root + (app.static_url_path or "/static")
    return core.ApiRequest(
        base_url=base,
        args=tuple(request.args.items(multi=True)),
        accept=request.headers.get("Accept", ""),
        static_url=static,
        site_url=site_root(app),
    )


def _gzipped(etag: str, body: bytes) -> bytes:
    with _LOCK:
        hit = _GZIP_CACHE.get(etag)
        if hit is not None:
            _GZIP_CACHE.move_to_end(etag)
            return hit
    packed = gzip.compress(body, 6, mtime=0)
    with _LOCK:
        _GZIP_CACHE[etag] = packed
        while len(_GZIP_CACHE) > _GZIP_CACHE_SIZE:
            _GZIP_CACHE.popitem(last=False)
    return packed


def _response(status: int, headers: dict[str, str], body: bytes,
              state: str | None = None) -> Response:
    """ETag/304 for every answer, gzip for every JSON one; errors are sent as they are. An
    item that can be written names its state in its ETag too (`state~hash`, Part 4)."""
    headers = {**headers, "Vary": "Accept, Accept-Encoding"}
    if status != 200:
        return Response(body, status=status, headers=headers)
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    if state is not None:
        etag = f"{state}~{etag}"
    headers["ETag"] = f'"{etag}"'
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    # JSON only: the app checks every HTML page for off-host assets after this, on its text.
    is_json = not headers.get("Content-Type", "").startswith("text/html")
    if is_json and len(body) >= GZIP_MIN_BYTES and "gzip" in request.accept_encodings:
        headers["Content-Encoding"] = "gzip"
        return Response(_gzipped(etag, body), status=status, headers=headers)
    return Response(body, status=status, headers=headers)


def method_not_allowed() -> Response | None:
    """None for a read; 204 for a CORS preflight (OPTIONS); otherwise 405 JSON with Allow."""
    if request.method in READ_METHODS:
        return None
    if request.method == "OPTIONS":
        return Response(status=204, headers={
            "Allow": ALLOWED, "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, HEAD",
            "Access-Control-Allow-Headers": "Accept, Accept-Encoding, If-None-Match",
            "Access-Control-Max-Age": "86400"})
    status, headers, body = core.error_response(core.MethodNotAllowed(
        f"{request.method} is not allowed here: this API is read-only (GET, HEAD)"))
    return Response(body, status=status, headers={**headers, "Allow": ALLOWED})


def _serve(handler: Callable[..., core.Response], *args: str, writable: bool = False,
           item: bool = False) -> Response:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if writable and request.method in transactions.WRITES:  # Part 4: an editor's proposal
        written = transactions.write(lambda: catalog_for(app), *args)
        if written is not None:
            return written
    refused = method_not_allowed()
    if refused is not None:
        return refused
    state = None
    try:
        if item:
            state = transactions.state_tag(catalog_for(app).get(args[0]), args[1])
        catalog = catalog_for(app)
    except core.PlanmapError as exc:
        status, headers, body = core.error_response(exc)
        return Response(body, status=status, headers=headers)
    status, headers, body = core.respond(handler, catalog, _api_request(), *args)
    # Read-only public data: browser GIS clients on other origins (OpenLayers, Leaflet pages in
    # reports) may read it, as pygeoapi allows.
    headers = {**headers, "Access-Control-Allow-Origin": "*"}
    max_age = app.config.get("CACHE_MAX_AGE")
    if status == 200 and isinstance(max_age, int) and max_age > 0:
        # The layers only change when the service restarts: the atlas API's cache policy holds.
        headers["Cache-Control"] = f"public, max-age={max_age}"
    return _response(status, headers, body, state if status == 200 else None)


def _route(rule: str, **options: object) -> Callable:
    return blueprint.route(rule, methods=ALL_METHODS, **options)


@_route("/", strict_slashes=False)
def landing() -> Response:
    return _serve(core.landing)


@_route("/conformance")
def conformance() -> Response:
    return _serve(core.conformance)


@_route("/api")
def api() -> Response:
    return _serve(core.api)


@_route("/collections")
def collections() -> Response:
    return _serve(core.collections)


@_route("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    return _serve(core.collection, collection_id)


@_route("/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    return _serve(core.queryables, collection_id)


@_route("/collections/<collection_id>/schema")
def schema(collection_id: str) -> Response:
    return _serve(core.schema, collection_id)


@_route("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    return _serve(core.items, collection_id, writable=True)


@_route("/collections/<collection_id>/items/<anything:feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    return _serve(core.item, collection_id, feature_id, writable=True, item=True)


@_route("/<anything:rest>")
def unknown(rest: str) -> Response:
    # Any other path under /ogcapi answers in the standard's JSON error form.
    refused = method_not_allowed()
    if refused is not None:
        return refused
    status, headers, body = core.error_response(core.NotFound(f"no resource /{rest}"))
    return Response(body, status=status, headers=headers)
