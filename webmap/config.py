"""Settings as data: defaults here, then a TOML file (PLANMAP_CONFIG), then PLANMAP_* variables.

Every setting is declared once with its default and a sentence of documentation, so a test can
check that docs/web.md lists them all (as Datasette does) and a typo in a config file is an error
rather than a silently ignored key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.datafiles import read_toml
from geo.errors import DataError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DEFAULT_LANG", "zh", "Language of the UI when neither ?lang= nor Accept-Language "
            "chooses one: zh or en."),
    Setting("DEFAULT_BASEMAP", "vector", "Basemap shown when the URL names none: vector (drawn "
            "from the project's data, works offline), osm, tianditu-vec, tianditu-img or amap."),
    Setting("ONLINE_BASEMAPS", ["osm", "tianditu-vec", "tianditu-img", "amap"],
            "Online tile basemaps offered in the layer control (never shown by default). An "
            "empty list hides them all, e.g. on an intranet."),
    Setting("TIANDITU_KEY", "", "Tianditu (天地图) API key (tk); the Tianditu basemaps are offered "
            "only when it is set."),
    Setting("FRAME_ANCESTORS", "*", "Origins allowed to frame /embed (CSP frame-ancestors), "
            "space-separated; every other page may only be framed by the site itself."),
    Setting("CENTER", [39.99, 116.26], "Initial map centre [lat, lon] when the URL names none."),
    Setting("ZOOM", 11, "Initial zoom level when the URL names none."),
    Setting("MAX_ZOOM", 18, "Deepest zoom level of every map."),
    Setting("OFFLINE_ASSETS", "strip", "What to do with a rendered page that still links a "
            "script or stylesheet on another host: raise (tests) or strip (log and remove)."),
    Setting("CACHE_MAX_AGE", 300, "Cache-Control max-age, in seconds, of API and layer responses."),
    Setting("PAGE_CACHE_ENTRIES", 512, "Most pages and JSON answers kept rendered per worker "
            "(webmap.page_cache; least recently used out first; 0 turns the cache off)."),
    Setting("PAGE_CACHE_BYTES", 64 * 1024 * 1024, "Most bytes (raw + gzip) the page cache "
            "keeps per worker."),
    Setting("PAGE_SHARED_MAX_AGE", 1, "s-maxage, in seconds, of cached pages: how long a "
            "shared cache (nginx) may answer without asking; browsers always revalidate."),
    Setting("SEARCH_LIMIT", 10, "Default number of results of /api/places?q= (at most 50)."),
    Setting("POPUP_PASSAGES", 3, "How many policy excerpts a map popup shows."),
    Setting("OGC_SYNTHETIC", False, "Also offer the synthetic benchmark collections under "
            "/ogcapi (100 000 points, 10 000 polygons; never in the atlas)."),
    Setting("STORE", "layers.store:default_store", "module:function returning the store the "
            "service reads (a layers.protocol.PlanStore: every page, API answer, OGC collection, "
            "figure and download comes from it; a test or another district can supply its own)."),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
ENV_PREFIX = "PLANMAP_"
CHOICES: dict[str, tuple[str, ...]] = {
    "DEFAULT_LANG": ("zh", "en"),
    "OFFLINE_ASSETS": ("raise", "strip"),
}


def _coerce(name: str, raw: Any, where: str) -> Any:
    default = DEFAULTS[name]
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
