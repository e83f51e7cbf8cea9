"""Layer and place downloads: every format × CRS that layers.export writes, served as files.

layers.export owns the writing (GDAL through pyogrio), the list of formats (its registry) and the
refusals (KML in metres); geo.crs_names owns the CRS spellings, so `?crs=` takes whatever
`planmap export --crs` takes. This module lists the combinations for the layer page, writes each
(layer, format, CRS) once into the app's cache folder and serves it with its media type.

The cache folder belongs to the app: it is removed when the app is garbage-collected or, at the
latest, when the process exits; its name carries the process id, so the folders of a killed
server are removed by the next one. Each file has its own lock, so one slow GeoPackage does not
hold up another layer's CSV; export() writes beside the file, syncs and renames (geo.atomic), so
a file in the cache is always whole. A write that fails (a full disk) leaves nothing in the
cache and is answered 507 (disk full) or 503 in JSON with Retry-After, never with a cut file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_file, url_for
from flask.blueprints import BlueprintSetupState

from geo import atomic
from geo.errors import BadRequest, PlanmapError
from layers.export import ExportFormat, export, export_crs, export_format, offered, output_suffix
from layers.export.single import PlaceView
from layers.protocol import PlanStore
from webmap.limits import did_work, free_when
from webmap.sources import get_store

log = logging.getLogger(__name__)
blueprint = Blueprint("downloads", __name__)
_EXTENSION = "planmap.downloads"
PREFIX = "planmap-downloads-"
RETRY_AFTER_S = 60


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
                root = Path(tempfile.gettempdir())
                atomic.clean_stale(root, PREFIX)  # folders of servers that were killed
                try:
                    self._folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-",
                                                         dir=root))
                except OSError as exc:
                    raise atomic.write_error(exc, root / PREFIX) from None
            return self._folder

    def lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def remove(self) -> None:
        with self._guard:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None


_CACHES: weakref.WeakSet[DownloadCache] = weakref.WeakSet()


def remove_all() -> None:
    """Remove the cache folder of every app of this process (gunicorn's worker_exit calls it:
    a worker may end without running the interpreter's exit handlers)."""
    for cache in list(_CACHES):
        cache.remove()


@blueprint.record_once
def _install_cache(state: BlueprintSetupState) -> None:
    cache = DownloadCache()
    _CACHES.add(cache)
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


def _target(store: PlanStore, layer_id: str, kind: ExportFormat, crs_param: str | None,
            name_stem: str) -> tuple[Path, str]:
    """Where the app's cache keeps one layer of `store` in one format and CRS, and the name the
    download is given. The cache name carries the data version (an approved correction makes a
    new file) and the site address that `detail_url` points back at (the BASE_URL setting, else
    the address asked); the download name says what the file is (`parks-4548.gpkg`,
    `parks-gcj02-amap-overlay.gpkg`, `parks.qml`)."""
    crs = export_crs(crs_param)
    kind.check_crs(crs)
    suffix = output_suffix(store, [layer_id], kind, crs)
    tag = "" if kind.style_only else f"-{crs.file_tag}"
    name = f"{name_stem}{tag}{suffix}"
    site = hashlib.sha1(_base_url().encode()).hexdigest()[:8]
    return cache_of(current_app).folder / f"{store.version}-{site}-{name}", name


def _base_url() -> str:
    return current_app.config.get("BASE_URL") or request.host_url


def _serve(store: PlanStore, layer_id: str, kind: ExportFormat, crs_param: str | None,
           name_stem: str) -> Response:
    """Write one layer of `store` into the app's cache once (under its lock), then send it."""
    path, name = _target(store, layer_id, kind, crs_param, name_stem)
    crs = export_crs(crs_param)
    with cache_of(current_app).lock(path.name):
        if not path.exists():
            export(store, [layer_id], kind, crs, path, base_url=_base_url())
            did_work()  # counts against the client's RATE_LIMIT_DOWNLOAD
    media = "application/zip" if path.suffix == ".zip" else kind.media_type
    return send_file(path, mimetype=media, as_attachment=True, download_name=name,
                     max_age=current_app.config["CACHE_MAX_AGE"])


def _cached_now() -> bool:
    """Is the file this request asks for already written? (then it is free: webmap.limits)"""
    args = request.view_args or {}
    store = get_store()
    try:
        kind = export_format(args["fmt"])
        if "place_id" in args:
            view = PlaceView(store, args["place_id"])
            path, _ = _target(view, view.layer_id, kind, request.args.get("crs"),
                              f"place-{args['place_id']}")
        else:
            store.layer(args["layer_id"])
            path, _ = _target(store, args["layer_id"], kind, request.args.get("crs"),
                              args["layer_id"])
    except (PlanmapError, KeyError):
        return False
    return path.exists()


free_when("downloads.download", _cached_now)
free_when("downloads.place_download", _cached_now)


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


@blueprint.errorhandler(atomic.WriteFailed)
def _write_failed(exc: atomic.WriteFailed) -> Response:
    """The file could not be written: nothing was cached, the client may try again later. The
    log has the path; the answer does not show the server's folders."""
    log.error("download not written: %s", exc.message)
    words = "the server's disk is full" if exc.disk_full else "the server could not write it"
    resp = jsonify(code=exc.code, description=f"download not available now: {words}; "
                   "try again later", status=exc.http_status)
    resp.status_code = exc.http_status
    resp.headers["Retry-After"] = str(RETRY_AFTER_S)
    return resp
