"""`/figures/…`: the static map figures of layers.figures over HTTP, for reports and slides.

A thin adapter: query parameters become a FigureSpec (which validates them, as it does for
`planmap render`), the figure is rendered once per app, store version and request (the cache is
the app's, keyed on the store's content, never on an object's address), and served with an ETag
so a report generator or a browser that asks again gets a 304. Errors are JSON with a 4xx
status whatever the Accept header: the caller is usually an <img> tag or a script, never a
person reading an HTML error page.

Drawing is bounded: at most RENDER_WORKERS figures are drawn at once in a server process
(matplotlib draws one at a time per process anyway) and at most RENDER_QUEUE more wait, each for
at most RENDER_WAIT seconds; anything beyond is answered 503 with Retry-After at once. With
RENDER_IN = "process" (the default of `planmap serve --workers`) the drawing happens in
low-priority child processes (webmap.renderpool), so it does not hold the server's GIL. So a
burst of uncached figures (a unique title per request) costs the other routes at most the CPU
of the renders in progress, never their threads, and /healthz and the pages stay quick.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState

from geo.errors import BadRequest, PlanmapError
from layers import figures as render
from layers.protocol import PlanStore
from webmap.limits import did_work, free_when
from webmap.renderpool import ProcessRenderer
from webmap.sources import app_cache, get_store

blueprint = Blueprint("figures", __name__, url_prefix="/figures")

CACHE_ENTRIES = 48
RENDER_TIMEOUT_S = 120  # a figure that takes longer is abandoned (the child keeps drawing it)
_RENDERER_LOCK = threading.Lock()
_RENDERERS: weakref.WeakSet[ProcessRenderer] = weakref.WeakSet()


def shutdown_renderers() -> None:
    """Stop every render child of this process (gunicorn's worker_exit calls it)."""
    for renderer in list(_RENDERERS):
        renderer.shutdown()
CACHE_BYTES = 256 * 1024 * 1024
QUERY = ("paper", "landscape", "size", "dpi", "lang", "title", "bbox")


class _Cache:
    """Rendered figures by request: a figure takes about a second, a cache hit nothing."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, data: bytes) -> tuple[bytes, str]:
        entry = (data, hashlib.sha1(data).hexdigest()[:24])
        with self._lock:
            self._items[key] = entry
            while len(self._items) > CACHE_ENTRIES or (
                    len(self._items) > 1
                    and sum(len(d) for d, _ in self._items.values()) > CACHE_BYTES):
                self._items.popitem(last=False)
        return entry


class Busy(PlanmapError):
    """Every renderer is drawing and the queue is full: ask again shortly."""

    http_status = 503
    code = "ServiceBusy"
    retry_after = 5


class RenderGate:
    """At most `workers` renders at once and `queue` waiting; a request beyond that is refused
    at once, a waiting one gives up after `wait` seconds (both `Busy`)."""

    def __init__(self, workers: int, queue: int, wait: float) -> None:
        self.workers, self.queue, self.wait = workers, queue, wait
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._inside = 0  # drawing or waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._inside >= self.workers + self.queue:
                raise Busy("every figure renderer is busy; try again in a few seconds")
            self._inside += 1
        try:
            if not self._slots.acquire(timeout=self.wait):
                raise Busy("no figure renderer became free in time; try again shortly")
            try:
                yield
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._inside -= 1


def _gate() -> RenderGate:
    """This app's render gate, sized by its settings."""
    holder = app_cache("figures")
    gate = holder.get("gate")
    if gate is None:
        config = current_app.config
        gate = holder.setdefault("gate", RenderGate(
            config["RENDER_WORKERS"], config["RENDER_QUEUE"], config["RENDER_WAIT"]))
    return gate


def _renderer(app: Flask | None = None) -> ProcessRenderer | None:
    """This app's render children (RENDER_IN = "process" and STORE a `module:function`)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    if config["RENDER_IN"] != "process" or not isinstance(config["STORE"], str):
        return None
    holder = app_cache("figures", app)
    with _RENDERER_LOCK:
        renderer = holder.get("renderer")
        if renderer is None:
            renderer = holder["renderer"] = ProcessRenderer(config["STORE"],
                                                            config["RENDER_WORKERS"])
            weakref.finalize(app, renderer.shutdown)
            _RENDERERS.add(renderer)
    return renderer


@blueprint.record_once
def _start_renderer(state: BlueprintSetupState) -> None:
    """Start the render children with the app: their store takes seconds to build."""
    _renderer(cast(Flask, state.app))


def _draw(store: PlanStore, spec: render.FigureSpec) -> bytes:
    renderer = _renderer()
    if renderer is None:
        return render.render(store, spec).data
    try:
        return renderer.render(spec, timeout=RENDER_TIMEOUT_S)
    except FutureTimeout:
        raise Busy("the figure took too long to draw; try again shortly") from None
    except BrokenProcessPool:
        app_cache("figures").pop("renderer", None)  # a child died: start afresh next time
        raise Busy("the figure renderer restarted; try again shortly") from None


def _cache() -> _Cache:
    """This app's figure cache."""
    holder = app_cache("figures")
    cache = holder.get("cache")
    if cache is None:
        cache = holder.setdefault("cache", _Cache())
    return cache


def spec_from_query(args: Any, fmt: str, **what: Any) -> render.FigureSpec:
    unknown = sorted(set(args) - set(QUERY))
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(unknown)} "
                         f"(known: {', '.join(QUERY)})")
    dpi_raw = args.get("dpi")
    try:
        dpi = int(dpi_raw) if dpi_raw is not None else render.DPI_DEFAULT
    except ValueError:
        raise BadRequest(f"dpi must be an integer, not {dpi_raw!r}") from None
    landscape_raw = (args.get("landscape") or "0").lower()
    if landscape_raw not in {"0", "1", "true", "false", "yes", "no"}:
        raise BadRequest("landscape must be 1 or 0")
    paper = args.get("paper") or None
    return render.FigureSpec(
        fmt=fmt,
        paper=paper.upper() if paper else None,
        landscape=landscape_raw in {"1", "true", "yes"},
        size=render.parse_size(args["size"]) if args.get("size") else None,
        dpi=dpi,
        title=args.get("title") or None,
        lang=args.get("lang") or "zh",
        bbox=render.parse_bbox(args["bbox"]) if args.get("bbox") else None,
        **what,
    )


def _cached_now() -> bool:
    """Is the figure this request asks for already drawn? (then it is free: webmap.limits)"""
    args = request.view_args or {}
    try:
        fmt = _fmt(args.get("fmt", ""))
        if request.endpoint == "figures.layers_figure":
            what: dict[str, Any] = {"layers": tuple(x for x in args["ids"].split(",") if x)}
        elif request.endpoint == "figures.place_figure":
            what = {"place": args["place_id"]}
        else:
            what = {"plan": args["plan_id"]}
        spec = spec_from_query(request.args, fmt, **what)
    except (PlanmapError, KeyError):
        return False
    return _cache().get((get_store().version, spec.key())) is not None


for _endpoint in ("layers_figure", "place_figure", "plan_figure"):
    free_when(f"figures.{_endpoint}", _cached_now)


def _serve(spec: render.FigureSpec, filename: str) -> Response:
    store = get_store()
    cache = _cache()
    key = (store.version, spec.key())
    entry = cache.get(key)
    if entry is None:
        with _gate().slot():
            entry = cache.get(key)  # drawn by another request while this one waited?
            if entry is None:
                entry = cache.put(key, _draw(store, spec))
                did_work()  # counts against the client's RATE_LIMIT_RENDER
    data, etag = entry
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": f"public, max-age={current_app.config['CACHE_MAX_AGE']}",
        "Content-Disposition": f'inline; filename="{filename}.{spec.fmt}"',
    }
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(data, mimetype=render.FORMATS[spec.fmt], headers=headers)


def _fmt(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in render.FORMATS:
        raise BadRequest(f"figures are {', '.join(render.FORMATS)}, not {fmt!r}")
    return fmt


@blueprint.get("/layers/<ids>.<fmt>")
def layers_figure(ids: str, fmt: str):
    layer_ids = tuple(x for x in ids.split(",") if x)
    store = get_store()
    known = set(store.layer_ids())
    unknown = [x for x in layer_ids if x not in known]
    if unknown:  # a list of ids is a parameter: a bad one is a 400, like the atlas's layers=
        raise BadRequest(f"unknown layer id(s): {', '.join(unknown)}")
    spec = spec_from_query(request.args, _fmt(fmt), layers=layer_ids)
    return _serve(spec, "-".join(layer_ids)[:80] or "figure")


@blueprint.get("/places/<place_id>.<fmt>")
def place_figure(place_id: str, fmt: str):
    spec = spec_from_query(request.args, _fmt(fmt), place=place_id)
    get_store().place_record(place_id)  # NotFound (404) before rendering
    return _serve(spec, place_id)


@blueprint.get("/plans/<plan_id>.<fmt>")
def plan_figure(plan_id: str, fmt: str):
    spec = spec_from_query(request.args, _fmt(fmt), plan=plan_id)
    get_store().plan(plan_id)  # NotFound (404) before rendering
    return _serve(spec, plan_id)


@blueprint.get("")
def limits():
    """What the figure routes accept, so a script can check before it asks."""
    return jsonify(
        formats=render.FORMATS,
        papers={k: {"width_mm": w, "height_mm": h} for k, (w, h) in render.PAPERS_MM.items()},
        default="A4 landscape, 150 dpi",
        dpi={"min": render.DPI_MIN, "max": render.DPI_MAX, "default": render.DPI_DEFAULT},
        size_px={"min": render.SIDE_MIN_PX, "max": render.SIDE_MAX_PX},
        max_pixels=render.MAX_PIXELS,
        max_layers=render.MAX_LAYERS,
        parameters=list(QUERY),
        examples=_examples(get_store()),
    )


def _examples(store: PlanStore) -> list[str]:
    """One request of each kind, on this store's own layers, places and plans."""
    out = []
    layer = next((la for la in store.layers if la.group != "plan" and store.member_ids(la.id)),
                 None)
    if layer is not None:
        out.append(url_for("figures.layers_figure", ids=layer.id, fmt="pdf", paper="A4"))
        out.append(url_for("figures.place_figure", place_id=store.member_ids(layer.id)[0],
                           fmt="png", dpi=200))
    plans = store.plans()
    if plans:
        out.append(url_for("figures.plan_figure", plan_id=plans[0].id, fmt="svg"))
    return out


@blueprint.errorhandler(PlanmapError)
def _error(exc: PlanmapError):
    resp = jsonify(code=exc.code, description=exc.message, status=exc.http_status)
    resp.status_code = exc.http_status
    if isinstance(exc, Busy):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp
