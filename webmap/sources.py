"""Where the service's data comes from: the store named by the STORE setting, and what the app
keeps derived from it.

The store is resolved once, when the app is created, and kept on `app.extensions`, so a test
(or another district, or a database-backed store) hands the app a store of its own through
configuration rather than by patching imports. Every route reaches data through `get_store()`;
caches of derived answers (response bodies, figures) live in `app_cache()`, keyed on the
store's `version`, so they are the app's and never outlive or cross its data.

With a database (setting DATABASE_URL; by default the embedded SQLite file in the instance
folder), the store is a `layers.db.store.DatabaseStore` over the STORE's data: approved
corrections go live in it without a restart. A request reads one snapshot of it throughout
(`get_store()` pins it on `g`), so a page and the cache key it is stored under always agree.
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context

from geo.errors import DataError
from layers.db.store import DatabaseStore
from layers.protocol import PlanStore

log = logging.getLogger(__name__)
DB_FILE = "planmap.sqlite"

STORE_KEY = "planmap.store"
CACHE_KEY = "planmap.cache"
SERVED_KEY = "planmap.served_version"
_LOCK = threading.Lock()


def resolve(spec: str) -> Any:
    """`module:function` -> the function's result (a store)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise DataError(f"setting STORE must be 'module:function', not {spec!r}")
    module = importlib.import_module(module_name)
    return getattr(module, attr)()


def install_store(app: Flask) -> PlanStore:
    """Resolve the STORE setting (a store object, or `module:function` building one) and keep
    it on the app; a value that is no PlanStore stops the app with a message."""
    setting = app.config.get("STORE")
    if setting is None:
        raise DataError("setting STORE is missing: the app has no data to serve")
    store = resolve(setting) if isinstance(setting, str) else setting
    if not isinstance(store, PlanStore):
        raise DataError(f"setting STORE gave a {type(store).__name__}, which does not "
                        "implement layers.protocol.PlanStore")
    url = database_url(app.config, app.instance_path)
    if url is not None:
        store = _database_store(app, url, store)
    app.extensions[STORE_KEY] = store
    return store


def database_url(config: dict[str, Any], instance_path: str) -> str | None:
    """The DATABASE_URL setting resolved: None for no database, the embedded SQLite file in
    the instance folder when it is empty."""
    if "DATABASE_URL" not in config:
        return None  # an app not made by create_app (a test's bare blueprint) has none
    setting = (config.get("DATABASE_URL") or "").strip()
    if setting.lower() == "none":
        return None
    if not setting:
        return f"sqlite:///{Path(instance_path) / DB_FILE}"
    return setting


def embedded(url: str, instance_path: str) -> bool:
    return url == f"sqlite:///{Path(instance_path) / DB_FILE}"


def _database_store(app: Flask, url: str, base: Any) -> DatabaseStore:
    """A DatabaseStore over `base`, on a database whose schema is current. The embedded file
    is created and migrated here; another database must be migrated by `planmap db upgrade`
    first (several servers must not race to migrate one database)."""
    from layers.db import migrate
    from layers.db.engine import Database
    from layers.store import LayerStore

    if not isinstance(base, LayerStore):
        raise DataError(f"a database store corrects a LayerStore; setting STORE gave a "
                        f"{type(base).__name__}")
    db = Database(url, pool_size=app.config["DB_POOL_SIZE"],
                  wait_seconds=app.config["DB_TIMEOUT"])
    if not migrate.is_current(db):
        if not embedded(url, app.instance_path):
            raise DataError(f"database {db.display_url} has schema {migrate.current(db)}, the "
                            f"code needs {migrate.head()}: run `planmap db upgrade`")
        before, after = migrate.upgrade(db)
        log.info("embedded database %s migrated from %s to %s", db.display_url, before, after)
    return DatabaseStore(db, base, check_seconds=app.config["CHANGE_CHECK_SECONDS"])


def installed_store(app: Flask | None = None) -> PlanStore:
    """The store the app serves from, not a request's snapshot of it: what /healthz asks about
    the database behind it."""
    app = app or current_app
    get_store(app)  # installs it on first use
    return app.extensions[STORE_KEY]


def get_store(app: Flask | None = None) -> PlanStore:
    """The store to answer from; in a request, one snapshot for the whole request."""
    app = app or current_app
    store = app.extensions.get(STORE_KEY)
    if store is None:
        with _LOCK:
            store = app.extensions.get(STORE_KEY) or install_store(app)
    if not has_request_context():
        return store
    pinned = g.get("planmap_store")
    if pinned is None:
        pinned = g.planmap_store = store.current()
        if app.extensions.get(SERVED_KEY) != pinned.version:
            _forget_old_versions(app, pinned.version)
    return pinned


def _forget_old_versions(app: Flask, version: str) -> None:
    """Drop cached answers keyed on a version no longer served, so a store that changes while
    serving does not keep every old body (entries are keyed `(version, …)`)."""
    with _LOCK:
        app.extensions[SERVED_KEY] = version
        for cache in app.extensions.get(CACHE_KEY, {}).values():
            for key in [k for k in list(cache) if isinstance(k, tuple) and k
                        and isinstance(k[0], str) and k[0] != version]:
                cache.pop(key, None)


def database_store(app: Flask | None = None) -> DatabaseStore | None:
    """The app's DatabaseStore (its `.edits`, `.db`), None when it runs without a database."""
    app = app or current_app
    store = app.extensions.get(STORE_KEY)
    return store if isinstance(store, DatabaseStore) else None


def app_cache(name: str, app: Flask | None = None) -> dict[Any, Any]:
    """A dict the app keeps for one kind of derived answer. Callers key entries on the store's
    `version` so an entry can only ever describe the data it was made from."""
    app = app or current_app
    caches = app.extensions.setdefault(CACHE_KEY, {})
    return caches.setdefault(name, {})
