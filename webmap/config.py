"""Settings as data: defaults here, then a TOML file (PLANMAP_CONFIG), then PLANMAP_* variables.

Every setting is declared once with its default and a sentence of documentation, so a test can
check that docs/web.md lists them all (as Datasette does) and a typo in a config file is an error
rather than a silently ignored key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limits import parse_many

from geo.datafiles import read_toml
from geo.errors import DataError
from webmap import basemaps


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DEFAULT_LANG", "zh", "Language of the UI when neither ?lang= nor Accept-Language "
            "chooses one: zh or en."),
    Setting("DEFAULT_BASEMAP", "vector", "Basemap shown when the URL names none: vector (drawn "
            "from the project's data, works offline), osm, tianditu-vec, tianditu-img, amap or "
            "the id of a service in BASEMAPS."),
    Setting("ONLINE_BASEMAPS", [], "Online tile basemaps to offer in the layer control: any "
            "of osm, tianditu-vec, tianditu-img, amap. Empty by default: the atlas asks "
            "nothing of the internet unless a site turns these on."),
    Setting("BASEMAPS", [], "The site's own tile services (e.g. the bureau's intranet XYZ or "
            "WMTS), as [[basemaps]] tables in the settings file (or JSON in the environment): "
            "id, title (or {zh, en}), kind (xyz or wmts), url template, crs (WGS-84, CGCS2000 "
            "or GCJ-02; overlays are shifted for GCJ-02), attribution, min_zoom, max_zoom, and "
            "subdomains when the url has {s}. Checked when the service starts."),
    Setting("TIANDITU_KEY", "", "Tianditu (天地图) API key (tk); the Tianditu basemaps are offered "
            "only when it is set."),
    Setting("FRAME_ANCESTORS", "*", "Origins allowed to frame /embed (CSP frame-ancestors), "
            "space-separated; every other page may only be framed by the site itself."),
    Setting("CENTER", [39.99, 116.26], "Initial map centre [lat, lon] when the URL names none."),
    Setting("ZOOM", 11, "Initial zoom level when the URL names none."),
    Setting("MAX_ZOOM", 18, "Deepest zoom level of every map."),
    Setting("OFFLINE_ASSETS", "strip", "What to do with a rendered page that still links a "
            "script or stylesheet on another host: raise (tests) or strip (log and remove)."),
    Setting("BASE_URL", "", "The site's public root URL (e.g. https://maps.example.org when it "
            "sits behind a proxy): absolute links in OGC API answers and every feature's "
            "detail_url start from it. Empty: from the host each request was sent to."),
    Setting("CACHE_MAX_AGE", 300, "Cache-Control max-age, in seconds, of API and layer responses."),
    Setting("SEARCH_LIMIT", 10, "Default number of results of /api/places?q= (at most 50)."),
    Setting("POPUP_PASSAGES", 3, "How many policy excerpts a map popup shows."),
    Setting("OGC_SYNTHETIC", False, "Also offer the synthetic benchmark collections under "
            "/ogcapi (100 000 points, 10 000 polygons; never in the atlas)."),
    Setting("RENDER_WORKERS", 1, "Figures drawn at once in one server process (a figure takes "
            "about a second of one core; matplotlib draws one at a time per process)."),
    Setting("RENDER_IN", "thread", "Where figures are drawn: thread (in the request's thread) "
            "or process (RENDER_WORKERS low-priority child processes per server process, each "
            "with its own copy of the store: the server's threads keep the GIL and the CPU "
            "first; needs STORE as module:function). planmap serve --workers sets process."),
    Setting("RENDER_QUEUE", 2, "Figure requests that may wait for a renderer in one server "
            "process; one more is answered 503 with Retry-After at once."),
    Setting("RENDER_WAIT", 15, "Seconds a queued figure request waits for a renderer before it "
            "is answered 503 with Retry-After."),
    Setting("RATE_LIMIT_RENDER", "30 per minute", "Figures one client may have drawn (cache "
            "misses: cached figures do not count), as Flask-Limiter limits (\"30 per minute; 300 "
            "per hour\"); empty: no limit. Beyond it: 429 with Retry-After."),
    Setting("RATE_LIMIT_DOWNLOAD", "60 per minute", "Layer downloads one client may have "
            "written (cache misses), as RATE_LIMIT_RENDER."),
    Setting("RATE_LIMIT_SEARCH", "300 per minute", "Searches (/api/places?q=) one client may "
            "make, as RATE_LIMIT_RENDER."),
    Setting("RATE_LIMIT_STORAGE", "memory://", "Where the rate-limit counts live: memory:// "
            "(each server process counts on its own) or a limits storage URI such as "
            "redis://host:6379 shared by every process."),
    Setting("STORE", "layers.store:default_store", "module:function returning the store the "
            "service reads (a layers.protocol.PlanStore: every page, API answer, OGC collection, "
            "figure and download comes from it; a test or another district can supply its own)."),
    Setting("DATABASE_URL", "", "The database of accounts, corrections and the audit log: empty "
            "for the embedded SQLite file planmap.sqlite in the instance folder (created on "
            "first start), a SQLAlchemy URL (postgresql+psycopg://user@host/planmap, "
            "sqlite:///path), or none for no database (the file store: read-only, no accounts)."),
    Setting("SECRET_KEY", "", "Key signing session cookies and CSRF tokens. Empty: generated "
            "once into the instance folder (file secret_key). Set the same value on every "
            "server behind one address."),
    Setting("READ_REQUIRES_LOGIN", False, "Require signing in to read anything (pages, API, "
            "OGC API, downloads), e.g. on an intranet; by default the atlas is public."),
    Setting("SESSION_HOURS", 12, "How long a sign-in lasts."),
    Setting("COOKIE_SECURE", "auto", "The session cookie's Secure flag: auto (set when the "
            "request came over HTTPS), always, or never."),
    Setting("LOGIN_LIMIT", "10 per minute;100 per day", "Sign-in attempts allowed per client "
            "address (Flask-Limiter syntax); more are answered 429."),
    Setting("API_TOKEN_DAYS", 365, "Default lifetime of a new API token, in days."),
    Setting("DB_POOL_SIZE", 5, "PostgreSQL connections each server process keeps open."),
    Setting("DB_TIMEOUT", 10, "Seconds a request waits for the database (SQLite's write lock, "
            "a PostgreSQL connection) before it answers 503."),
    Setting("TRUSTED_PROXIES", 0, "How many reverse proxies (nginx, a load balancer) stand in "
            "front of the app: with 1, the client address, scheme and host are taken from the "
            "X-Forwarded-For/-Proto/-Host headers the last proxy set (the audit log, sign-in "
            "throttling and Secure cookies use them). 0: the connection's own address. Never more "
            "than the real number, or clients could forge their address."),
    Setting("CHANGE_CHECK_SECONDS", 1, "How often, at most, a server process asks the database "
            "whether corrections were approved (one single-row read); PostgreSQL also tells it "
            "at once through LISTEN/NOTIFY."),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
ENV_PREFIX = "PLANMAP_"
CHOICES: dict[str, tuple[str, ...]] = {
    "DEFAULT_LANG": ("zh", "en"),
    "OFFLINE_ASSETS": ("raise", "strip"),
    "COOKIE_SECURE": ("auto", "always", "never"),
    "RENDER_IN": ("thread", "process"),
}


# Settings holding tables rather than words: passed through as lists, checked by their owner.
TABLES = ("BASEMAPS",)


def _coerce(name: str, raw: Any, where: str) -> Any:
    default = DEFAULTS[name]
    if name in TABLES:
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: setting {name} is not JSON: {exc}") from None
        if not isinstance(value, list):
            raise DataError(f"{where}: setting {name} must be a list of tables")
        return value
    try:
        if isinstance(default, bool):
            if isinstance(raw, str):
                if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                    raise ValueError(raw)
                return raw.lower() in {"1", "true", "yes", "on"}
            return bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, list):
            if isinstance(raw, str):
                parts = [p.strip() for p in raw.split(",") if p.strip()]
            else:
                parts = list(raw)
            if default and isinstance(default[0], float):
                return [float(p) for p in parts]
            return [str(p) for p in parts]
        return str(raw)
    except (TypeError, ValueError):
        raise DataError(f"{where}: setting {name} has a bad value {raw!r}") from None


def _validate(config: dict[str, Any]) -> None:
    for name, choices in CHOICES.items():
        if config[name] not in choices:
            raise DataError(f"setting {name} must be one of {', '.join(choices)}")
    if len(config["CENTER"]) != 2:
        raise DataError("setting CENTER must be [lat, lon]")
    if not 0 < config["SEARCH_LIMIT"] <= 50:
        raise DataError("setting SEARCH_LIMIT must be between 1 and 50")
    for name, low, high in (("SESSION_HOURS", 1, 24 * 90), ("API_TOKEN_DAYS", 1, 3650),
                            ("DB_POOL_SIZE", 1, 100), ("CHANGE_CHECK_SECONDS", 1, 60),
                            ("DB_TIMEOUT", 1, 300), ("TRUSTED_PROXIES", 0, 5)):
        if not low <= config[name] <= high:
            raise DataError(f"setting {name} must be between {low} and {high}")
    basemaps.check_settings(config)
    base = config["BASE_URL"]
    if base and not (base.startswith(("http://", "https://")) and "\n" not in base
                     and " " not in base):
        raise DataError("setting BASE_URL must be an absolute http(s) URL, e.g. "
                        "https://maps.example.org")
    if not 1 <= config["RENDER_WORKERS"] <= 64 or not 0 <= config["RENDER_QUEUE"] <= 1000:
        raise DataError("settings RENDER_WORKERS (1-64) and RENDER_QUEUE (0-1000) out of range")
    if not 0 < config["RENDER_WAIT"] <= 600:
        raise DataError("setting RENDER_WAIT must be between 1 and 600 seconds")
    for name in ("RATE_LIMIT_RENDER", "RATE_LIMIT_DOWNLOAD", "RATE_LIMIT_SEARCH"):
        if config[name]:
            try:
                parse_many(config[name])
            except ValueError:
                raise DataError(f"setting {name}: {config[name]!r} is not a rate limit such "
                                "as '30 per minute'") from None


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Defaults < PLANMAP_CONFIG file < PLANMAP_* environment < `overrides` (create_app's dict)."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    path = environ.get("PLANMAP_CONFIG")
    if path:
        raw = read_toml(Path(path))
        for key, value in raw.items():
            name = key.upper()
            if name not in DEFAULTS:
                raise DataError(f"PLANMAP_CONFIG {path}: unknown setting {key!r}")
            config[name] = _coerce(name, value, path)
    for name in DEFAULTS:
        if ENV_PREFIX + name in environ:
            config[name] = _coerce(name, environ[ENV_PREFIX + name], ENV_PREFIX + name)
    for key, value in (overrides or {}).items():
        if key == "STORE" and not isinstance(value, str):
            config[key] = value  # a store object handed over directly (tests)
        else:
            config[key] = _coerce(key, value, "create_app") if key in DEFAULTS else value
    _validate(config)
    return config
