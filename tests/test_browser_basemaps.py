"""Intranet basemaps from the settings, against a real tile server on loopback: offered in the
layer control, drawn, overlays shifted for a GCJ-02 service, and a service that does not answer
reported with the offline basemap back (Debian Chromium)."""

from __future__ import annotations

import io
import json
import re
import socket
import threading

import pytest
from browser_fixtures import browser, guard_page, start_server  # noqa: F401
from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

pytestmark = pytest.mark.browser

READY = "body[data-planmap-ready]"
TILE = re.compile(r"^/(wgs|gcj)/(\d+)/(\d+)/(\d+)\.png$")


class TileServer:
    """PNG tiles for any z/x/y under /wgs/ and /gcj/, counting what was asked."""

    def __init__(self) -> None:
        buf = io.BytesIO()
        Image.new("RGB", (256, 256), (200, 215, 190)).save(buf, "PNG")
        self.png = buf.getvalue()
        self.asked: list[str] = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @Request.application
    def app(self, request: Request) -> Response:
        if not TILE.match(request.path):
            return Response("no such tile", status=404)
        self.asked.append(request.path)
        return Response(self.png, mimetype="image/png")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tiles():
    server = TileServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(timeout=5)


@pytest.fixture(scope="module")
def bureau(tiles):
    services = [
        {"id": "bureau", "title": {"zh": "规划局底图", "en": "Bureau basemap"}, "kind": "xyz",
         "url": tiles.url + "/wgs/{z}/{x}/{y}.png", "crs": "CGCS2000",
         "attribution": "© Bureau tiles", "min_zoom": 3, "max_zoom": 18},
        {"id": "bureau-gcj", "title": "规划局底图（GCJ-02）", "kind": "wmts",
         "url": tiles.url + "/gcj/{TileMatrix}/{TileCol}/{TileRow}.png", "crs": "GCJ-02",
         "attribution": "© Bureau GCJ tiles"},
        {"id": "bureau-down", "title": "停用的服务", "kind": "xyz",
         "url": f"http://127.0.0.1:{closed_port()}/wgs/{{z}}/{{x}}/{{y}}.png", "crs": "wgs84",
         "attribution": "© nobody"},
    ]
    srv, server, thread = start_server({"BASEMAPS": services})
    yield srv
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def pg(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.guard = guard_page(page)
    yield page
    context.close()


def choose(page, title: str) -> None:
    base = page.locator(".leaflet-control-layers-base")
    base.get_by_role("radio", name=title, exact=True).check()


def test_an_intranet_service_is_offered_and_drawn(pg, bureau, tiles):
    pg.goto(bureau.url + "/?layers=zones")
    pg.wait_for_selector(READY, timeout=15000)
    bases = pg.locator(".leaflet-control-layers-base label").all_inner_texts()
    assert [b.strip() for b in bases] == ["规划底图（离线）", "规划局底图", "规划局底图（GCJ-02）",
                                          "停用的服务"]
    before = len(tiles.asked)
    choose(pg, "规划局底图")
    pg.wait_for_selector(".leaflet-tile-loaded", timeout=8000)
    assert len(tiles.asked) > before and all(p.startswith("/wgs/") for p in tiles.asked[before:])
    assert pg.evaluate("Planmap.state.crs") == "wgs84"  # CGCS2000 tiles take WGS-84 overlays
    assert "© Bureau tiles" in pg.locator(".leaflet-control-attribution").inner_text()
    assert "basemap=bureau" in pg.url
    problems = pg.guard.problems()
    assert not problems, json.dumps(problems, ensure_ascii=False)


def test_a_gcj02_service_shifts_the_overlays(pg, bureau, tiles):
    pg.goto(bureau.url + "/?layers=zones")
    pg.wait_for_selector(READY, timeout=15000)
    before = pg.evaluate("Planmap.state.overlays.zones.getBounds().getCenter()")
    with pg.expect_response(lambda r: "crs=gcj02" in r.url and "/zones.geojson" in r.url):
        choose(pg, "规划局底图（GCJ-02）")
    pg.wait_for_function("() => Planmap.state.overlays.zones.pmCrs === 'gcj02'", polling=100)
    after = pg.evaluate("Planmap.state.overlays.zones.getBounds().getCenter()")
    shift_m = (((after["lng"] - before["lng"]) * 85_000) ** 2
               + ((after["lat"] - before["lat"]) * 111_000) ** 2) ** 0.5
    assert 300 < shift_m < 900, shift_m
    pg.wait_for_selector(".leaflet-tile-loaded", timeout=8000)
    assert any(p.startswith("/gcj/") for p in tiles.asked)
    # and back: the overlays return to WGS-84
    choose(pg, "规划底图（离线）")
    pg.wait_for_function("() => Planmap.state.overlays.zones.pmCrs === 'wgs84'", polling=100)
    problems = pg.guard.problems()
    assert not problems, json.dumps(problems, ensure_ascii=False)


def test_a_service_that_does_not_answer_is_reported_and_the_offline_map_returns(pg, bureau,
                                                                                artifacts_dir):
    pg.goto(bureau.url + "/?layers=zones")
    pg.wait_for_selector(READY, timeout=15000)
    # a click, not check(): the radio unchecks itself as the offline basemap comes back
    pg.locator(".leaflet-control-layers-base").get_by_role("radio", name="停用的服务").click()
    notice = pg.locator(".pm-notice[role=alert]")
    notice.wait_for(timeout=8000)
    assert "停用的服务" in notice.inner_text() and "离线" in notice.inner_text()
    assert pg.evaluate("Planmap.state.baseId") == "vector"
    assert pg.locator(".leaflet-control-layers-base").get_by_role(
        "radio", name="规划底图（离线）", exact=True).is_checked()
    assert pg.locator(".leaflet-tile").count() == 0
    pg.wait_for_timeout(500)
    pg.screenshot(path=str(artifacts_dir / "atlas-basemap-down.png"))
    # one probe, one failure: no storm of tile errors
    g = pg.guard
    assert len(g.failed) == 1 and len(g.console_errors) <= 1, g.problems()
    assert not g.page_errors and not g.off_host and not g.http_errors
    pg.locator(".pm-notice-close").click()
    assert pg.locator(".pm-notice").count() == 0
    assert pg.evaluate("Planmap.state.errors") == []


def test_online_basemaps_fall_back_when_offline(browser):  # noqa: F811
    """OpenStreetMap turned on, but the machine is offline (the guard aborts every off-host
    request): the map says so, once, and shows the offline basemap."""
    srv, server, thread = start_server({"ONLINE_BASEMAPS": ["osm"]})
    context = browser.new_context(viewport={"width": 1024, "height": 700}, locale="en-GB")
    page = context.new_page()
    g = guard_page(page)
    try:
        page.goto(srv.url + "/?layers=zones&basemap=osm&lang=en")
        page.locator(".pm-notice[role=alert]").wait_for(timeout=15000)
        assert "OpenStreetMap" in page.locator(".pm-notice").inner_text()
        assert page.evaluate("Planmap.state.baseId") == "vector"
        page.wait_for_timeout(500)
        assert len(g.off_host) == 1 and all("openstreetmap.org" in u for u in g.off_host)
        assert len(g.console_errors) <= 1 and not g.page_errors
    finally:
        context.close()
        server.shutdown()
        thread.join(timeout=5)
