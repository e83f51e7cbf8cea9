"""/embed and /oembed with Flask's test client: the permalink view, framing headers, oEmbed."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.errors import DataError
from webmap import create_app
from webmap.headers import frame_ancestors_of


def _config(html: str) -> dict:
    m = re.search(r"window\.Planmap\.init\(\w+, (\{.*\})\);", html)
    assert m, "the page starts atlas.js with its configuration"
    return json.loads(m.group(1))


def test_embed_shows_the_permalink_view_without_chrome(client):
    resp = client.get("/embed?layers=zones,parks&center=40.01,116.29&zoom=13&basemap=vector"
                      "&lang=en")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    cfg = _config(html)
    assert cfg["visible"] == ["zones", "parks"]
    assert cfg["center"] == [40.01, 116.29] and cfg["zoom"] == 13
    assert cfg["basemap"] == "vector" and cfg["lang"] == "en"
    assert cfg["search"] is False and cfg["control"] is False and cfg["permalink"] is False
    assert "pm-nav" not in html  # no navigation bar
    assert 'lang="en"' in html and "Open in planmap" in html
    link = re.search(r'id="pm-embed-open" href="([^"]+)"', html).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert urlsplit(link).path == "/"
    assert query["layers"] == ["zones,parks"] and query["zoom"] == ["13"]


def test_embed_defaults_match_the_atlas(client):
    atlas = _config(client.get("/").get_data(as_text=True))
    embed = _config(client.get("/embed").get_data(as_text=True))
    for key in ("visible", "center", "zoom", "basemap", "layers"):
        assert embed[key] == atlas[key], key


def test_embed_title_is_escaped(client):
    html = client.get("/embed?layers=parks&title=<script>alert(1)</script>").get_data(
        as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert client.get("/embed?title=" + "x" * 200).status_code == 400


def test_embed_carries_oembed_discovery(client):
    html = client.get("/embed?layers=parks").get_data(as_text=True)
    tag = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                    html)
    assert tag
    href = tag.group(1).replace("&amp;", "&")
    resp = client.get(href[len("http://localhost"):] if href.startswith("http") else href)
    assert resp.status_code == 200 and resp.get_json()["type"] == "rich"


@pytest.mark.parametrize("query, status", [
    ("zoom=abc", 400), ("zoom=99", 400), ("layers=nope", 400), ("center=1", 400),
    ("basemap=google", 400), ("lang=fr", 400), ("place=no-such-place", 404),
])
def test_embed_bad_parameters(client, query, status):
    resp = client.get(f"/embed?{query}")
    assert resp.status_code == status
    assert "Traceback" not in resp.get_data(as_text=True)


# ------------------------------------------------------------------ framing


def test_embed_may_be_framed_anywhere_other_pages_only_by_the_site(client):
    embed = client.get("/embed")
    assert frame_ancestors_of(embed.headers["Content-Security-Policy"], "") == "*"
    assert "X-Frame-Options" not in embed.headers
    for url in ("/", "/layers", "/api/layers", "/figures", "/oembed?url=http://localhost/"):
        resp = client.get(url)
        assert frame_ancestors_of(resp.headers["Content-Security-Policy"], "") == "'self'", url
        assert resp.headers["X-Frame-Options"] == "SAMEORIGIN", url


def test_frame_ancestors_is_configurable():
    app = create_app({"FRAME_ANCESTORS": "https://intranet.example https://*.gov.example 'self'"})
    resp = app.test_client().get("/embed")
    assert frame_ancestors_of(resp.headers["Content-Security-Policy"], "") == \
        "https://intranet.example https://*.gov.example 'self'"
    assert app.test_client().get("/").headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("value", ["https://a.example; script-src *", "'none' https://a.example",
                                   "javascript:alert(1) x y\"", "", "'unsafe-inline'"])
def test_bad_frame_ancestors_stop_the_app(value):
    with pytest.raises(DataError, match="FRAME_ANCESTORS"):
        create_app({"FRAME_ANCESTORS": value})


def test_frame_ancestors_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLANMAP_FRAME_ANCESTORS", "https://reports.example")
    resp = create_app().test_client().get("/embed")
    assert frame_ancestors_of(resp.headers["Content-Security-Policy"], "") == \
        "https://reports.example"


# ------------------------------------------------------------------ oEmbed


def test_oembed_for_an_atlas_link(client):
    resp = client.get("/oembed", query_string={
        "url": "http://localhost/?layers=zones&center=40.0,116.3&zoom=12", "maxwidth": "500"})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["provider_name"] == "planmap"
    assert body["width"] == 500 and body["height"] == 600
    src = re.search(r'<iframe src="([^"]+)"', body["html"]).group(1).replace("&amp;", "&")
    parts = urlsplit(src)
    assert parts.netloc == "localhost" and parts.path == "/embed"
    assert parse_qs(parts.query) == {"layers": ["zones"], "center": ["40.0,116.3"],
                                     "zoom": ["12"]}
    assert 'width="500"' in body["html"] and 'height="600"' in body["html"]
    assert client.get(src[len("http://localhost"):]).status_code == 200


def test_oembed_for_place_and_layer_pages(client):
    place = client.get("/oembed?url=http://localhost/places/yiheyuan").get_json()
    assert place["title"] == "颐和园"
    assert "place=yiheyuan" in place["html"]
    layer = client.get("/oembed?url=http://localhost/layers/parks&maxheight=300").get_json()
    assert "layers=parks" in layer["html"] and layer["height"] == 300
    # plan layers open in the atlas, so they embed too
    plan = client.get("/oembed?url=http://localhost/layers/plan-haidian-14th-fyp").get_json()
    assert "layers=plan-haidian-14th-fyp" in plan["html"]


@pytest.mark.parametrize("query, status", [
    ({"url": "http://evil.example/?layers=zones"}, 404),
    ({"url": "https://localhost.evil.example/"}, 404),
    ({"url": "ftp://localhost/"}, 404),
    ({"url": "http://localhost/plans/haidian-14th-fyp"}, 404),
    ({"url": "http://localhost/places/no-such-place"}, 404),
    ({"url": "http://localhost/?zoom=99"}, 404),
    ({"url": "http://localhost/", "format": "xml"}, 501),
    ({}, 400),
    ({"url": "http://localhost/", "maxwidth": "-3"}, 400),
    ({"url": "http://localhost/", "maxwidth": "wide"}, 400),
])
def test_oembed_errors(client, query, status):
    resp = client.get("/oembed", query_string=query)
    assert resp.status_code == status
    assert resp.mimetype == "application/json"
    assert resp.get_json()["description"]


def test_oembed_escapes_the_title(client):
    body = client.get("/oembed", query_string={
        "url": 'http://localhost/?layers=zones&title="><script>x</script>'}).get_json()
    assert "<script>" not in body["html"]


def test_share_panel_is_configured_with_figure_links(client):
    cfg = _config(client.get("/?lang=en").get_data(as_text=True))
    assert cfg["strings"]["figure_of_view"] == "Static figure of this view (for reports)"
    assert cfg["figures"]["layers"] == "/figures/layers/__IDS__.__FMT__"
    assert [f["format"] for f in cfg["figures"]["formats"]] == ["png", "svg", "pdf"]


ODD = ["%00", "..%2F..%2Fetc%2Fpasswd", "x" * 3000, "北清路", "%3Cscript%3E", "' OR 1=1 --",
       "%E2%80%AE", "-1", "1e309", "nan"]


@pytest.mark.parametrize("odd", ODD)
def test_no_server_error_on_odd_input(client, odd):
    urls = [f"/embed?zoom={odd}", f"/embed?center={odd}", f"/embed?layers={odd}",
            f"/embed?basemap={odd}", f"/embed?place={odd}", f"/embed?lang={odd}",
            f"/embed?title={odd}", f"/oembed?url={odd}", f"/oembed?url=http://localhost/{odd}",
            f"/oembed?url=http://localhost/places/{odd}", f"/oembed?url=http://localhost/?zoom={odd}",
            f"/oembed?url=http://localhost/&maxwidth={odd}",
            f"/figures/layers/{odd}.png", f"/figures/places/{odd}.svg", f"/figures/plans/{odd}.pdf",
            f"/figures/layers/nodes.{odd}", f"/figures/layers/nodes.png?dpi={odd}",
            f"/figures/layers/nodes.png?size={odd}", f"/figures/layers/nodes.png?paper={odd}",
            f"/figures/layers/nodes.png?bbox={odd}", f"/figures/layers/nodes.png?lang={odd}",
            f"/figures/layers/nodes.png?landscape={odd}",
            f"/figures/layers/nodes.png?size=300x200&dpi=50&title={odd}"]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code < 500, (url, resp.status_code)
    # the one deliberate 5xx: oEmbed's "format not implemented"
    assert client.get(f"/oembed?url=http://localhost/&format={odd}").status_code == 501


def test_discovery_partial_points_at_a_working_oembed(app, client):
    from flask import render_template

    with app.test_request_context("/?layers=zones&zoom=12"):
        tag = render_template("embed_discovery.html", t={"site": "planmap"})
    href = re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
    assert href.startswith("/oembed?")
    body = client.get(href).get_json()
    assert body["type"] == "rich" and "layers=zones" in body["html"]


def test_the_atlas_offers_the_figure_links(client):
    cfg = _config(client.get("/").get_data(as_text=True))
    assert cfg["permalink"] and cfg["figures"], "the atlas's share panel should offer figures"


@pytest.mark.parametrize("path", ["/", "/places/yiheyuan", "/layers/parks"])
def test_embeddable_pages_carry_working_oembed_discovery(client, path):
    """A CMS given the address of the atlas, a place or a layer finds /oembed from the page."""
    html = client.get(path).get_data(as_text=True)
    tag = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                    html)
    assert tag, path
    resp = client.get(tag.group(1).replace("&amp;", "&"))
    assert resp.status_code == 200 and resp.get_json()["type"] == "rich"


def test_pages_oembed_cannot_embed_carry_no_discovery(client):
    html = client.get("/plans").get_data(as_text=True)
    assert "json+oembed" not in html
