"""Who is asking: the signed-in user (session cookie) or a token's owner (Bearer header).

The actor is loaded once per request (`load_actor`, run before every view) and kept on `g`.
A write is checked on the server before its view runs: a view marked `@requires(role)` answers
401 to nobody and 403 to a user whose role is too low, whatever the page showed. A session is
honoured only while the account is as it was at sign-in (not disabled, same role and password:
`session_epoch`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from layers import accounts
from layers.accounts import Actor
from layers.db.errors import Forbidden, Unauthorized, Unavailable
from webmap.sources import database_store

F = TypeVar("F", bound=Callable[..., Any])
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROLE_ATTR = "planmap_role"


def client_address() -> str:
    return request.remote_addr or ""


def current_actor() -> Actor | None:
    return g.get("planmap_actor")


def via_token() -> bool:
    return bool(g.get("planmap_via_token"))


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def load_actor() -> None:
    """Find the actor of this request. A bad token is refused (401) rather than ignored, so a
    script learns its token stopped working; an unreachable database leaves readers anonymous
    and makes writers wait for it (503)."""
    g.planmap_actor, g.planmap_via_token = None, False
    store = database_store()
    token = bearer_token()
    if store is None:
        return
    try:
        if token is not None:
            g.planmap_actor, g.planmap_via_token = accounts.token_actor(store.db, token), True
        elif current_app.config["SESSION_COOKIE_NAME"] in request.cookies and "uid" in session:
            actor = accounts.session_actor(store.db, int(session["uid"]),
                                           int(session.get("epoch", -1)))
            if actor is None:
                session.clear()
            g.planmap_actor = actor
    except Unavailable:
        if request.method in WRITE_METHODS:
            raise


def sign_in(actor: Actor) -> None:
    session.clear()
    session.permanent = True
    session["uid"], session["epoch"] = actor.id, actor.epoch
    g.planmap_actor = actor


def sign_out() -> None:
    session.clear()
    g.planmap_actor = None


def requires(role: str) -> Callable[[F], F]:
    """Mark a view as needing `role` (checked before CSRF, and again when it runs)."""
    def mark(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            check_role(role)
            return view(*args, **kwargs)

        setattr(checked, ROLE_ATTR, role)
        return checked  # type: ignore[return-value]
    return mark


def check_role(role: str) -> Actor:
    if database_store() is None:
        raise Forbidden("this server has no database (DATABASE_URL = none): it is read-only")
    actor = current_actor()
    if actor is None:
        raise Unauthorized("sign in, or send an API token (Authorization: Bearer …)")
    actor.require(role, f"{request.method} {request.path}")
    return actor


def required_role() -> str | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, ROLE_ATTR, None)
