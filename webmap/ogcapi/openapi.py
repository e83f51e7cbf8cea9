"""The OpenAPI 3.0 definition of the service, generated from the catalog.

Like pygeoapi, each collection gets its own paths, so the property filters a collection accepts
(its queryables) are listed exactly; the service refuses any parameter not defined here.
"""

from __future__ import annotations

from geo.crs_names import CRS84
from layers.query import OGC_CRS_URIS
from webmap.ogcapi.catalog import Catalog

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


_ERRORS = {"400": _error("invalid parameter"), "404": _error("not found")}


def _json_ok(description: str, media: str = "application/json") -> dict:
    return {
        "description": description,
        "content": {
            media: {"schema": {"type": "object"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }


def _items_params(queryables: list) -> list[dict]:
    params: list[dict] = [
        _F,
        {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
         "description": "features per page; values above 10000 are treated as 10000",
         "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
        {"name": "offset", "in": "query", "required": False,
         "description": "number of features to skip (in feature id order)",
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
         "description": (
             "minx,miny,maxx,maxy (or 6 numbers; heights ignored) in bbox-crs axis order"
         ),
         "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
        {"name": "bbox-crs", "in": "query", "required": False,
         "schema": {"type": "string", "format": "uri", "enum": _CRS_ENUM, "default": CRS84.uri}},
        {"name": "crs", "in": "query", "required": False,
         "schema": {"type": "string", "format": "uri", "enum": _CRS_ENUM, "default": CRS84.uri}},
        {"name": "datetime", "in": "query", "required": False,
         "description": "RFC 3339 date-time or interval; matched against the plan years",
         "schema": {"type": "string"}},
        {"name": "q", "in": "query", "required": False,
         "description": "words that must all occur in a name, alias or policy text",
         "schema": {"type": "string"}},
    ]
    for q in queryables:
        schema: dict = {"type": "string"}
        if q.enum:
            schema = {"type": "string", "enum": list(q.enum)}
        params.append({
            "name": q.name, "in": "query", "required": False,
            "description": (q.description or q.title or q.name)
            + " (comma-separated values: any matches)",
            "schema": schema,
        })
    return params


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
        paths[f"{base}/items"] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: features",
            "operationId": f"items_{op}", "parameters": _items_params(queryables),
            "responses": {"200": _json_ok("a page of features", "application/geo+json"),
                          **_ERRORS}}}
        paths[f"{base}/items/{{featureId}}"] = {"get": {
            "tags": [tag], "summary": f"{coll.title}: one feature",
            "operationId": f"item_{op}",
            "parameters": [
                {"name": "featureId", "in": "path", "required": True,
                 "schema": {"type": "string"}},
                _F,
                {"name": "crs", "in": "query", "required": False,
                 "schema": {"type": "string", "format": "uri", "enum": _CRS_ENUM}},
            ],
            "responses": {"200": _json_ok("the feature", "application/geo+json"), **_ERRORS}}}
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
        }}},
    }
