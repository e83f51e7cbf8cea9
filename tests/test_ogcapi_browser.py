"""The OGC API's HTML pages in Debian Chromium: drawn offline with the app's own Leaflet."""

from __future__ import annotations

import pytest
from browser_fixtures import browser, live_server, page  # noqa: F401
from ogcapi_fixtures import expected_collections

from layers.store import default_store

pytestmark = pytest.mark.browser


def located_layer() -> tuple[str, list[dict]]:
    """The first OGC collection and its features (a mixed layer is split by geometry family)."""
    located = [(cid, feats) for cid, (_, feats) in expected_collections(default_store()).items()
               if feats]
    assert located, "no layer has a located feature"
    return located[0]


def test_items_page_draws_every_feature_offline(page, live_server, artifacts_dir):  # noqa: F811
    layer_id, feats = located_layer()
    page.goto(f"{live_server.url}/ogcapi/collections/{layer_id}/items?f=html&limit=10000")
    page.wait_for_function(
        "() => document.querySelectorAll('#map .leaflet-interactive').length > 0")
    drawn = page.evaluate("document.querySelectorAll('#map .leaflet-interactive').length")
    assert drawn >= len(feats)  # a multi-part geometry may draw more than one shape
    rows = page.locator("table tbody tr").count()
    assert rows == len(feats)
    assert feats[0]["properties"]["name"] in page.content()
    page.locator("#map .leaflet-interactive").first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content a")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "ogcapi-items.png"))
    assert page.guard.problems() == {}


@pytest.mark.parametrize("path", ["/ogcapi/?f=html", "/ogcapi/collections?f=html",
                                  "/ogcapi/api?f=html", "/ogcapi/conformance?f=html"])
def test_other_pages_load_cleanly(page, live_server, path):  # noqa: F811
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert page.guard.problems() == {}


def test_item_page(page, live_server):  # noqa: F811
    layer_id, feats = located_layer()
    fid = feats[0]["id"]
    page.goto(f"{live_server.url}/ogcapi/collections/{layer_id}/items/{fid}")  # Accept: html
    page.wait_for_function(
        "() => document.querySelectorAll('#map .leaflet-interactive').length > 0")
    assert page.locator("h1").inner_text() == feats[0]["properties"]["name"]
    assert page.guard.problems() == {}
