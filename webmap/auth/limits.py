"""Sign-in throttling: LOGIN_LIMIT attempts per client address.

The count lives in the app's one Flask-Limiter (webmap.limits, storage RATE_LIMIT_STORAGE): with
in-memory counters each server process counts on its own, so with several processes the
effective limit is the setting times the number of processes; a shared storage makes it exact.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address

from webmap import limits


def login_attempt() -> None:
    """Count one sign-in attempt for this client; 429 Too Many Requests past the limit."""
    with limits.limiter().limit(current_app.config["LOGIN_LIMIT"], key_func=get_remote_address,
                                scope="login"):
        pass
