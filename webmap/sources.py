"""Where the service's data comes from: the store named by the STORE setting, and what the app
keeps derived from it.

The store is resolved once, when the app is created, and kept on `app.extensions`, so a test
(or another district, or a database-backed store) hands the app a store of its own through
configuration rather than by patching imports. Every route reaches data through `get_store()`;
caches of derived answers (response bodies, figures) live in `app_cache()`, keyed on the
store's `version`, so they are the app's and never outlive or cross its data.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from flask import Flask, current_app

from geo.errors import DataError
from layers.protocol import PlanStore

STORE_KEY = "planmap.store"
CACHE_KEY = "planmap.cache"
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
    app.extensions[STORE_KEY] = store
    return store


def get_store(app: Flask | None = None) -> PlanStore:
    app = app or current_app
    store = app.extensions.get(STORE_KEY)
    if store is None:
        with _LOCK:
            store = app.extensions.get(STORE_KEY) or install_store(app)
    return store


def app_cache(name: str, app: Flask | None = None) -> dict[Any, Any]:
    """A dict the app keeps for one kind of derived answer. Callers key entries on the store's
    `version` so an entry can only ever describe the data it was made from."""
    app = app or current_app
    caches = app.extensions.setdefault(CACHE_KEY, {})
    return caches.setdefault(name, {})
