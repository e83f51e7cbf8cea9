"""OGC API – Features (Part 1 Core, Part 2 CRS) without a web framework.

Every endpoint is a function `(catalog, ApiRequest, …) -> (status, headers, body)`, as in
pygeoapi's API class: the Flask blueprint only translates requests and responses, and the same
functions could sit behind any other server. Errors are `geo.errors` exceptions carrying their
HTTP status; `respond` turns them into the `{"code", "description"}` body the standard asks for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from geo.crs_names import CRS84, CrsDef
from geo.errors import BadRequest, NotFound, PlanmapError
from layers.query import OGC_CRS_URIS, FeatureStore, bbox_geometry, ogc_crs
from webmap.ogcapi.catalog import Catalog, Collection

DEFAULT_LIMIT = 100
# Larger limits are clamped to this, as Part 1 asks (/req/core/fc-limit-response-1): not a 400.
MAX_LIMIT = 10_000

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
)

ITEMS_PARAMS = ("f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "q")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "ogcapi"

Response = tuple[int, dict[str, str], bytes]


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


# ---- responses ---------------------------------------------------------------------------------

def _json_body(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _ok(body: bytes, media: str, extra: dict[str, str] | None = None) -> Response:
    ctype = media if media == OPENAPI or "charset" in media else f"{media}; charset=utf-8"
    headers = {"Content-Type": ctype}
    headers.update(extra or {})
    return 200, headers, body


def error_response(exc: PlanmapError) -> Response:
    status = exc.http_status
    body = _json_body({"code": exc.code, "description": exc.message})
    return status, {"Content-Type": "application/json; charset=utf-8"}, body


def respond(handler: Callable[..., Response], *args: object) -> Response:
    """Run an endpoint; a PlanmapError becomes its JSON error response, never a traceback."""
    try:
        return handler(*args)
    except PlanmapError as exc:
        return error_response(exc)


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


def _check_params(req: ApiRequest, allowed: Sequence[str]) -> None:
    unknown = sorted({n for n in req.names() if n not in allowed})
    if unknown:
        raise BadRequest(
            f"unknown parameter(s) {', '.join(unknown)}; this resource takes {', '.join(allowed)}"
        )
    for name in set(req.names()):
        req.get(name)  # refuses repeats


# ---- HTML --------------------------------------------------------------------------------------

_ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _html(template: str, req: ApiRequest, catalog: Catalog, **context: object) -> Response:
    body = _ENV.get_template(template).render(
        base_url=req.base_url, static_url=req.static_url.rstrip("/"), catalog=catalog, **context
    )
    return _ok(body.encode("utf-8"), HTML)


# ---- links -------------------------------------------------------------------------------------

def _link(href: str, rel: str, media: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media, "title": title}


def _url(req: ApiRequest, path: str, **params: str) -> str:
    query = urlencode(params) if params else ""
    return f"{req.base_url}{path}" + (f"?{query}" if query else "")


def _self_links(req: ApiRequest, path: str, fmt: str, json_media: str, what: str) -> list[dict]:
    json_link = _link(_url(req, path, f="json"), "self" if fmt == "json" else "alternate",
                      json_media, f"{what} as JSON")
    html_link = _link(_url(req, path, f="html"), "self" if fmt == "html" else "alternate",
                      HTML, f"{what} as HTML")
    return [json_link, html_link] if fmt == "json" else [html_link, json_link]


# ---- endpoints ---------------------------------------------------------------------------------

def landing(catalog: Catalog, req: ApiRequest) -> Response:
    _check_params(req, ("f",))
    fmt = output_format(req)
    doc = {
        "title": catalog.title,
        "description": catalog.description,
        "links": [
            *_self_links(req, "/", fmt, JSON, "this page"),
            _link(_url(req, "/api", f="json"), "service-desc", OPENAPI, "the API definition"),
            _link(_url(req, "/api", f="html"), "service-doc", HTML, "the API documentation"),
            _link(_url(req, "/conformance", f="json"), "conformance", JSON,
                  "conformance classes implemented"),
            _link(_url(req, "/collections", f="json"), "data", JSON, "the collections"),
        ],
    }
    if fmt == "html":
        return _html("landing.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), JSON)


def conformance(catalog: Catalog, req: ApiRequest) -> Response:
    _check_params(req, ("f",))
    doc = {"conformsTo": list(CONFORMANCE)}
    if output_format(req) == "html":
        return _html("conformance.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), JSON)


def _temporal(store: FeatureStore) -> list[str | None] | None:
    years = [y for p in store.properties for y in _years(p)]
    if not years:
        return None
    return [f"{min(years)}-01-01T00:00:00Z", f"{max(years)}-12-31T23:59:59Z"]


def _years(props: dict) -> list[int]:
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


def _collection_doc(req: ApiRequest, coll: Collection, fmt: str = "json") -> dict:
    store = coll.store()
    path = f"/collections/{coll.id}"
    extent: dict[str, object] = {}
    bounds = store.bounds()
    if bounds is not None:
        extent["spatial"] = {"bbox": [list(bounds)], "crs": CRS84.uri}
    temporal = store.memo("temporal", lambda: _temporal(store))
    if temporal is not None:
        extent["temporal"] = {
            "interval": [temporal],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    doc: dict[str, object] = {
        "id": coll.id,
        "title": coll.title,
        "description": coll.description,
        "keywords": list(coll.keywords),
        "itemType": "feature",
        "crs": list(OGC_CRS_URIS),
        "storageCrs": CRS84.uri,
        "links": [
            *_self_links(req, path, fmt, JSON, "this collection"),
            _link(_url(req, f"{path}/items", f="json"), "items", GEOJSON, "the features"),
            _link(_url(req, f"{path}/items", f="html"), "items", HTML, "the features as HTML"),
            _link(_url(req, f"{path}/queryables", f="json"),
                  "http://www.opengis.net/def/rel/ogc/1.0/queryables", SCHEMA,
                  "the properties one can filter on"),
        ],
    }
    if extent:
        doc["extent"] = extent
    return doc


def collections(catalog: Catalog, req: ApiRequest) -> Response:
    _check_params(req, ("f",))
    fmt = output_format(req)
    docs = [_collection_doc(req, c) for c in catalog.collections.values()]
    doc = {
        "links": _self_links(req, "/collections", fmt, JSON, "the collections"),
        "collections": docs,
        "crs": list(OGC_CRS_URIS),
    }
    if fmt == "html":
        return _html("collections.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), JSON)


def collection(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    coll = catalog.get(collection_id)
    _check_params(req, ("f",))
    fmt = output_format(req)
    doc = _collection_doc(req, coll, fmt)
    if fmt == "html":
        store = coll.store()
        return _html("collection.html", req, catalog, doc=doc, count=len(store),
                     queryables=list(store.queryables.values()))
    return _ok(_json_body(doc), JSON)


def queryables(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    coll = catalog.get(collection_id)
    _check_params(req, ("f",))
    store = coll.store()
    props: dict[str, object] = {
        "geometry": {
            "title": "geometry", "format": "geometry-any", "x-ogc-role": "primary-geometry"
        }
    }
    for q in store.queryables.values():
        schema: dict[str, object] = {"title": q.title or q.name, "type": q.type}
        if q.description:
            schema["description"] = q.description
        if q.enum:
            schema["enum"] = list(q.enum)
        props[q.name] = schema
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _url(req, f"/collections/{coll.id}/queryables"),
        "type": "object",
        "title": coll.title,
        "properties": props,
        "additionalProperties": False,
    }
    if output_format(req) == "html":
        return _html("queryables.html", req, catalog, doc=doc, collection=coll)
    return _ok(_json_body(doc), SCHEMA)


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
        return any(lo <= y <= hi for y in _years(props))

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
    _check_params(req, allowed)
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


def _crs_header(crs: CrsDef) -> dict[str, str]:
    return {"Content-Crs": f"<{crs.uri}>"}


def items(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    coll = catalog.get(collection_id)
    store = coll.store()
    fmt = output_format(req)
    query = parse_items_query(store, req)
    selected = store.select(bbox=query.bbox, filters=query.filters, q=query.q, keep=query.keep)
    page = store.page(selected, query.offset, query.limit)
    path = f"/collections/{coll.id}/items"
    keep_args = [(k, v) for k, v in req.args if k not in ("f", "offset", "limit")]

    def page_url(offset: int, f: str) -> str:
        params = [*keep_args, ("limit", str(query.limit)), ("offset", str(offset)), ("f", f)]
        return f"{req.base_url}{path}?{urlencode(params)}"

    returned = len(page.indices)
    links = [
        _link(page_url(query.offset, "json"), "self" if fmt == "json" else "alternate",
              GEOJSON, "this page as GeoJSON"),
        _link(page_url(query.offset, "html"), "self" if fmt == "html" else "alternate",
              HTML, "this page as HTML"),
        _link(_url(req, f"/collections/{coll.id}", f="json"), "collection", JSON,
              "the collection"),
    ]
    if query.offset + returned < page.number_matched:
        links.append(_link(page_url(query.offset + query.limit, fmt), "next",
                           GEOJSON if fmt == "json" else HTML, "next page"))
    if query.offset > 0:
        links.append(_link(page_url(max(0, query.offset - query.limit), fmt), "prev",
                           GEOJSON if fmt == "json" else HTML, "previous page"))
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "html":
        # The HTML map draws on Leaflet's lon/lat, whatever crs the JSON links carry.
        feats = [json.loads(b) for b in store.features_json(page.indices, CRS84)]
        return _html(
            "items.html", req, catalog, collection=coll, features=feats, links=links,
            map_features=[_map_feature(f) for f in feats],
            number_matched=page.number_matched, number_returned=returned,
            offset=query.offset, limit=query.limit,
            queryables=list(store.queryables.values()),
        )
    rest = {
        "numberMatched": page.number_matched,
        "numberReturned": returned,
        "timeStamp": stamp,
        "links": links,
    }
    body = b"".join((
        b'{"type":"FeatureCollection","features":[',
        b",".join(store.features_json(page.indices, query.crs)),
        b"],",
        json.dumps(rest, ensure_ascii=False, separators=(",", ":"))[1:].encode("utf-8"),
    ))
    return _ok(body, GEOJSON, _crs_header(query.crs))


def _map_feature(feature: dict) -> dict:
    """What the HTML map needs of a feature (not its passages: those can be long)."""
    name = (feature.get("properties") or {}).get("name")
    return {"type": "Feature", "id": feature["id"], "geometry": feature["geometry"],
            "properties": {"name": name}}


def item(catalog: Catalog, req: ApiRequest, collection_id: str, feature_id: str) -> Response:
    coll = catalog.get(collection_id)
    store = coll.store()
    _check_params(req, ("f", "crs"))
    fmt = output_format(req)
    index = store.index_of(feature_id)
    if index is None:
        raise NotFound(f"no feature {feature_id!r} in collection {collection_id!r}")
    crs = ogc_crs(req.get("crs"))
    path = f"/collections/{coll.id}/items/{quote(feature_id, safe='')}"
    links = [
        *_self_links(req, path, fmt, GEOJSON, "this feature"),
        _link(_url(req, f"/collections/{coll.id}", f="json"), "collection", JSON,
              "the collection"),
    ]
    if fmt == "html":
        feature = store.feature(index, CRS84)
        return _html("item.html", req, catalog, collection=coll, feature=feature, links=links,
                     map_features=[_map_feature(feature)])
    text = store.feature_json(index, crs)
    body = text[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}"
    return _ok(body.encode("utf-8"), GEOJSON, _crs_header(crs))



def api(catalog: Catalog, req: ApiRequest) -> Response:
    from webmap.ogcapi.openapi import openapi_document

    _check_params(req, ("f",))
    doc = openapi_document(catalog, req.base_url)
    if output_format(req) == "html":
        return _html("api.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), OPENAPI)
