"""Layer and place downloads: every format × CRS that layers.export writes, served as files.

layers.export owns the writing (GDAL through pyogrio), the list of formats (its registry) and the
refusals (KML in metres); geo.crs_names owns the CRS spellings, so `?crs=` takes whatever
`planmap export --crs` takes. This module lists the combinations for the layer page, writes each
(layer, format, CRS) once into the app's cache folder and serves it with its media type.

The cache folder belongs to the app: it is removed when the app is garbage-collected or, at the
latest, when the process exits. Each file has its own lock, so one slow GeoPackage does not hold
up another layer's CSV; export() writes beside the file and renames, so a file in the cache is
always whole.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, send_file, url_for
from flask.blueprints import BlueprintSetupState

from geo.errors import BadRequest
from layers.export import ExportFormat, export, export_crs, export_format, offered
from layers.export.single import export_place
from webmap.sources import get_store

blueprint = Blueprint("downloads", __name__)
_EXTENSION = "planmap.downloads"


class DownloadCache:
    """The files one app has written: a private folder, made on first use, and a lock per file."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._folder: Path | None = None

    @property
    def folder(self) -> Path:
        with self._guard:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="planmap-downloads-"))
            return self._folder

    def lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def remove(self) -> None:
        with self._guard:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None


@blueprint.record_once
def _install_cache(state: BlueprintSetupState) -> None:
    cache = DownloadCache()
    state.app.extensions[_EXTENSION] = cache
    # Holds the cache, not the app: runs when the app is collected, or at exit.
    weakref.finalize(state.app, cache.remove)


def cache_of(app: Flask) -> DownloadCache:
    return app.extensions[_EXTENSION]


def links(layer_id: str, lang: str = "en") -> list[dict[str, Any]]:
    """Every (format, CRS) pair layers.export offers for a layer, as rows for the layer page."""
    return [
        {
            "format": fmt.id,
            "format_title": fmt.title,
            "crs": crs.id,
            "crs_title": crs.title[lang],
            "url": url_for("downloads.download", layer_id=layer_id, fmt=fmt.id, crs=crs.param),
        }
        for fmt, crs in offered()
    ]


def place_links(place_id: str, lang: str = "en") -> list[dict[str, Any]]:
    """The same pairs for one place (the place page's downloads)."""
    return [
        {
            "format": fmt.id,
            "format_title": fmt.title,
            "crs": crs.id,
            "crs_title": crs.title[lang],
            "url": url_for("downloads.place_download", place_id=place_id, fmt=fmt.id,
                           crs=crs.param),
        }
        for fmt, crs in offered()
    ]


def _serve(name: str, kind: ExportFormat, write: Callable[[Path], object]) -> Response:
    """Write `name` into the app's cache once (under its lock), then send it."""
    cache = cache_of(current_app)
    path = cache.folder / name
    with cache.lock(name):
        if not path.exists():
            write(path)
    return send_file(path, mimetype=kind.media_type, as_attachment=True, download_name=name,
                     max_age=current_app.config["CACHE_MAX_AGE"])


@blueprint.get("/layers/<layer_id>/download.<fmt>")
def download(layer_id: str, fmt: str) -> Response:
    store = get_store()
    store.layer(layer_id)  # 404 for an unknown layer, whatever else is wrong
    kind = export_format(fmt)
    crs = export_crs(request.args.get("crs"))
    kind.check_crs(crs)
    name = f"{layer_id}-{crs.param}{kind.extension}"
    return _serve(name, kind, lambda path: export(store, [layer_id], kind, crs, path))


@blueprint.get("/places/<place_id>/download.<fmt>")
def place_download(place_id: str, fmt: str) -> Response:
    store = get_store()
    record = store.place_record(place_id)  # 404 for an unknown place, whatever else is wrong
    kind = export_format(fmt)
    crs = export_crs(request.args.get("crs"))
    kind.check_crs(crs)
    if not record.get("geometry"):
        raise BadRequest(f"place {place_id!r} is not located, so there is nothing to download")
    name = f"place-{place_id}-{crs.param}{kind.extension}"
    return _serve(name, kind, lambda path: export_place(store, place_id, kind, crs, path))
