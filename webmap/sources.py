"""Where the service's data comes from: the LayerStore named by the STORE setting.

The store is resolved once per app and kept on `app.extensions`, so a test (or another district)
can hand the app a store of its own through configuration rather than by patching imports.
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask, current_app

from geo.errors import DataError


def resolve(spec: str) -> Any:
    """`module:function` -> the function's result (a LayerStore)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise DataError(f"setting STORE must be 'module:function', not {spec!r}")
    module = importlib.import_module(module_name)
    return getattr(module, attr)()


def get_store(app: Flask | None = None) -> Any:
    app = app or current_app
    store = app.extensions.get("planmap.store")
    if store is None:
        setting = app.config["STORE"]
        store = setting if not isinstance(setting, str) else resolve(setting)
        app.extensions["planmap.store"] = store
    return store
