"""OGC API – Features (Part 1 Core, Part 2 CRS) without a web framework.

Every endpoint is a function `(catalog, ApiRequest, …) -> (status, headers, body)`, as in
pygeoapi's API class; its parameters are checked in `webmap.ogcapi.params`. The Flask blueprint
only translates requests and responses, and the same functions could sit behind any other server.
Errors are `geo.errors` exceptions carrying their HTTP status; `respond` turns them into the
`{"code", "description"}` body the standard asks for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from geo.crs_names import CRS84, CrsDef
from geo.errors import NotFound, PlanmapError
from layers.query import OGC_CRS_URIS, FeatureStore, ogc_crs
from webmap.ogcapi.catalog import Catalog, Collection
from webmap.ogcapi.params import (
    DEFAULT_LIMIT,
    GEOJSON,
    HTML,
    ITEMS_PARAMS,
    JSON,
    MAX_LIMIT,
    OPENAPI,
    SCHEMA,
    ApiRequest,
    check_params,
    output_format,
    parse_items_query,
    years,
)

CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "ogcapi"

Response = tuple[int, dict[str, str], bytes]


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
    check_params(req, ("f",))
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
    check_params(req, ("f",))
    doc = {"conformsTo": list(CONFORMANCE)}
    if output_format(req) == "html":
        return _html("conformance.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), JSON)


def _temporal(store: FeatureStore) -> list[str | None] | None:
    found = [y for p in store.properties for y in years(p)]
    if not found:
        return None
    return [f"{min(found)}-01-01T00:00:00Z", f"{max(found)}-12-31T23:59:59Z"]


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
    check_params(req, ("f",))
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
    check_params(req, ("f",))
    fmt = output_format(req)
    doc = _collection_doc(req, coll, fmt)
    if fmt == "html":
        store = coll.store()
        return _html("collection.html", req, catalog, doc=doc, count=len(store),
                     queryables=list(store.queryables.values()))
    return _ok(_json_body(doc), JSON)


def queryables(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    coll = catalog.get(collection_id)
    check_params(req, ("f",))
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
    check_params(req, ("f", "crs"))
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

    check_params(req, ("f",))
    doc = openapi_document(catalog, req.base_url)
    if output_format(req) == "html":
        return _html("api.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), OPENAPI)


__all__ = [
    "DEFAULT_LIMIT", "GEOJSON", "HTML", "ITEMS_PARAMS", "JSON", "MAX_LIMIT", "OPENAPI", "SCHEMA",
    "ApiRequest", "NotFound", "PlanmapError", "api", "collection", "collections", "conformance",
    "error_response", "item", "items", "landing", "queryables", "respond",
]
