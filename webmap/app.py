"""The Flask application factory: settings, blueprints, offline assets, headers.

`create_app(config)` takes settings as data (see webmap.config and docs/web.md). Blueprints of
other areas (OGC API, figures, embed) are registered when their module exists, so each area can
land independently; an import error *inside* such a module is not hidden.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from flask import Flask, Response, jsonify, request

from geo.corpus import default_corpus
from webmap import api, assets, downloads, errors, pages
from webmap.config import load_settings
from webmap.responses import gzip_static

log = logging.getLogger(__name__)

OPTIONAL_BLUEPRINTS = ("webmap.ogcapi", "webmap.figures", "webmap.embed")


def _optional_blueprints(app: Flask) -> None:
    for name in OPTIONAL_BLUEPRINTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        blueprint = getattr(module, "blueprint", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)


def _security_headers(resp: Response) -> Response:
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if request.blueprint != "embed" and "Content-Security-Policy" not in resp.headers:
        resp.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
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
    assets.install_local_assets()

    app.register_blueprint(pages.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(downloads.blueprint)
    _optional_blueprints(app)
    errors.register(app)

    @app.get("/healthz")
    def healthz():
        corpus = default_corpus()
        return jsonify(
            status="ok",
            plans=[{"id": p.id, "title": p.title, "year": p.year} for p in corpus],
        )

    @app.get("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.ico")

    @app.after_request
    def after(resp: Response) -> Response:
        resp = _offline_guard(app, resp)
        if request.path.startswith("/static/"):
            resp = gzip_static(resp)
        return _security_headers(resp)

    return app
