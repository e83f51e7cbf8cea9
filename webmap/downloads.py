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

import hashlib
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, send_file, url_for
from flask.blueprints import BlueprintSetupState

from geo.errors import BadRequest
from layers.export import ExportFormat, export, export_crs, export_format, offered, output_suffix
from layers.export.single import PlaceView
from layers.protocol import PlanStore
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
            "url": (url_for("downloads.download", layer_id=layer_id, fmt=fmt.id)
                    if fmt.style_only else
                    url_for("downloads.download", layer_id=layer_id, fmt=fmt.id,
                            crs=crs.param)),
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


def _serve(store: PlanStore, layer_id: str, kind: ExportFormat, crs_param: str | None,
           name_stem: str) -> Response:
    """Write one layer of `store` into the app's cache once (under its lock), then send it.

    The cache name carries the data version (an approved correction makes a new file) and the
    site address that `detail_url` points back at (the BASE_URL setting, else the address
    asked); the download name says what the file is (`parks-4548.gpkg`,
    `parks-gcj02-amap-overlay.gpkg`, `parks.qml`)."""
    crs = export_crs(crs_param)
    kind.check_crs(crs)
    base_url = current_app.config.get("BASE_URL") or request.host_url
    suffix = output_suffix(store, [layer_id], kind, crs)
    tag = "" if kind.style_only else f"-{crs.file_tag}"
    name = f"{name_stem}{tag}{suffix}"
    cache = cache_of(current_app)
    site = hashlib.sha1(base_url.encode()).hexdigest()[:8]
    path = cache.folder / f"{store.version}-{site}-{name}"
    with cache.lock(path.name):
        if not path.exists():
            export(store, [layer_id], kind, crs, path, base_url=base_url)
    media = "application/zip" if suffix == ".zip" else kind.media_type
    return send_file(path, mimetype=media, as_attachment=True, download_name=name,
                     max_age=current_app.config["CACHE_MAX_AGE"])


@blueprint.get("/layers/<layer_id>/download.<fmt>")
def download(layer_id: str, fmt: str) -> Response:
    store = get_store()
    store.layer(layer_id)  # 404 for an unknown layer, whatever else is wrong
    kind = export_format(fmt)
    return _serve(store, layer_id, kind, request.args.get("crs"), layer_id)


@blueprint.get("/places/<place_id>/download.<fmt>")
def place_download(place_id: str, fmt: str) -> Response:
    store = get_store()
    record = store.place_record(place_id)  # 404 for an unknown place, whatever else is wrong
    kind = export_format(fmt)
    export_crs(request.args.get("crs"))  # a bad crs is a 400 before "not located"
    if not record.get("geometry"):
        raise BadRequest(f"place {place_id!r} is not located, so there is nothing to download")
    view = PlaceView(store, place_id)
    return _serve(view, view.layer_id, kind, request.args.get("crs"), f"place-{place_id}")
