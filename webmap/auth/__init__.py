"""Accounts on the web: session sign-in, API tokens, CSRF, cookie flags, throttling.

`init_app(app)` wires it all before any view runs (the app registers `blueprint`, the sign-in
and token routes, with the others):
- the session cookie is HttpOnly, SameSite=Lax, Secure on HTTPS (COOKIE_SECURE), and lasts
  SESSION_HOURS; its key is SECRET_KEY (generated once into the instance folder when unset);
- each request's actor is loaded (`session.load_actor`); with READ_REQUIRES_LOGIN nobody else
  reads anything but the sign-in page;
- every write (POST, PUT, PATCH, DELETE) is checked in this order: a view marked
  `@requires(role)` answers 401 to nobody and 403 to too low a role, then the CSRF token
  (Flask-WTF) is required unless the request carries an API token (a Bearer header is never
  sent by a browser on its own, so it needs no CSRF token);
- a refused edit (409/412) answers with the newer revision in `current`.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from geo.errors import PlanmapError
from layers.db import audit
from layers.db.errors import Conflict, Unauthorized
from webmap.auth import session
from webmap.auth.views import blueprint

__all__ = ["blueprint", "check_csrf", "csrf", "init_app"]
from webmap.responses import wants_json
from webmap.sources import database_store


class CsrfFailed(PlanmapError):
    """A write without the session's CSRF token (a form or script of another site)."""

    http_status = 400
    code = "CSRFError"


OPEN_WHEN_PRIVATE = ("/login", "/static/", "/favicon.ico", "/healthz", "/api/me")
csrf = CSRFProtect()


class _SessionInterface(SecureCookieSessionInterface):
    """The Secure flag follows the request's scheme unless COOKIE_SECURE says otherwise."""

    def get_cookie_secure(self, app: Flask) -> bool:
        mode = app.config["COOKIE_SECURE"]
        return mode == "always" or (mode == "auto" and request.is_secure)


def secret_key(app: Flask, persistent: bool) -> str:
    """SECRET_KEY, else one kept in the instance folder (created once, readable by the owner
    only); without a database nothing outlives the process, so a random key does."""
    if app.config.get("SECRET_KEY"):
        return str(app.config["SECRET_KEY"])
    if not persistent:
        return secrets.token_hex(32)
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


# Blueprints that check their writes themselves: the OGC API (webmap.ogcapi.transactions) checks
# role and CSRF once it knows the target can be written at all; everything else there answers a
# write 405, not a CSRF refusal.
SELF_CHECKED_BLUEPRINTS = frozenset({"ogcapi"})


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = secret_key(app, database_store(app) is not None)
    app.config.update(
        SESSION_COOKIE_NAME="planmap_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["SESSION_HOURS"]),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _guard, after the role check
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session
        WTF_CSRF_SSL_STRICT=True,
    )
    app.session_interface = _SessionInterface()
    csrf.init_app(app)
    app.before_request(_guard)
    app.after_request(_audit_download)
    app.register_error_handler(Conflict, _conflict)


def _guard() -> Any:
    if request.routing_exception is not None:
        return None  # 404/405 answer as they would without accounts
    session.load_actor()
    actor = session.current_actor()
    if current_app.config["READ_REQUIRES_LOGIN"] and actor is None and \
            not request.path.startswith(OPEN_WHEN_PRIVATE):
        if wants_json() or request.method in session.WRITE_METHODS:
            raise Unauthorized("this atlas needs signing in (READ_REQUIRES_LOGIN)")
        return redirect(f"/login?next={request.full_path.rstrip('?')}", code=303)
    if request.method not in session.WRITE_METHODS:
        return None
    role = session.required_role()
    if role is not None:
        session.check_role(role)
    elif request.blueprint in SELF_CHECKED_BLUEPRINTS:
        return None
    check_csrf()
    return None


def check_csrf() -> None:
    """The session's CSRF token, unless the request carries an API token."""
    if session.via_token():
        return
    try:
        csrf.protect()
    except CSRFError as error:
        raise CsrfFailed(f"CSRF check failed: {error.description} (send the token from "
                         "/api/me in an X-CSRFToken header, or use an API token)") from None


def _audit_download(response: Response) -> Response:
    """A signed-in user's download is an export in the audit log (anonymous public downloads
    are not an account's action and are left to the access log)."""
    actor = session.current_actor()
    store = database_store()
    if actor is not None and store is not None and response.status_code == 200 and \
            (request.endpoint or "").startswith("downloads."):
        with store.db.transaction() as db_session:
            audit.record(db_session, "export", user_id=actor.id, username=actor.username,
                         client=session.client_address(), path=request.full_path.rstrip("?"))
    return response


def _conflict(error: Conflict) -> tuple[Response, int]:
    return jsonify(code=error.code, description=error.message, status=error.http_status,
                   current=error.current), error.http_status

