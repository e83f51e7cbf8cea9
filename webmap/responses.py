"""HTTP details shared by the API and pages: cached bodies with ETag/304/gzip, JSON errors.

Layer bodies are reused across requests, so a conditional GET costs a string compare and a
gzip-capable client gets the pre-compressed bytes without the server compressing again.
"""

from __future__ import annotations

from flask import Response, current_app, request

from webmap.geojson import Body

GEOJSON = "application/geo+json"


def cached(body: Body, mimetype: str = GEOJSON) -> Response:
    max_age = current_app.config["CACHE_MAX_AGE"]
    headers = {
        "ETag": f'"{body.etag}"',
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
    }
    if body.etag in request.if_none_match:
        return Response(status=304, headers=headers)
    if "gzip" in request.accept_encodings:
        resp = Response(body.gzipped, mimetype=mimetype, headers=headers)
        resp.headers["Content-Encoding"] = "gzip"
        return resp
    return Response(body.data, mimetype=mimetype, headers=headers)


def wants_json() -> bool:
    """API paths answer errors in JSON; pages answer with an HTML page."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
