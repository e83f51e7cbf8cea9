"""/embed in a real browser: another site's page frames it and it shows the chosen view.

Debian Chromium driven by pip playwright (never `playwright install`). The host page is served
by a second tiny server on another port, so the iframe is cross-origin as it is in real use.
Every request not to 127.0.0.1/localhost is aborted and recorded (the guard covers the
iframe's requests too, which the test checks).
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from browser_fixtures import browser, guard_page, start_server  # noqa: F401
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

pytestmark = pytest.mark.browser

VIEW = "layers=zones,parks&center=40.03,116.27&zoom=12&basemap=vector"


@pytest.fixture(scope="module")
def planmap_server() -> Iterator:
    srv, server, thread = start_server({"ONLINE_BASEMAPS": ["amap"]})
    yield srv
    server.shutdown()
    thread.join(timeout=5)


def _blank_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 230, 230)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def host_server() -> Iterator[str]:
    """Another origin: /host?src=URL is a page holding an iframe of URL (and a second one of
    URL2 when given)."""

    @Request.application
    def host(request: Request) -> Response:
        frames = "".join(
            f'<iframe id="{name}" src="{html.escape(request.args[name])}" width="800" '
            f'height="560" style="border:0"></iframe>'
            for name in ("src", "src2") if name in request.args)
        return Response(f"<!doctype html><html><head><meta charset='utf-8'>"
                        f"<title>host</title><link rel='icon' href='data:,'></head><body>"
                        f"<h1>report</h1>{frames}</body></html>", mimetype="text/html")

    server = make_server("localhost", 0, host, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    pg.guard = guard_page(pg)
    pg.seen = []
    pg.on("request", lambda r: pg.seen.append(r.url))
    yield pg
    context.close()


def _host(host_server: str, **frames: str) -> str:
    return f"{host_server}/host?{urlencode(frames)}"


def _frame(page, frame_id: str):
    handle = page.wait_for_selector(f"iframe#{frame_id}")
    frame = handle.content_frame()
    assert frame is not None
    return frame


def _ready(frame) -> None:
    frame.wait_for_selector("body[data-planmap-ready='1']", state="attached", timeout=20000)


def _visible(frame) -> list[str]:
    return frame.evaluate("""() => { const st = Planmap.state;
        return st.cfg.layers.filter(d => st.map.hasLayer(st.overlays[d.id])).map(d => d.id); }""")


def test_iframe_shows_the_chosen_view_offline(page, planmap_server, host_server, artifacts_dir):
    from webmap.sources import get_store

    store = get_store(planmap_server.app)
    src = f"{planmap_server.url}/embed?{VIEW}&title=北部地区"
    page.goto(_host(host_server, src=src))
    frame = _frame(page, "src")
    _ready(frame)
    assert _visible(frame) == ["zones", "parks"]
    assert frame.evaluate("Planmap.state.map.getZoom()") == 12
    centre = frame.evaluate("(() => { const c = Planmap.state.map.getCenter(); "
                            "return [c.lat, c.lng]; })()")
    assert abs(centre[0] - 40.03) < 1e-3 and abs(centre[1] - 116.27) < 1e-3
    for lid in ("zones", "parks"):
        expected = len([f for f in store.features(lid) if f.get("geometry")])
        assert frame.evaluate(f"Planmap.state.drawn[{json.dumps(lid)}]") == expected
        drawn = frame.locator(f".leaflet-overlay-pane .pm-layer-{lid}").count()
        assert drawn == expected, f"{lid}: {drawn} of {expected} drawn"
    assert frame.evaluate("Planmap.state.baseId") == "vector"
    # no chrome: no navigation, no search box, no share control, no layer control
    assert frame.locator(".pm-nav, .pm-search, .pm-share, .leaflet-control-layers").count() == 0
    assert frame.locator(".pm-embed-title").inner_text() == "北部地区"
    href = frame.get_attribute("#pm-embed-open", "href")
    query = parse_qs(urlsplit(href).query)
    assert query["layers"] == ["zones,parks"] and query["zoom"] == ["12"]
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "embed-iframe.png"))
    # the guard saw the iframe's own requests (so "no off-host request" covers them)
    assert any("/api/layers/zones.geojson" in url for url in page.seen)
    assert page.guard.problems() == {}, page.guard.problems()


def test_open_link_follows_the_readers_view(page, planmap_server, host_server):
    src = f"{planmap_server.url}/embed?{VIEW}&lang=en"
    page.goto(_host(host_server, src=src))
    frame = _frame(page, "src")
    _ready(frame)
    assert "Open in planmap" in frame.inner_text("#pm-embed-open")
    frame.evaluate("() => { Planmap.state.map.setView([39.98, 116.31], 14, {animate: false}); }")
    frame.wait_for_function(
        "() => document.getElementById('pm-embed-open').href.includes('zoom=14')")
    query = parse_qs(urlsplit(frame.get_attribute("#pm-embed-open", "href")).query)
    assert query["center"] == ["39.98000,116.31000"] and query["lang"] == ["en"]
    assert query["layers"] == ["zones,parks"]
    assert page.guard.off_host == []


def test_only_embed_may_be_framed_by_another_site(page, planmap_server, host_server):
    embed = f"{planmap_server.url}/embed?{VIEW}"
    atlas = f"{planmap_server.url}/?{VIEW}"
    page.goto(_host(host_server, src=embed, src2=atlas))
    _ready(_frame(page, "src"))
    blocked = _frame(page, "src2")
    page.wait_for_timeout(1000)
    has_map = blocked.evaluate("() => !!(window.Planmap && window.Planmap.state)")
    assert not has_map, "the atlas must refuse to be framed by another origin"
    assert page.guard.off_host == []


def test_allow_list_refuses_other_sites(browser, host_server):  # noqa: F811
    srv, server, thread = start_server({"FRAME_ANCESTORS": "https://reports.example"})
    try:
        context = browser.new_context()
        pg = context.new_page()
        guard = guard_page(pg)
        pg.goto(_host(host_server, src=f"{srv.url}/embed?{VIEW}"))
        frame = _frame(pg, "src")
        pg.wait_for_timeout(1000)
        assert not frame.evaluate("() => !!(window.Planmap && window.Planmap.state)")
        assert guard.off_host == []
        context.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_share_panel_gives_figure_links_and_a_working_snippet(page, planmap_server, host_server,
                                                              artifacts_dir):
    page.goto(f"{planmap_server.url}/?layers=zones&center=40.0,116.3&zoom=12")
    page.wait_for_selector("body[data-planmap-ready='1']", state="attached", timeout=20000)
    page.click(".pm-share-button")
    png = page.get_attribute(".pm-share-figures .pm-share-figure-png", "href")
    pdf = page.get_attribute(".pm-share-figures .pm-share-figure-pdf", "href")
    assert png.startswith("/figures/layers/zones.png?lang=zh&bbox=")
    assert "paper=A4" in pdf
    resp = page.request.get(planmap_server.url + png)
    assert resp.status == 200 and resp.headers["content-type"] == "image/png"
    (artifacts_dir / "share-figure-of-view.png").write_bytes(resp.body())
    # WEB's iframe snippet, pasted into another site's page, shows the same view
    code = page.input_value(".pm-share-code")
    src = html.unescape(code.split('src="', 1)[1].split('"', 1)[0])
    assert urlsplit(src).path == "/embed"
    page.goto(_host(host_server, src=src))
    frame = _frame(page, "src")
    _ready(frame)
    assert _visible(frame) == ["zones"]
    assert frame.evaluate("Planmap.state.map.getZoom()") == 12
    assert page.guard.problems() == {}, page.guard.problems()


def test_embed_opens_the_place_of_the_link(page, planmap_server, host_server):
    from webmap.sources import get_store

    record = get_store(planmap_server.app).place_record("yiheyuan")
    assert record.get("geometry") and record.get("passages"), "颐和园 is not located or not cited"
    src = f"{planmap_server.url}/embed?layers=heritage&place=yiheyuan"
    page.goto(_host(host_server, src=src))
    frame = _frame(page, "src")
    _ready(frame)
    popup = frame.wait_for_selector(".leaflet-popup-content", timeout=10000)
    frame.wait_for_function("() => document.querySelector('.leaflet-popup-content').innerText"
                            ".includes('《')", timeout=10000)
    text = popup.inner_text()
    assert "颐和园" in text
    assert frame.evaluate("Planmap.state.openPlace") == "yiheyuan"
    assert page.guard.problems() == {}, page.guard.problems()


def test_figure_links_frame_only_a_wgs84_view_within_beijing(page, planmap_server):
    page.goto(f"{planmap_server.url}/?layers=zones&center=40.0,116.3&zoom=6&lang=en")
    page.wait_for_selector("body[data-planmap-ready='1']", state="attached", timeout=20000)
    page.click(".pm-share-button")
    assert "Static figure of this view" in page.inner_text(".pm-share-figures")
    png = ".pm-share-figures .pm-share-figure-png"
    # the whole country is in view: no frame, the figure frames its content
    assert page.get_attribute(png, "href") == "/figures/layers/zones.png?lang=en"
    page.evaluate("() => { Planmap.state.map.setView([40.0, 116.3], 12, {animate: false}); }")
    page.wait_for_function(f"() => document.querySelector('{png}').href.includes('bbox=')")
    bbox = parse_qs(urlsplit(page.get_attribute(png, "href")).query)["bbox"][0].split(",")
    assert float(bbox[0]) < 116.3 < float(bbox[2]) and float(bbox[1]) < 40.0 < float(bbox[3])
    # no layer shown: no figure, a note says why
    assert page.is_hidden(".pm-share-figures > div:last-child")
    page.locator(".leaflet-control-layers-overlays input:checked").first.uncheck()
    page.wait_for_selector(png, state="hidden")
    assert page.is_visible(".pm-share-figures > div:last-child")
    page.locator(".leaflet-control-layers-overlays input").first.check()
    page.wait_for_selector(png, state="visible")
    assert page.guard.problems() == {}, page.guard.problems()
    # GCJ-02 map coordinates are not WGS-84: no frame again. AMap's tiles are answered here
    # by a blank PNG (the test machine is offline), so the basemap stays AMap.
    asked: list[str] = []
    page.route("**/*autonavi.com/**", lambda r: (asked.append(r.request.url), r.fulfill(
        status=200, content_type="image/png", body=_blank_png())))
    page.locator(".leaflet-control-layers-base label", has_text="AMap").locator("input").check()
    page.wait_for_function(f"() => !document.querySelector('{png}').href.includes('bbox=')")
    assert asked and all("autonavi.com" in u for u in asked)
    assert page.guard.problems() == {}, page.guard.problems()
