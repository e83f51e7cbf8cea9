"""The rail network on the atlas in a real browser: the OpenStreetMap credit, and the stations of
the vector basemap named from their own zoom on."""

from __future__ import annotations

import json

import pytest
from browser_fixtures import browser, live_server, page  # noqa: F401

pytestmark = pytest.mark.browser

READY = "body[data-planmap-ready]"


def test_the_odbl_notice_is_on_the_atlas(page, live_server):  # noqa: F811
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY, timeout=15000)
    credit = page.locator(".leaflet-control-attribution")
    assert "© OpenStreetMap contributors, ODbL" in credit.inner_text()
    assert page.guard.problems() == {}


def test_station_names_appear_from_their_zoom(page, live_server):  # noqa: F811
    from webmap.sources import get_store

    store = get_store(live_server.app)
    lon, lat = store.gazetteer.get("xierqizhan").geometry.coords[0]
    page.goto(f"{live_server.url}/?center={lat:.6f},{lon:.6f}&zoom=13")
    page.wait_for_selector(READY, timeout=15000)
    page.wait_for_function("() => Planmap.state.basemapDrawn > 0", timeout=15000)
    label = page.locator(".pm-minor-label.pm-station", has_text="西二旗站")
    assert label.count() == 0  # 13: rivers and roads are named, stations not yet
    zoom = json.loads(page.evaluate("JSON.stringify(Planmap.state.cfg.styles.basemap.station)"))
    page.evaluate(f"Planmap.state.map.setZoom({zoom['label_zoom']})")
    page.wait_for_selector(".pm-minor-label.pm-station", timeout=5000)
    assert label.count() == 1
    assert page.guard.problems() == {}
