"""The Flask application factory: settings, blueprints, offline assets, headers.

`create_app(config)` takes settings as data (see webmap.config and docs/web.md), including the
store every route reads (`STORE`, a `layers.protocol.PlanStore`), which is resolved here so a bad
setting or bad data stops the app before it serves anything.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from webmap import (
    api,
    assets,
    auth,
    basemaps,
    compare,
    downloads,
    edit_pages,
    edits_api,
    embed,
    errors,
    figures,
    headers,
    limits,
    names_review,
    ogcapi,
    page_cache,
    pages,
    plans_upload,
    review_pages,
)
from webmap.config import load_settings
from webmap.responses import gzip_page, gzip_static
from webmap.sources import get_store, install_store, installed_store

log = logging.getLogger(__name__)

BLUEPRINTS = (plans_upload.blueprint, names_review.blueprint, pages.blueprint,
              compare.blueprint, api.blueprint, downloads.blueprint, ogcapi.blueprint,
              figures.blueprint, embed.blueprint, auth.blueprint, edits_api.blueprint,
              edit_pages.blueprint, review_pages.blueprint)


def _security_headers(resp: Response) -> Response:
    """The full header set on every answer; a blueprint may have set frame-ancestors (embed)."""
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", headers.REFERRER_POLICY)
    resp.headers.setdefault("Permissions-Policy", headers.PERMISSIONS_POLICY)
    earlier = resp.headers.get("Content-Security-Policy")
    if request.blueprint != "embed" and earlier is None:
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    html = None
    if (resp.mimetype == "text/html" and not resp.direct_passthrough
            and "Content-Encoding" not in resp.headers):
        html = resp.get_data(as_text=True)
    resp.headers["Content-Security-Policy"] = headers.content_security_policy(
        html, headers.frame_ancestors_of(earlier), basemaps.tile_origins(current_app.config))
    return resp


def _offline_guard(app: Flask, resp: Response) -> Response:
    if resp.mimetype == "text/html" and not resp.direct_passthrough and resp.status_code < 300:
        html = resp.get_data(as_text=True)
        checked = assets.check_offline(html, app.config["OFFLINE_ASSETS"])
        if checked != html:
            resp.set_data(checked)
    return resp


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(load_settings(config))
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.debug = False
    hops = app.config["TRUSTED_PROXIES"]
    if hops:  # behind nginx: the client's address and scheme as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    assets.install_local_assets()

    install_store(app)
    auth.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register(app)
    limits.install(app)  # after the blueprints: it wraps their expensive views

    @app.get("/healthz")
    def healthz():
        """Cheap (a stat per data file, no rendering) and never behind the rate limits: a
        load balancer asks often. 503 when the data behind the store is broken."""
        store = get_store()
        problem = store.health()
        if problem is not None:
            resp = jsonify(status="error", version=store.version, problem=problem)
            resp.status_code = 503
            resp.headers["Retry-After"] = "60"
            return resp
        answer: dict[str, Any] = {
            "status": "ok",
            "version": store.version,
            "plans": [{"id": p.id, "title": p.title, "year": p.year} for p in store.plans()],
        }
        database = installed_store().database_status()
        if database is not None:
            answer["database"] = database
        return jsonify(answer)

    @app.get("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.ico")

    @app.after_request
    def after(resp: Response) -> Response:
        resp = _offline_guard(app, resp)
        resp = _security_headers(resp)  # before gzip: the CSP hashes the page's inline scripts
        return gzip_static(resp) if request.path.startswith("/static/") else gzip_page(resp)

    page_cache.install(app)  # outermost: a cached answer is the final one, hooks included
    return app
