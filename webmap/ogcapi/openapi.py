"""The OpenAPI 3.0 definition of the service, generated from the catalog.

Like pygeoapi, each collection gets its own paths, so the property filters a collection accepts
(its queryables) are listed exactly; the service refuses any parameter not defined here.
"""

from __future__ import annotations

import re

from geo.crs_names import CRS84
from layers.cql import FILTER_LANGS
from layers.query import OGC_CRS_URIS
from webmap.ogcapi.catalog import Catalog
from webmap.ogcapi.params import DEFAULT_LIMIT, MAX_LIMIT

_F = {
    "name": "f", "in": "query", "required": False, "style": "form", "explode": False,
    "description": "output format; overrides the Accept header",
    "schema": {"type": "string", "enum": ["json", "html"], "default": "json"},
}
_CRS_ENUM = list(OGC_CRS_URIS)


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}},
    }


_ERRORS = {"400": _error("invalid parameter"), "404": _error("not found"),
           "405": _error("method not allowed: the API is read-only (GET, HEAD)")}


def _json_ok(description: str, media: str = "application/json") -> dict:
    return {
        "description": description,
        "content": {
            media: {"schema": {"type": "object"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }


def _query(name: str, description: str, schema: dict, **extra: object) -> dict:
    """A query parameter in the form every OGC parameter takes (`style: form, explode: false`,
    as Part 1 and Part 2 write them): a comma list is one value, never repeated names."""
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema, **extra}


_CRS_PARAM = _query(
    "crs", "CRS of the output geometries, one of the collection's `crs` URIs (Part 2); the "
    "answer's Content-Crs header names it",
    {"type": "string", "format": "uri", "enum": _CRS_ENUM, "default": CRS84.uri})


def _items_params(queryables: list, property_names: list[str]) -> list[dict]:
    sort_keys = "|".join(re.escape(n) for n in ["id", *(q.name for q in queryables)])
    params: list[dict] = [
        _F,
        _query("limit", f"features per page. A value above {MAX_LIMIT} is not an error: it is "
               f"treated as {MAX_LIMIT} (Part 1, /req/core/fc-limit-definition)",
               {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT}),
        _query("offset", "number of features to skip (in the answer's order)",
               {"type": "integer", "minimum": 0, "default": 0}),
        _query("bbox", "minx,miny,maxx,maxy (or 6 numbers; heights ignored) in bbox-crs axis "
               "order; features without geometry match every bbox",
               {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}),
        _query("bbox-crs", "CRS of bbox, one of the collection's `crs` URIs (Part 2)",
               {"type": "string", "format": "uri", "enum": _CRS_ENUM, "default": CRS84.uri}),
        _CRS_PARAM,
        _query("datetime", "RFC 3339 date, date-time (offsets honoured) or interval "
               "(`a/b`, `../b`, `a/..`): a feature matches when a plan of one of its years "
               "meets it; a feature with no year is always returned",
               {"type": "string", "minLength": 1}),
        _query("q", "words that must all occur in a name, alias or policy text",
               {"type": "string"}),
        _query("properties", "comma-separated feature properties to return (e.g. "
               "`name,excerpts,detail_url`); the rest are left out; an empty value: none",
               {"type": "array", "items": {"type": "string", "enum": property_names}}),
        _query("sortby", "comma-separated sort keys: `id` or a queryable, `-` for descending "
               "(e.g. `-last_year,name`); features without a value come last",
               {"type": "array", "minItems": 1,
                "items": {"type": "string", "pattern": rf"^[+-]?({sort_keys})$"}}),
        _query("filter", "a CQL2 filter (Part 3) on the queryables and `geometry`",
               {"type": "string", "minLength": 1}),
        _query("filter-lang", "language of filter",
               {"type": "string", "enum": list(FILTER_LANGS), "default": "cql2-text"}),
        _query("filter-crs", "CRS of the geometry literals in filter",
               {"type": "string", "format": "uri", "enum": _CRS_ENUM, "default": CRS84.uri}),
    ]
    for q in queryables:
        schema: dict = {"type": "string", "pattern": r"\S"}  # a blank value is a 400
        if q.enum:
            schema = {"type": "array", "minItems": 1, "items": {"enum": list(q.enum)}}
        elif q.type in ("integer", "number"):
            one = r"-?\d+" if q.type == "integer" else r"-?\d+(\.\d+)?"
            schema = {"type": "string", "pattern": rf"^{one}(,{one})*$"}
        params.append(_query(
            q.name, (q.description or q.title or q.name)
            + " (comma-separated values: any matches)", schema))
    return params


_IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
             "description": "the item's ETag (428 without it, 412 when the place moved on)",
             "schema": {"type": "string"}}
_WRITE_ERRORS = {"400": _error("not a valid feature or patch"),
                 "401": _error("no signed-in user or API token"),
                 "403": _error("a role below editor"), "404": _error("no such feature"),
                 "503": _error("the database cannot be reached")}


def _proposal(summary: str, op: str, media: str | None, **responses: dict) -> dict:
    """A Part 4 write: it records a proposal for review (202), never a direct edit."""
    doc: dict = {
        "summary": summary, "operationId": op, "security": [{"bearer": []}],
        "responses": {"202": {"description": "proposed: the revision (its URL in Location) "
                                             "waits for review",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      **_WRITE_ERRORS, **responses}}
    if media is not None:
        doc["requestBody"] = {"required": True,
                              "content": {media: {"schema": {"type": "object"}}}}
    return doc


def _writes(paths: dict[str, dict], base: str, title: str, op: str) -> None:
    locked = {"412": _error("the ETag is of an older state"),
              "428": _error("If-Match is missing")}
    item = paths[f"{base}/items/{{featureId}}"]
    paths[f"{base}/items"]["post"] = _proposal(
        f"{title}: propose a new place", f"create_{op}", "application/geo+json",
        **{"409": _error("the place exists")})
    for method, media, what in (("put", "application/geo+json", "a replaced position"),
                                ("patch", "application/merge-patch+json", "a patched position"),
                                ("delete", None, "taking the place off the maps")):
        item[method] = {**_proposal(f"{title}: propose {what}", f"{method}_{op}", media,
                                    **locked),
                        "parameters": [item["get"]["parameters"][0], _IF_MATCH]}


def openapi_document(catalog: Catalog, base_url: str) -> dict:
    """An OpenAPI 3.0.3 document for this catalog, served at `{base_url}/api`."""
    paths: dict[str, dict] = {
        "/": {"get": {"summary": "landing page", "operationId": "getLandingPage",
                      "parameters": [_F], "responses": {"200": _json_ok("landing page"),
                                                         **_ERRORS}}},
        "/api": {"get": {"summary": "this API definition", "operationId": "getApi",
                         "parameters": [_F],
                         "responses": {"200": _json_ok(
                             "the API definition",
                             "application/vnd.oai.openapi+json;version=3.0"), **_ERRORS}}},
        "/conformance": {"get": {"summary": "conformance classes", "operationId": "getConformance",
                                 "parameters": [_F],
                                 "responses": {"200": _json_ok("conformance classes"),
                                               **_ERRORS}}},
        "/collections": {"get": {"summary": "the feature collections",
                                 "operationId": "getCollections", "parameters": [_F],
                                 "responses": {"200": _json_ok("collections"), **_ERRORS}}},
    }
    for coll in catalog.collections.values():
        base = f"/collections/{coll.id}"
        tag = coll.id
        queryables = list(coll.store().queryables.values())
        op = coll.id.replace("-", "_")
        paths[base] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: description",
            "operationId": f"describe_{op}", "parameters": [_F],
            "responses": {"200": _json_ok("collection"), **_ERRORS}}}
        paths[f"{base}/queryables"] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: queryables",
            "operationId": f"queryables_{op}", "parameters": [_F],
            "responses": {"200": _json_ok("JSON Schema of the queryables",
                                          "application/schema+json"), **_ERRORS}}}
        paths[f"{base}/schema"] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: schema of the features (Part 5)",
            "operationId": f"schema_{op}", "parameters": [_F],
            "responses": {"200": _json_ok("JSON Schema of the features",
                                          "application/schema+json"), **_ERRORS}}}
        paths[f"{base}/items"] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: features",
            "operationId": f"items_{op}",
            "parameters": _items_params(queryables, coll.store().property_names()),
            "responses": {"200": _json_ok("a page of features", "application/geo+json"),
                          **_ERRORS}}}
        paths[f"{base}/items/{{featureId}}"] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: one feature",
            "operationId": f"item_{op}",
            "parameters": [
                {"name": "featureId", "in": "path", "required": True,
                 "schema": {"type": "string"}},
                _F,
                _CRS_PARAM,
            ],
            "responses": {"200": _json_ok("the feature", "application/geo+json"), **_ERRORS}}}
        if catalog.conformance and coll.layer_id:  # Part 4, with a database
            _writes(paths, base, coll.title, op)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": catalog.title,
            "description": catalog.description,
            "version": "1.0.0",
            "license": {"name": "MIT"},
        },
        "servers": [{"url": base_url}],
        "tags": [{"name": c.id, "description": c.title} for c in catalog.collections.values()],
        "paths": paths,
        "components": {"schemas": {"exception": {
            "type": "object", "required": ["code"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        }}, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "an editor's API token (or a session with its X-CSRFToken)"}}},
    }
