"""Per-client rate limits on the expensive routes: figures, downloads, search.

A figure costs a second of CPU, a download a GDAL export, a search a scan of the index; a
script asking for thousands of them would take the service from everyone else. Flask-Limiter
counts per client address in the app's own memory (storage `RATE_LIMIT_STORAGE`, e.g. a redis://
URI when several servers share the counts) and answers 429 JSON with Retry-After. Figures and
downloads count only the requests that did the work (a cache miss), so reloading a report that
embeds twenty figures costs nothing.

Behind a reverse proxy every client has the proxy's address: put the limits there, or give the
proxy's address space its own, larger limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, Response, current_app, g, jsonify
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

_EXTENSION = "planmap.limiter"

# endpoint -> the setting holding its limit, and whether only answers that did work count
LIMITED: dict[str, tuple[str, bool]] = {
    "figures.layers_figure": ("RATE_LIMIT_RENDER", True),
    "figures.place_figure": ("RATE_LIMIT_RENDER", True),
    "figures.plan_figure": ("RATE_LIMIT_RENDER", True),
    "downloads.download": ("RATE_LIMIT_DOWNLOAD", True),
    "downloads.place_download": ("RATE_LIMIT_DOWNLOAD", True),
    "api.places": ("RATE_LIMIT_SEARCH", False),
}
# endpoint -> "is the answer to this request already made?" (a module registers its own): a
# client over its limit still gets what costs nothing.
_FREE: dict[str, Callable[[], bool]] = {}


def free_when(endpoint: str, check: Callable[[], bool]) -> None:
    _FREE[endpoint] = check


def did_work() -> None:
    """Called by a view that did the expensive work (not a cache hit): this answer counts."""
    g.planmap_work = True


def _did_work(resp: Response) -> bool:
    return bool(g.get("planmap_work"))


def _limit_of(setting: str) -> Callable[[], str]:
    return lambda: current_app.config[setting]


def _exempt(setting: str, endpoint: str) -> Callable[[], bool]:
    def exempt() -> bool:
        if not current_app.config[setting]:
            return True
        check = _FREE.get(endpoint)
        return check is not None and check()

    return exempt


def limiter(app: Flask | None = None) -> Limiter:
    """The app's one limiter: these routes' limits and the sign-in throttle (webmap.auth)."""
    return cast(Limiter, (app or current_app).extensions[_EXTENSION])


def install(app: Flask) -> Limiter:
    """A limiter of this app's own on each endpoint of LIMITED (call after the blueprints)."""
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATE_LIMIT_STORAGE"],
                      headers_enabled=True, key_prefix="planmap")
    for endpoint, (setting, work_only) in LIMITED.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        limited = limiter.limit(_limit_of(setting), exempt_when=_exempt(setting, endpoint),
                                deduct_when=_did_work if work_only else None)(view)
        app.view_functions[endpoint] = cast(Any, limited)
    app.extensions[_EXTENSION] = limiter

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        resp = jsonify(code="TooManyRequests", status=429,
                       description=f"rate limit reached ({exc.description}); try again later")
        resp.status_code = 429
        return resp

    return limiter
