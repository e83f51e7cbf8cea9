"""Error answers: typed errors become 4xx JSON (API) or an HTML page; nothing shows a traceback.

geo.errors carries the HTTP status on each error type (as pygeoapi does), so this module decides
only the shape of the answer. An unexpected exception is logged and answered with a plain 500
page; bad input must never reach that path, and the tests feed bad input to every route.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from geo.errors import PlanmapError
from webmap import i18n
from webmap.assets import OffHostAsset
from webmap.responses import wants_json

log = logging.getLogger(__name__)


JSON_PREFIXES = ("/api/", "/ogcapi")


def _json_path() -> bool:
    """The API and the OGC API answer every error in JSON, whatever the Accept header says."""
    return request.path == "/api" or request.path.startswith(JSON_PREFIXES) or wants_json()


def _answer(status: int, code: str, message: str, headers: dict[str, str] | None = None):
    if _json_path():
        return jsonify(code=code, description=message, status=status), status, headers or {}
    try:
        lang = i18n.choose_lang()
    except PlanmapError:
        lang = "zh"
    title_key = {404: "not_found", 400: "bad_request"}.get(status, "error")
    t = i18n.strings(lang)
    return (
        render_template("error.html", status=status, title=t[title_key], message=message,
                        t=t, lang=lang, lang_q="?lang=en" if lang == "en" else ""),
        status,
        headers or {},
    )


def register(app: Flask) -> None:
    @app.errorhandler(PlanmapError)
    def planmap_error(exc: PlanmapError):
        if exc.http_status >= 500:
            log.error("data error: %s", exc.message)
        return _answer(exc.http_status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.code or 500, "HTTPError")
        # A 405 says which methods the resource takes (RFC 9110): werkzeug puts them in Allow.
        extra = {k: v for k, v in exc.get_headers() if k == "Allow"}
        return _answer(exc.code or 500, code, exc.description or exc.name, extra)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, OffHostAsset) or app.testing:
            raise exc
        log.exception("unexpected error")
        return _answer(500, "ServerError", "internal error; the server log has the details")
