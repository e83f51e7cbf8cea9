"""HTTP details shared by the API and pages: cached bodies with ETag/304/gzip, JSON errors,
gzip for static files and for every HTML page.

Layer bodies are reused across requests, so a conditional GET costs a string compare and a
gzip-capable client gets the pre-compressed bytes without the server compressing again.
"""

from __future__ import annotations

import gzip

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


COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "application/json", "text/plain"}
_static_gzip: dict[tuple[str, str], bytes] = {}


def gzip_static(resp: Response) -> Response:
    """Compress vendored CSS/JS once per file version: the atlas loads ~1 MB of it otherwise.

    Werkzeug's static files are not compressed; planmap serves them itself (no CDN, often no
    reverse proxy on an intranet), so it compresses them, keyed by path and ETag.
    """
    if (resp.status_code != 200 or resp.mimetype not in COMPRESSIBLE
            or "gzip" not in request.accept_encodings or "Content-Encoding" in resp.headers):
        return resp
    key = (request.path, resp.headers.get("ETag", ""))
    body = _static_gzip.get(key)
    if body is None:
        resp.direct_passthrough = False
        body = gzip.compress(resp.get_data(), 6, mtime=0)
        if len(_static_gzip) < 512:
            _static_gzip[key] = body
    resp.direct_passthrough = False
    resp.set_data(body)
    resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Vary"] = "Accept-Encoding"
    return resp


def gzip_page(resp: Response) -> Response:
    """Compress an HTML page for a client that takes gzip: a plan page is 400 kB of text that
    shrinks about sixfold, which on a phone or a slow intranet link is the difference between a
    page and a wait. Pages are made per request, so they are compressed per request (level 6:
    a few milliseconds for the largest)."""
    if (resp.mimetype != "text/html" or resp.direct_passthrough or resp.status_code == 304
            or "gzip" not in request.accept_encodings or "Content-Encoding" in resp.headers):
        return resp
    resp.set_data(gzip.compress(resp.get_data(), 6, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    vary = resp.headers.get("Vary")
    resp.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    return resp
