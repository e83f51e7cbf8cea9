"""Error answers: typed errors become 4xx JSON (API) or an HTML page; nothing shows a traceback.

geo.errors carries the HTTP status on each error type (as pygeoapi does), so this module decides
only the shape of the answer. An unexpected exception is logged and answered with a plain 500
page; bad input must never reach that path, and the tests feed bad input to every route.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from werkzeug.exceptions import HTTPException

from geo.errors import PlanmapError
from webmap import i18n
from webmap.assets import OffHostAsset
from webmap.responses import wants_json

log = logging.getLogger(__name__)


def _answer(status: int, code: str, message: str):
    if wants_json():
        return jsonify(code=code, description=message, status=status), status
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
        return _answer(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, OffHostAsset) or app.testing:
            raise exc
        log.exception("unexpected error")
        return _answer(500, "ServerError", "internal error; the server log has the details")
