"""Pages and JSON answers rendered once per data version, served from memory with ETag/304/gzip.

The atlas is a Folium map rendered through branca's per-element Jinja templates; a plan page holds
a whole document. Both change only when the data does, and the data names itself: the store's
`version` changes whenever plans, gazetteer or approved corrections change. So a view marked with
`@cached_page(...)` is rendered once per (store version, path, language, normalised query) and its
final answer — the body after every `after_request` hook, with the headers computed from that body
(the Content-Security-Policy hashes its inline scripts) — is kept, gzip-compressed once, and
served again without entering Flask: the cache is a WSGI wrapper around the app (`install`).

The key: the path (so the view and its arguments), the host and scheme (a page may hold absolute
links), the language `webmap.i18n.lang_of` would choose (so `Accept-Language: en-GB,en` and
`en` share an entry), and the query reduced to the parameters the view declares, first value of
each, in a fixed order. Any other parameter is dropped before the view runs, so the view never
echoes it and `?x=1` cannot fill the cache with copies; a malformed value of a declared
parameter reaches the view, which answers 4xx as always (errors are never cached).

A request that carries the session cookie or an Authorization header is passed to the app
uncached: an answer for a signed-in person is theirs alone. With READ_REQUIRES_LOGIN the cache
is off altogether, so no page is ever answered without the app's check.

Bounds: at most PAGE_CACHE_ENTRIES entries and PAGE_CACHE_BYTES bytes (raw + gzip), least
recently used first out; entries of an older version are dropped as soon as a newer one is
served. Only GET/HEAD answers with status 200, no Set-Cookie and no Content-Encoding of their own
are kept. Per-request headers (rate-limit counters, Date, Set-Cookie) are never stored.

Served: `ETag` (strong, from the body; the gzip form has its own tag with `-gz`), `304` on
`If-None-Match`, gzip when the client accepts it with q > 0, `Vary: Accept-Encoding` (and
`Accept-Language` for pages whose words follow it), and `Cache-Control: public, max-age=0,
s-maxage=N, must-revalidate`: browsers revalidate each time (a cheap 304), a shared cache (nginx,
see docs/deploy.md) may answer for N seconds (setting PAGE_SHARED_MAX_AGE) without asking.
A cached answer skips every Flask hook, rate limits included: it costs less than the check.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie
from werkzeug.wrappers import Request

from geo.errors import BadRequest
from webmap import i18n
from webmap.sources import get_store

PARAMS_ATTR = "planmap_page_cache"
View = TypeVar("View", bound=Callable[..., Any])

# Headers that belong to one answer, not to the body: never stored, recomputed or left out.
_PER_REQUEST = {
    "date", "set-cookie", "content-length", "content-encoding", "etag", "last-modified",
    "cache-control", "vary", "expires", "age", "retry-after", "connection", "transfer-encoding",
    "keep-alive", "server", "x-page-cache",
}
_PER_REQUEST_PREFIXES = ("x-ratelimit", "ratelimit")
# What the key takes from the request besides path and query: a page may build absolute links.
_KEY_ENVIRON = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME",
                "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PREFIX",
                "HTTP_X_FORWARDED_PORT")
# The inner app renders the full, uncompressed answer whatever this request asked for.
_INNER_DROP = ("HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
               "HTTP_RANGE", "HTTP_IF_RANGE")
_COMPRESS_MIN = 256


@dataclass(frozen=True)
class Marker:
    params: tuple[str, ...]
    per_lang: bool


def cached_page(*params: str, per_lang: bool = True) -> Callable[[View], View]:
    """Mark a view as cached per data version. `params`: the query parameters it reads (all
    others are dropped); `per_lang`: its words follow the chosen UI language."""
    marker = Marker(tuple(sorted(set(params))), per_lang)

    def mark(view: View) -> View:
        setattr(view, PARAMS_ATTR, marker)
        return view

    return mark


@dataclass(frozen=True)
class Entry:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None
    etag: str
    version: str
    vary: str

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 200

    def tags(self) -> tuple[str, ...]:
        return (self.etag, self.etag + "-gz")


class PageCache:
    """The WSGI wrapper: answers marked views from memory, passes everything else through."""

    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.inner = inner
        self.max_entries = int(app.config["PAGE_CACHE_ENTRIES"])
        self.max_bytes = int(app.config["PAGE_CACHE_BYTES"])
        self.shared_max_age = int(app.config["PAGE_SHARED_MAX_AGE"])
        # where reading requires signing in every answer is someone's: the app answers all
        self.enabled = self.max_entries > 0 and not app.config.get("READ_REQUIRES_LOGIN")
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    # ------------------------------------------------------------------ bookkeeping

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _get(self, key: tuple[Any, ...]) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return entry

    def _put(self, key: tuple[Any, ...], entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            if entry.version != self._version:
                return  # rendered from a version no longer served
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            while self._entries and (len(self._entries) > self.max_entries
                                     or self._bytes > self.max_bytes):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def _served_version(self) -> str:
        version = str(get_store(self.app).version)
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._entries.clear()
                    self._bytes = 0
                    self._version = version
        return version

    # ------------------------------------------------------------------ the request

    def _marker(self, environ: dict[str, Any]) -> Marker | None:
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            return None
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None  # 404, 405 or a redirect: the app answers
        view = self.app.view_functions.get(endpoint)
        return getattr(view, PARAMS_ATTR, None)

    def _personal(self, environ: dict[str, Any]) -> bool:
        """A signed-in request (session cookie or Authorization) may be answered for that
        person alone, or be the only kind allowed to read: the app answers it, uncached."""
        if "HTTP_AUTHORIZATION" in environ:
            return True
        cookies = environ.get("HTTP_COOKIE")
        if not cookies:
            return False
        name = str(self.app.config.get("SESSION_COOKIE_NAME") or "session")
        return name in parse_cookie(cookies)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        marker = self._marker(environ) if self.enabled else None
        if marker is None or self._personal(environ):
            return self.inner(environ, start_response)
        request = Request(environ)
        args = request.args
        query = urlencode([(name, args[name]) for name in marker.params if name in args])
        lang = ""
        if marker.per_lang:
            try:
                lang = i18n.lang_of(args.get("lang"), request.accept_languages,
                                    self.app.config["DEFAULT_LANG"])
            except BadRequest:
                return self.inner(environ, start_response)  # the view answers 400
        version = self._served_version()
        key = (version, environ.get("PATH_INFO", ""), query, lang,
               *(environ.get(name) for name in _KEY_ENVIRON))
        entry = self._get(key)
        state = "hit"
        if entry is None:
            state = "miss"
            status, headers, body = self._render(environ, query)
            entry = self._entry(status, headers, body, version, marker)
            if entry is None:  # an error, a cookie: this answer as it is, not kept
                start_response(status, headers.to_wsgi_list())
                return [b""] if request.method == "HEAD" else [body]
            self._put(key, entry)
            own = [(k, v) for k, v in headers.items()
                   if k.lower().startswith(_PER_REQUEST_PREFIXES) or k.lower() == "retry-after"]
            return self._answer(request, entry, start_response, state, own)
        return self._answer(request, entry, start_response, state)

    def _render(self, environ: dict[str, Any], query: str) -> tuple[str, Headers, bytes]:
        """The app's full answer to this request with only the declared parameters, whatever
        encoding or validators the request asked for."""
        inner_env = {k: v for k, v in environ.items() if k not in _INNER_DROP}
        inner_env["QUERY_STRING"] = query
        inner_env["REQUEST_METHOD"] = "GET"
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                    ) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = self.inner(inner_env, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return captured["status"], Headers(captured["headers"]), body

    def _entry(self, status: str, headers: Headers, body: bytes, version: str, marker: Marker
               ) -> Entry | None:
        """The answer as an entry to keep, or None when it must not be kept (not a 200, a
        cookie, an encoding of its own, or data that changed while it rendered)."""
        if (not status.startswith("200") or "Set-Cookie" in headers
                or "Content-Encoding" in headers
                or str(get_store(self.app).version) != version):
            return None
        kept = tuple((k, v) for k, v in headers.items()
                     if k.lower() not in _PER_REQUEST
                     and not k.lower().startswith(_PER_REQUEST_PREFIXES))
        gzipped = gzip.compress(body, 6, mtime=0) if len(body) >= _COMPRESS_MIN else None
        etag = hashlib.sha256(body).hexdigest()[:24]
        vary = "Accept-Encoding, Accept-Language" if marker.per_lang else "Accept-Encoding"
        return Entry(status, kept, body, gzipped, etag, version, vary)

    def _answer(self, request: Request, entry: Entry, start_response: Callable[..., Any],
                state: str, own: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
        gz = entry.gzipped is not None and request.accept_encodings["gzip"] > 0
        tag = entry.etag + "-gz" if gz else entry.etag
        headers = [
            *entry.headers,
            ("ETag", f'"{tag}"'),
            ("Cache-Control", f"public, max-age=0, s-maxage={self.shared_max_age}, "
                              "must-revalidate"),
            ("Vary", entry.vary),
            ("X-Page-Cache", state),
            *(own or ()),
        ]
        if any(t in request.if_none_match for t in entry.tags()):
            start_response("304 Not Modified",
                           [(k, v) for k, v in headers if k.lower() != "content-type"])
            return [b""]
        body = entry.gzipped if gz and entry.gzipped is not None else entry.body
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response(entry.status, headers)
        return [b""] if request.method == "HEAD" else [body]


def install(app: Flask) -> PageCache:
    """Put the page cache in front of `app` (once); returns it, also kept on app.extensions."""
    cache = PageCache(app, app.wsgi_app)
    app.wsgi_app = cache  # type: ignore[method-assign]
    app.extensions["planmap.page_cache"] = cache
    return cache


def page_cache(app: Flask) -> PageCache:
    return app.extensions["planmap.page_cache"]
