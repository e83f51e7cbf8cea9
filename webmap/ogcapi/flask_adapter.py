"""The Flask face of the OGC API: turn a Flask request into an ApiRequest and back.

Settings (app.config): `OGC_SYNTHETIC` (bool; env `PLANMAP_OGC_SYNTHETIC=1` also enables it) adds
the synthetic benchmark collections; `STORE` (the web atlas's setting) is the store whose layers
the collections are, so the atlas and the OGC API always serve the same data. The catalog is built
on the first request and kept in `app.extensions["planmap_ogcapi"]`; a test may put its own
`Catalog` there before requesting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, request, url_for

from webmap.ogcapi import core
from webmap.ogcapi.catalog import Catalog, build_catalog
from webmap.sources import get_store

EXTENSION = "planmap_ogcapi"
VERSION_KEY = "planmap_ogcapi.version"
_LOCK = threading.Lock()

blueprint = Blueprint("ogcapi", __name__, url_prefix="/ogcapi")


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
                app.extensions[EXTENSION] = catalog
                app.extensions[VERSION_KEY] = store.version
    return catalog


def _api_request() -> core.ApiRequest:
    app = current_app
    base = url_for("ogcapi.landing", _external=True).rstrip("/")
    static = request.script_root + (app.static_url_path or "/static")
    return core.ApiRequest(
        base_url=base,
        args=tuple(request.args.items(multi=True)),
        accept=request.headers.get("Accept", ""),
        static_url=static,
    )


def _serve(handler: Callable[..., core.Response], *args: str) -> Response:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        catalog = catalog_for(app)
    except core.PlanmapError as exc:
        status, headers, body = core.error_response(exc)
        return Response(body, status=status, headers=headers)
    status, headers, body = core.respond(handler, catalog, _api_request(), *args)
    # Read-only public data: browser GIS clients on other origins (OpenLayers, Leaflet pages in
    # reports) may read it, as pygeoapi allows.
    headers = {**headers, "Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    max_age = app.config.get("CACHE_MAX_AGE")
    if status == 200 and isinstance(max_age, int) and max_age > 0:
        # The layers only change when the service restarts: the atlas API's cache policy holds.
        headers["Cache-Control"] = f"public, max-age={max_age}"
    return Response(body, status=status, headers=headers)


@blueprint.get("/", strict_slashes=False)
def landing() -> Response:
    return _serve(core.landing)


@blueprint.get("/conformance")
def conformance() -> Response:
    return _serve(core.conformance)


@blueprint.get("/api")
def api() -> Response:
    return _serve(core.api)


@blueprint.get("/collections")
def collections() -> Response:
    return _serve(core.collections)


@blueprint.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    return _serve(core.collection, collection_id)


@blueprint.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    return _serve(core.queryables, collection_id)


@blueprint.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    return _serve(core.items, collection_id)


@blueprint.get("/collections/<collection_id>/items/<path:feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    return _serve(core.item, collection_id, feature_id)


@blueprint.get("/<path:rest>")
def unknown(rest: str) -> Response:
    # Any other path under /ogcapi answers in the standard's JSON error form.
    status, headers, body = core.error_response(core.NotFound(f"no resource /{rest}"))
    return Response(body, status=status, headers=headers)
