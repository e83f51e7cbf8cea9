"""OGC API – Features request parameters: what a request asks, checked before any work.

Content negotiation (`f` or the Accept header), the refusal of unknown and repeated parameters,
and the items query (limit, offset, bbox and bbox-crs, crs, property filters, q, datetime,
properties, sortby, and the CQL2 filter of Part 3 through layers.cql): every
bad value is a `geo.errors.BadRequest` (400) here, so an endpoint never fails half-way with a 500.
CRS values are URIs or `[EPSG:n]` safe CURIEs only (Part 2), through `layers.query.ogc_crs`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from dateutil.relativedelta import relativedelta

from geo.crs_names import CrsDef
from geo.errors import BadRequest
from layers.cql import filter_mask, parse_filter
from layers.query import FeatureStore, bbox_geometry, ogc_crs

DEFAULT_LIMIT = 100
# Larger limits are clamped to this, as Part 1 asks (/req/core/fc-limit-response-1): not a 400.
MAX_LIMIT = 10_000

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

ITEMS_PARAMS = ("f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "q", "properties",
                "sortby", "filter", "filter-lang", "filter-crs")


@dataclass(frozen=True)
class ApiRequest:
    """What an endpoint needs from an HTTP request, independent of the framework.

    `args` keeps every (name, value) pair in order so repeated parameters can be refused;
    `base_url` is the absolute URL of the API root (no trailing slash); `static_url` the root of
    the app's own static files, from which HTML pages load Leaflet (never a CDN); `site_url`
    the absolute root of the whole site, to which a place's `detail_url` points.
    """

    base_url: str
    args: tuple[tuple[str, str], ...] = ()
    accept: str = ""
    static_url: str = "/static"
    # The site's absolute root (BASE_URL, else the request's host): features' `detail_url`.
    site_url: str = ""

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


def _instant(text: str, end: bool) -> datetime | None:
    """An RFC 3339 bound as an aware UTC datetime: a date stands for its whole day (its start,
    or the start of the next day for an end bound), an offset is honoured, no offset is UTC."""
    text = text.strip()
    if text in ("", ".."):
        return None
    if "T" in text.upper() and " " in text:  # an unencoded "+08:00" arrives as " 08:00"
        text = text.replace(" ", "+")
    try:
        if "T" in text.upper():
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"datetime {text!r} is not an RFC 3339 date or date-time") from None
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?")


def _duration(text: str) -> relativedelta | None:
    """An ISO 8601 duration (`P2D`, `P1M6DT12H31M12S`), which Part 1's examples allow as one
    side of an interval; None when `text` is not one."""
    m = _DURATION.fullmatch(text.strip().upper())
    if m is None or not any(m.groupdict().values()) or text.strip().upper().endswith("T"):
        return None
    parts = {k: float(v) for k, v in m.groupdict().items() if v}
    return relativedelta(years=int(parts.get("years", 0)), months=int(parts.get("months", 0)),
                         weeks=int(parts.get("weeks", 0)), days=int(parts.get("days", 0)),
                         hours=int(parts.get("hours", 0)), minutes=int(parts.get("minutes", 0)),
                         seconds=parts.get("seconds", 0.0))


def _interval(a: str, b: str) -> tuple[datetime | None, datetime | None, bool]:
    """(start, end, end is inclusive) of `a/b`; either side may be a duration from the other."""
    da, db = _duration(a), _duration(b)
    if da is not None and db is not None:
        raise BadRequest("datetime: an interval cannot be two durations")
    try:
        if db is not None:
            start = _instant(a, False)
            if start is None:
                raise BadRequest("datetime: a duration needs a start")
            return start, start + db, True
        if da is not None:
            end = _instant(b, True)
            if end is None:
                raise BadRequest("datetime: a duration needs an end")
            return end - da, end, "T" in b.upper()
    except (OverflowError, ValueError):
        raise BadRequest("datetime: the duration leaves the calendar") from None
    closed_end = b.strip() not in ("", "..") and "T" in b.upper()
    return _instant(a, False), _instant(b, True), closed_end


def _datetime_filter(raw: str) -> Callable[[dict], bool]:
    """Features carry plan years, each the calendar year [1 Jan 00:00Z, next 1 Jan 00:00Z);
    a feature matches when one of its years meets the instant or interval asked for. A feature
    with no year has no temporal extent and is kept, as /req/core/fc-time-response says (like a
    feature without geometry under bbox)."""
    if "/" in raw:
        a, b = raw.split("/", 1)
        start, end, closed_end = _interval(a, b)
        if start is None and end is None:
            raise BadRequest("datetime: an interval needs at least one bound")
    else:
        start = _instant(raw, False)
        if start is None:
            raise BadRequest("datetime: empty")
        date_only = "T" not in raw.upper()
        end = _instant(raw, True) if date_only else start
        closed_end = not date_only
    if start is not None and end is not None and start > end:
        raise BadRequest("datetime: the interval ends before it starts")

    def meets(year: int) -> bool:
        y0 = datetime(year, 1, 1, tzinfo=UTC)
        y1 = datetime(year + 1, 1, 1, tzinfo=UTC)
        if start is not None and y1 <= start:
            return False
        return end is None or (y0 <= end if closed_end else y0 < end)

    def keep(props: dict) -> bool:
        found = [y for y in years(props) if 1 <= y <= 9998]
        return not found or any(meets(y) for y in found)

    return keep


def _sortby(raw: str, store: FeatureStore) -> list[tuple[str, bool]]:
    """`sortby=+name,-year`: queryables (or id), ascending unless prefixed with `-`."""
    keys: list[tuple[str, bool]] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            raise BadRequest("sortby: an empty sort key")
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        if name != "id" and name not in store.queryables:
            raise BadRequest(f"sortby: {name!r} is not sortable here; use id or one of "
                             f"{', '.join(store.queryables)}")
        keys.append((name, descending))
    return keys


def _properties(raw: str, store: FeatureStore) -> list[str]:
    """`properties=name,kind`: the feature properties to return (an empty value: none)."""
    names = [n.strip() for n in raw.split(",") if n.strip()]
    known = store.property_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BadRequest(f"properties: no property {', '.join(map(repr, unknown))} here; "
                         f"features carry {', '.join(known)}")
    return names


@dataclass(frozen=True)
class ItemsQuery:
    limit: int
    offset: int
    crs: CrsDef
    bbox: object | None
    filters: dict[str, list[str]]
    q: str | None
    keep: Callable[[dict], bool] | None
    mask: np.ndarray | None = None
    properties: list[str] | None = None
    sortby: tuple[tuple[str, bool], ...] = ()


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
    props = req.get("properties")
    sortby = req.get("sortby")
    text, lang, filter_crs = req.get("filter"), req.get("filter-lang"), req.get("filter-crs")
    if text is None and (lang is not None or filter_crs is not None):
        raise BadRequest("filter-lang and filter-crs need a filter")
    mask = None
    if text is not None:
        lang = (lang or "cql2-text").strip()
        mask = filter_mask(store, parse_filter(text, lang), ogc_crs(filter_crs), lang)
    return ItemsQuery(
        limit=limit, offset=offset, crs=crs, bbox=bbox, filters=filters,
        q=q.strip() if q and q.strip() else None,
        keep=_datetime_filter(dt) if dt is not None else None,
        mask=mask,
        properties=_properties(props, store) if props is not None else None,
        sortby=tuple(_sortby(sortby, store)) if sortby is not None else (),
    )
