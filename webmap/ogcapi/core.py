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
from layers.families import SCHEMA_FORMATS
from layers.feature_schema import property_types
from layers.query import OGC_CRS_URIS, FeatureStore, Queryable, ogc_crs
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
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/returnables-and-receivables",
)
SCHEMA_REL = "http://www.opengis.net/def/rel/ogc/1.0/schema"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "ogcapi"

Response = tuple[int, dict[str, str], bytes]


class MethodNotAllowed(PlanmapError):
    """A write to this read-only API; the answer carries `Allow`."""

    http_status = 405
    code = "MethodNotAllowed"


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
    doc = {"conformsTo": [*CONFORMANCE, *catalog.conformance]}
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
        # The one geometry type of every feature (layers.families), as GeoJSON names it; the
        # schema link (Part 5) says the same as `format: geometry-…` on its primary geometry.
        "geometryType": store.geometry_type,
        "crs": list(OGC_CRS_URIS),
        "storageCrs": CRS84.uri,
        "links": [
            *_self_links(req, path, fmt, JSON, "this collection"),
            _link(_url(req, f"{path}/items", f="json"), "items", GEOJSON, "the features"),
            _link(_url(req, f"{path}/items", f="html"), "items", HTML, "the features as HTML"),
            _link(_url(req, f"{path}/queryables", f="json"), QUERYABLES_REL, SCHEMA,
                  "the properties one can filter on"),
            _link(_url(req, f"{path}/schema", f="json"), SCHEMA_REL, SCHEMA,
                  "the schema of the features"),
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


def _geometry_schema(store: FeatureStore) -> dict[str, object]:
    fmt = SCHEMA_FORMATS.get(store.geometry_type or "", "geometry-any")
    return {"title": "geometry", "format": fmt, "x-ogc-role": "primary-geometry"}


def _schema_doc(req: ApiRequest, coll: Collection, kind: str,
                props: dict[str, object]) -> dict[str, object]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _url(req, f"/collections/{coll.id}/{kind}"),
        "type": "object",
        "title": coll.title,
        "properties": props,
        "additionalProperties": kind == "schema",
    }


def queryables(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    coll = catalog.get(collection_id)
    check_params(req, ("f",))
    store = coll.store()
    props: dict[str, object] = {"geometry": _geometry_schema(store)}
    for q in store.queryables.values():
        props[q.name] = _queryable_schema(q)
    doc = _schema_doc(req, coll, "queryables", props)
    if output_format(req) == "html":
        return _html("queryables.html", req, catalog, doc=doc, collection=coll)
    return _ok(_json_body(doc), SCHEMA)


def _queryable_schema(q: Queryable) -> dict[str, object]:
    """A queryable as the filters see it: a list-valued one (plans, years) is typed by one
    value, since a comparison holds when any of its values meets it (layers.cql)."""
    schema: dict[str, object] = {"title": q.title or q.name, "type": q.type}
    if q.enum:
        schema["enum"] = list(q.enum)
    description = q.description
    if q.many:
        description = f"{description} (any of the feature's values)".strip()
    if description:
        schema["description"] = description
    return schema


def schema(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    """The features' schema (Part 5): every property they carry, typed from the values, with
    the primary geometry and its one type, and the id as `x-ogc-role: id`."""
    coll = catalog.get(collection_id)
    check_params(req, ("f",))
    store = coll.store()
    props: dict[str, object] = {
        "id": {"title": "feature id", "type": "string", "x-ogc-role": "id"},
        "geometry": _geometry_schema(store),
    }
    for name, kind in property_types(store).items():
        if name not in props:
            props[name] = {"title": name, **kind}
    doc = _schema_doc(req, coll, "schema", props)
    if output_format(req) == "html":
        return _html("queryables.html", req, catalog, doc=doc, collection=coll)
    return _ok(_json_body(doc), SCHEMA)


def _crs_header(crs: CrsDef) -> dict[str, str]:
    return {"Content-Crs": f"<{crs.uri}>"}


def _link_header(links: list[dict[str, str]]) -> dict[str, str]:
    """The page's links as an RFC 8288 `Link` header too (Part 1 /rec/core/link-header), so a
    client can page without parsing the body."""
    parts = [f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"'
             for link in links if link["rel"] in ("self", "alternate", "next", "prev",
                                                  "collection")]
    return {"Link": ", ".join(parts)} if parts else {}


def items(catalog: Catalog, req: ApiRequest, collection_id: str) -> Response:
    coll = catalog.get(collection_id)
    store = coll.store()
    fmt = output_format(req)
    query = parse_items_query(store, req)
    selected = store.select(bbox=query.bbox, filters=query.filters, q=query.q, keep=query.keep,
                            mask=query.mask)
    selected = store.sort(selected, query.sortby)
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
        feats = [json.loads(b) for b in store.features_json(page.indices, CRS84, req.site_url,
                                                            query.properties)]
        status, headers, body = _html(
            "items.html", req, catalog, collection=coll, features=feats, links=links,
            map_features=[_map_feature(f) for f in feats],
            number_matched=page.number_matched, number_returned=returned,
            offset=query.offset, limit=query.limit,
            queryables=list(store.queryables.values()),
        )
        return status, {**headers, **_link_header(links)}, body
    rest = {
        "numberMatched": page.number_matched,
        "numberReturned": returned,
        "timeStamp": stamp,
        "links": links,
    }
    body = b"".join((
        b'{"type":"FeatureCollection","features":[',
        b",".join(store.features_json(page.indices, query.crs, req.site_url, query.properties)),
        b"],",
        json.dumps(rest, ensure_ascii=False, separators=(",", ":"))[1:].encode("utf-8"),
    ))
    return _ok(body, GEOJSON, {**_crs_header(query.crs), **_link_header(links)})


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
        feature = store.feature(index, CRS84, req.site_url)
        status, headers, body = _html("item.html", req, catalog, collection=coll,
                                      feature=feature, links=links,
                                      map_features=[_map_feature(feature)])
        return status, {**headers, **_link_header(links)}, body
    text = store.feature_json(index, crs, req.site_url)
    doc = text[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}"
    return _ok(doc.encode("utf-8"), GEOJSON, {**_crs_header(crs), **_link_header(links)})



def api(catalog: Catalog, req: ApiRequest) -> Response:
    from webmap.ogcapi.openapi import openapi_document

    check_params(req, ("f",))
    doc = openapi_document(catalog, req.base_url)
    if output_format(req) == "html":
        return _html("api.html", req, catalog, doc=doc)
    return _ok(_json_body(doc), OPENAPI)


__all__ = [
    "DEFAULT_LIMIT", "GEOJSON", "HTML", "ITEMS_PARAMS", "JSON", "MAX_LIMIT", "OPENAPI", "SCHEMA",
    "ApiRequest", "MethodNotAllowed", "NotFound", "PlanmapError", "api", "collection",
    "collections", "conformance",
    "error_response", "item", "items", "landing", "queryables", "respond", "schema",
]
