"""Sign-in throttling with Flask-Limiter: LOGIN_LIMIT attempts per client address.

Each app has its own Limiter (in-memory counters, per process: with several processes the
effective limit is the setting times the number of processes; a shared storage_uri would make it
exact). Other limits of the service can share this Limiter through `limiter(app)`.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

KEY = "planmap.limiter"


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                      headers_enabled=True)
    app.extensions[KEY] = limiter
    return limiter


def limiter(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions[KEY]


def login_attempt() -> None:
    """Count one sign-in attempt for this client; 429 Too Many Requests past the limit."""
    with limiter().limit(current_app.config["LOGIN_LIMIT"], key_func=get_remote_address):
        pass
