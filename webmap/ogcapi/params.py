"""OGC API – Features request parameters: what a request asks, checked before any work.

Content negotiation (`f` or the Accept header), the refusal of unknown and repeated parameters,
and the items query (limit, offset, bbox and bbox-crs, crs, property filters, q, datetime): every
bad value is a `geo.errors.BadRequest` (400) here, so an endpoint never fails half-way with a 500.
CRS values are URIs or `[EPSG:n]` safe CURIEs only (Part 2), through `layers.query.ogc_crs`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from geo.crs_names import CrsDef
from geo.errors import BadRequest
from layers.query import FeatureStore, bbox_geometry, ogc_crs

DEFAULT_LIMIT = 100
# Larger limits are clamped to this, as Part 1 asks (/req/core/fc-limit-response-1): not a 400.
MAX_LIMIT = 10_000

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

ITEMS_PARAMS = ("f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "q")


@dataclass(frozen=True)
class ApiRequest:
    """What an endpoint needs from an HTTP request, independent of the framework.

    `args` keeps every (name, value) pair in order so repeated parameters can be refused;
    `base_url` is the absolute URL of the API root (no trailing slash); `static_url` the root of
    the app's own static files, from which HTML pages load Leaflet (never a CDN).
    """

    base_url: str
    args: tuple[tuple[str, str], ...] = ()
    accept: str = ""
    static_url: str = "/static"

    def get(self, name: str) -> str | None:
        values = [v for k, v in self.args if k == name]
        if len(values) > 1:
            raise BadRequest(f"parameter {name!r} is given more than once")
        return values[0] if values else None

    def names(self) -> list[str]:
        return [k for k, _ in self.args]


# ---- content negotiation -----------------------------------------------------------------------

def output_format(req: ApiRequest) -> str:
    """"json" or "html": `f` wins; otherwise the Accept header's best match; JSON by default."""
    f = req.get("f")
    if f is not None:
        value = f.strip().lower()
        if value in {"json", "geojson", "application/json", GEOJSON}:
            return "json"
        if value in {"html", HTML}:
            return "html"
        raise BadRequest(f"f={f!r} is not offered; use f=json or f=html")
    best: tuple[float, int, str] | None = None
    for pos, part in enumerate(req.accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if media in {HTML, "application/xhtml+xml"}:
            kind = "html"
        elif media in {JSON, GEOJSON, SCHEMA, "application/*", "*/*"} or media.endswith("+json"):
            kind = "json"
        else:
            continue
        # ties go to the earlier entry; an explicit html/json beats a */* of the same weight
        key = (q, -pos if media != "*/*" else -10_000, kind)
        if q > 0 and (best is None or key > best):
            best = key
    return best[2] if best else "json"


def check_params(req: ApiRequest, allowed: Sequence[str]) -> None:
    unknown = sorted({n for n in req.names() if n not in allowed})
    if unknown:
        raise BadRequest(
            f"unknown parameter(s) {', '.join(unknown)}; this resource takes {', '.join(allowed)}"
        )
    for name in set(req.names()):
        req.get(name)  # refuses repeats


def years(props: dict) -> list[int]:
    raw = props.get("years")
    if raw is None:
        raw = [props["year"]] if props.get("year") is not None else []
    out = []
    for y in raw if isinstance(raw, list) else [raw]:
        try:
            out.append(int(y))
        except (TypeError, ValueError):
            continue
    return out


def _int_param(req: ApiRequest, name: str, default: int, minimum: int) -> int:
    raw = req.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadRequest(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    return value


def _floats(raw: str, name: str) -> list[float]:
    try:
        return [float(v) for v in raw.split(",")]
    except ValueError:
        raise BadRequest(f"{name} must be comma-separated numbers, not {raw!r}") from None


def _instant(text: str, end: bool) -> date | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    if "T" in text and " " in text:  # an unencoded "+08:00" arrives as " 08:00"
        text = text.replace(" ", "+")
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text.replace("z", "Z")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"datetime {text!r} is not an RFC 3339 date or date-time") from None


def _datetime_filter(raw: str) -> Callable[[dict], bool]:
    """Features carry plan years; a year counts as the whole calendar year it names."""
    if "/" in raw:
        a, b = raw.split("/", 1)
        start, end = _instant(a, False), _instant(b, True)
        if start is None and end is None:
            raise BadRequest("datetime: an interval needs at least one bound")
    else:
        start = end = _instant(raw, False)
        if start is None:
            raise BadRequest("datetime: empty")
    if start is not None and end is not None and start > end:
        raise BadRequest("datetime: the interval ends before it starts")
    lo = start.year if start is not None else -10_000
    hi = end.year if end is not None else 10_000

    def keep(props: dict) -> bool:
        return any(lo <= y <= hi for y in years(props))

    return keep


@dataclass(frozen=True)
class ItemsQuery:
    limit: int
    offset: int
    crs: CrsDef
    bbox: object | None
    filters: dict[str, list[str]]
    q: str | None
    keep: Callable[[dict], bool] | None


def parse_items_query(store: FeatureStore, req: ApiRequest) -> ItemsQuery:
    """Validate every items parameter up front, so a bad one is a 400 and never a 500."""
    allowed = (*ITEMS_PARAMS, *store.queryables)
    check_params(req, allowed)
    limit = min(_int_param(req, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int_param(req, "offset", 0, 0)
    crs = ogc_crs(req.get("crs"))
    bbox_crs_raw = req.get("bbox-crs")
    bbox_raw = req.get("bbox")
    if bbox_crs_raw is not None and bbox_raw is None:
        raise BadRequest("bbox-crs is given without bbox")
    bbox = None
    if bbox_raw is not None:
        bbox = bbox_geometry(_floats(bbox_raw, "bbox"), ogc_crs(bbox_crs_raw))
    filters = {
        name: store.queryables[name].parse(value)
        for name, value in req.args
        if name in store.queryables
    }
    q = req.get("q")
    dt = req.get("datetime")
    return ItemsQuery(
        limit=limit, offset=offset, crs=crs, bbox=bbox, filters=filters,
        q=q.strip() if q and q.strip() else None,
        keep=_datetime_filter(dt) if dt is not None else None,
    )
