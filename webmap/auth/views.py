"""Signing in and out, who am I, and API tokens.

`/login` takes a form (the page) or JSON (a script or the atlas's own fetch); both carry the CSRF
token, as every write does. API tokens are issued to a signed-in user for their own scripts and
GIS clients and shown once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_wtf.csrf import generate_csrf

from geo.errors import BadRequest
from layers import accounts
from layers.db.errors import Unauthorized
from webmap import i18n
from webmap.auth import limits
from webmap.auth.session import (
    client_address,
    current_actor,
    requires,
    sign_in,
    sign_out,
    via_token,
)
from webmap.sources import database_store

blueprint = Blueprint("auth", __name__)


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or \
            urlsplit(target).netloc:
        return "/"
    return target


def _login_page(status: int = 200, message: str = "") -> Any:
    lang = i18n.choose_lang()
    return render_template("login.html", t=i18n.strings(lang), lang=lang,
                           lang_q="?lang=en" if lang == "en" else "", message=message,
                           next=_safe_next(request.values.get("next")),
                           has_database=database_store() is not None), status


@blueprint.get("/login")
def login_form():
    return _login_page()


@blueprint.post("/login")
def login():
    limits.login_attempt()
    store = database_store()
    as_json = request.is_json
    values = json_body() if as_json else request.form
    username, password = values.get("username"), values.get("password")
    if store is None:
        raise Unauthorized("this server has no database: there are no accounts")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise BadRequest("username and password are required")
    try:
        actor = accounts.authenticate(store.db, username, password, client_address())
    except Unauthorized as error:
        if as_json:
            raise
        return _login_page(401, error.message)
    sign_in(actor)
    if as_json:
        return jsonify(user=actor.as_dict(), csrf_token=generate_csrf())
    return redirect(_safe_next(values.get("next")), code=303)


@blueprint.post("/logout")
def logout():
    actor = current_actor()
    store = database_store()
    if actor is not None and store is not None and not via_token():
        accounts.record_logout(store.db, actor, client_address())
    sign_out()
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(signed_in=False)
    return redirect("/", code=303)


@blueprint.get("/api/me")
def me():
    """Who this request acts as, and the CSRF token a page's script sends with its writes."""
    actor = current_actor()
    return jsonify(signed_in=actor is not None, user=actor.as_dict() if actor else None,
                   via_token=via_token(), csrf_token=generate_csrf(),
                   database=database_store() is not None)


@blueprint.get("/api/tokens")
@requires("viewer")
def tokens():
    actor = current_actor()
    store = database_store()
    assert actor is not None and store is not None
    return jsonify(tokens=accounts.list_tokens(store.db, actor.username))


@blueprint.post("/api/tokens")
@requires("viewer")
def issue_token():
    """A new token for the signed-in user: `{"name": "QGIS on my laptop", "days": 90}`."""
    actor = current_actor()
    store = database_store()
    assert actor is not None and store is not None
    body = json_body()
    days = body.get("days", current_app.config["API_TOKEN_DAYS"])
    if isinstance(days, bool) or not isinstance(days, int):
        raise BadRequest("days must be a whole number")
    secret, record = accounts.issue_token(store.db, actor.username, str(body.get("name", "")),
                                          actor, days=days, client=client_address())
    return jsonify(token=secret, **record), 201


@blueprint.post("/api/tokens/<int:token_id>/revoke")
@requires("viewer")
def revoke_token(token_id: int):
    actor = current_actor()
    store = database_store()
    assert actor is not None and store is not None
    accounts.revoke_token(store.db, token_id, actor, client_address())
    return jsonify(revoked=token_id)
