"""`/embed` and `/oembed`: the atlas in another page's <iframe>, and its oEmbed description.

/embed takes the atlas's permalink parameters (webmap.permalink: layers, center, zoom, basemap,
place, lang), so a link copied from the atlas becomes an embed by changing its path; it adds an
optional `title` and an "open in planmap" link, and drops the page chrome (navigation, search).

Framing: /embed answers `Content-Security-Policy: frame-ancestors <FRAME_ANCESTORS>` (default
`*`, any site may frame it; an intranet can list its own origins). Every other route keeps the
site's `frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN` (set in webmap.app). The setting
is checked when the app is created: a value that could smuggle other CSP directives (`;`) or a
malformed source stops the service with a message rather than weakening the header.

/oembed follows oEmbed 1.0 (https://oembed.com): `type: rich` with the iframe HTML, only for URLs
of this site; an unsupported URL is a 404 and `format=xml` a 501, as the spec asks.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from geo.errors import BadRequest, DataError, NotFound, PlanmapError
from webmap import i18n, maps
from webmap.page_cache import cached_page
from webmap.pages import atlas_config
from webmap.permalink import PARAMS, with_query
from webmap.sources import get_store

blueprint = Blueprint("embed", __name__)

TITLE_MAX = 120
DEFAULT_SIZE = (800, 600)
SIZE_MAX = 10000
_SOURCE = re.compile(
    r"^(?:\*|'self'|'none'|[a-z][a-z0-9+.-]*:"
    r"|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?"
    r"(?:/[^\s;,'\"]*)?)$",
    re.IGNORECASE,
)


def frame_ancestors(value: Any) -> str:
    """The CSP source list of the FRAME_ANCESTORS setting, checked source by source."""
    sources = str(value or "").replace(",", " ").split()
    if not sources:
        raise DataError("setting FRAME_ANCESTORS is empty; use 'none' to forbid framing")
    bad = [s for s in sources if not _SOURCE.match(s)]
    if bad:
        raise DataError(f"setting FRAME_ANCESTORS has invalid source(s): {' '.join(bad)} "
                        "(expected *, 'self', 'none', a scheme like https: or an origin like "
                        "https://intranet.example)")
    if "'none'" in sources and len(sources) > 1:
        raise DataError("setting FRAME_ANCESTORS: 'none' cannot be combined with other sources")
    return " ".join(sources)


@blueprint.record_once
def _check_settings(state: Any) -> None:
    frame_ancestors(state.app.config.get("FRAME_ANCESTORS", "*"))


@blueprint.after_request
def _headers(resp: Response) -> Response:
    if request.endpoint == "embed.embed_page":
        resp.headers["Content-Security-Policy"] = (
            "frame-ancestors " + frame_ancestors(current_app.config.get("FRAME_ANCESTORS", "*")))
        resp.headers.pop("X-Frame-Options", None)
    else:
        resp.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return resp


# ------------------------------------------------------------------ /embed


def _title(args: Any) -> str | None:
    title = (args.get("title") or "").strip()
    if len(title) > TITLE_MAX:
        raise BadRequest(f"title is longer than {TITLE_MAX} characters")
    return title or None


def _view_query(args: Any) -> dict[str, str]:
    return {k: args[k] for k in PARAMS if k in args}


@blueprint.get("/embed")
@cached_page(*PARAMS, "title")
def embed_page():
    lang = i18n.choose_lang()
    title = _title(request.args)
    config = atlas_config(request.args, lang, chrome=False)
    m = maps.build_map(config, fullscreen=False)
    view = _view_query(request.args)
    page_url = with_query(url_for("embed.embed_page", _external=True), request.args.to_dict())
    return render_template(
        "embed.html",
        lang=lang,
        t=i18n.strings(lang),
        title=title,
        map=maps.map_parts(m),
        open_url=with_query(url_for("pages.atlas"), view),
        oembed_url=url_for("embed.oembed", url=page_url, format="json"),
    )


# ------------------------------------------------------------------ /oembed

_PLACE_PATH = re.compile(r"^/places/([A-Za-z0-9_-]{1,200})$")
_LAYER_PATH = re.compile(r"^/layers/([A-Za-z0-9_-]{1,200})$")


def _positive(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a positive integer, not {raw!r}") from None
    if not 1 <= value <= SIZE_MAX:
        raise BadRequest(f"{name} must be between 1 and {SIZE_MAX}")
    return value


def _embed_target(url: str) -> tuple[dict[str, str], str]:
    """The /embed query and a title for a URL of this site, or NotFound (oEmbed: 404)."""
    parts = urlsplit(url)
    here = urlsplit(request.host_url)
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() != here.netloc.lower():
        raise NotFound("no embed for that url: only pages of this planmap site can be embedded")
    query = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
    store = get_store()
    asked = query.get("lang")
    lang = asked if asked is not None and asked in i18n.LANGS else "zh"
    path = parts.path or "/"
    try:
        if path in {"/", "/embed"}:
            view = _view_query(query)
            atlas_config(query, lang, chrome=False)  # validates it exactly as /embed will
            title = query.get("title") or i18n.strings(lang)["site"]
        elif m := _PLACE_PATH.match(path):
            record = store.place_record(m.group(1))
            if not record.get("geometry"):
                raise NotFound(f"place {m.group(1)!r} is not located: nothing to show on a map")
            view = {"place": m.group(1), "layers": ",".join(
                lid for lid in record.get("layers", []) if not lid.startswith("plan-"))}
            title = str(record.get("name") or m.group(1))
        elif m := _LAYER_PATH.match(path):
            layer = store.layer(m.group(1))
            view = {"layers": layer.id}
            title = str(layer.title.get(lang) or layer.id)
        else:
            raise NotFound("no embed for that url: use an atlas, /embed, place or layer link")
    except BadRequest as exc:  # a malformed view in the URL: the provider has no response
        raise NotFound(f"no embed for that url: {exc.message}") from None
    if "lang" in query:
        view["lang"] = lang
    return view, title


@blueprint.get("/oembed")
def oembed():
    """oEmbed answers are for programs: errors are JSON whatever the Accept header says."""
    try:
        return _oembed()
    except PlanmapError as exc:
        return jsonify(code=exc.code, description=exc.message, status=exc.http_status), \
            exc.http_status


def _oembed():
    fmt = request.args.get("format", "json")
    if fmt != "json":
        return jsonify(code="NotImplemented", status=501,
                       description=f"format {fmt!r} is not supported; use format=json"), 501
    url = request.args.get("url", "").strip()
    if not url:
        raise BadRequest("url is required: a link to a page of this site")
    if len(url) > 4000:
        raise BadRequest("url is too long")
    maxwidth, maxheight = _positive("maxwidth"), _positive("maxheight")
    view, title = _embed_target(url)
    width = min(DEFAULT_SIZE[0], maxwidth or DEFAULT_SIZE[0])
    height = min(DEFAULT_SIZE[1], maxheight or DEFAULT_SIZE[1])
    src = url_for("embed.embed_page", _external=True) + ("?" + urlencode(view) if view else "")
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
            f'style="border:0" loading="lazy" allowfullscreen title="{escape(title)}">'
            "</iframe>")
    return jsonify(
        version="1.0",
        type="rich",
        provider_name="planmap",
        provider_url=request.host_url,
        title=title,
        html=html,
        width=width,
        height=height,
        cache_age=current_app.config["CACHE_MAX_AGE"],
    )
