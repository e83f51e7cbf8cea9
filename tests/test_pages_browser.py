"""The place, plan, layer and comparison pages in Debian Chromium: axe-core finds no serious or
critical violation in Chinese or English; on a 390×844 phone the pages are one column with no
sideways scrolling and can be pinch-zoomed; a click on a plan's place shows it on the plan's own
map; focus is visible. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_fixtures import browser, guard_page, live_server  # noqa: F401

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
READY = "body[data-planmap-ready]"
OLD, NEW = "haidian-13th-innovation-core", "haidian-14th-fyp"
PAGES = {
    "place": "/places/beiqinglu",
    "plan": f"/plans/{NEW}",
    "plans": "/plans",
    "layer": "/layers/parks",
    "layers": "/layers",
    "compare": f"/compare?a={OLD}&b={NEW}",
}
MAP_PAGES = {"place", "plan", "layer", "compare"}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


def _context(browser, lang: str, phone: bool = False):  # noqa: F811
    options: dict = {"locale": "zh-CN" if lang == "zh" else "en-GB"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    else:
        options.update(viewport={"width": 1280, "height": 860})
    return browser.new_context(**options)


def _open(page, base: str, name: str, lang: str) -> None:
    url = base + PAGES[name]
    if lang == "en":
        url += ("&" if "?" in url else "?") + "lang=en"
    page.goto(url)
    if name in MAP_PAGES:
        page.wait_for_selector(READY, timeout=30000)
    else:
        page.wait_for_load_state("load")


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands."""
    # not as a <script> tag: the pages' CSP admits only their own inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
             "first": v["nodes"][0]["target"], "why": v["nodes"][0]["failureSummary"][:240]}
            for v in result["violations"] if v["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(browser, live_server, name, lang):  # noqa: F811
    context = _context(browser, lang)
    page = context.new_page()
    page.guard = guard_page(page)
    _open(page, live_server.url, name, lang)
    bad = serious_violations(page)
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
    assert not page.guard.problems(), page.guard.problems()
    context.close()


@pytest.mark.parametrize("name", ["place", "compare"])
def test_axe_on_the_phone_too(browser, live_server, name):  # noqa: F811
    context = _context(browser, "zh", phone=True)
    page = context.new_page()
    _open(page, live_server.url, name, "zh")
    bad = serious_violations(page)
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_pages_are_one_column_without_sideways_scrolling(browser, live_server,  # noqa: F811
                                                               name, artifacts_dir):
    context = _context(browser, "en", phone=True)
    page = context.new_page()
    _open(page, live_server.url, name, "en")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth,"
                          " window.visualViewport.width]")
    assert width[0] <= PHONE["width"] and width[1] == PHONE["width"], width
    if name in MAP_PAGES:
        text = page.locator(".pm-text").bounding_box()
        side = page.locator(".pm-side-map").bounding_box()
        assert text["width"] > 0.9 * PHONE["width"]  # one column: the text takes the width
        assert side["width"] > 0.9 * PHONE["width"] and side["y"] < text["y"]  # map above
        assert side["height"] >= 200
        drawn = page.evaluate("Planmap.state.map.getSize()")
        assert drawn["x"] > 0.9 * side["width"] and drawn["y"] > 0.9 * side["height"], drawn
    if name == "place":
        page.screenshot(path=str(artifacts_dir / "phone-place-page.png"))
    context.close()


@pytest.mark.parametrize("name", ["plans", "place"])
def test_phone_pages_can_be_pinch_zoomed(browser, live_server, name):  # noqa: F811
    """A pinch on the page's text zooms it (a page with user-scalable=no stays at 1)."""
    context = _context(browser, "zh", phone=True)
    page = context.new_page()
    _open(page, live_server.url, name, "zh")
    assert page.evaluate("window.visualViewport.scale") == 1
    cdp = context.new_cdp_session(page)
    # below the map on a place page; headless Chromium pinches with the "default" source
    cdp.send("Input.synthesizePinchGesture", {"x": 190, "y": 650, "scaleFactor": 2.0,
                                              "relativeSpeed": 800,
                                              "gestureSourceType": "default"})
    page.wait_for_function("() => window.visualViewport.scale > 1.5", timeout=5000)
    context.close()


def test_a_plans_place_shows_on_its_own_map(browser, live_server, artifacts_dir):  # noqa: F811
    context = _context(browser, "zh")
    page = context.new_page()
    page.guard = guard_page(page)
    _open(page, live_server.url, "plan", "zh")
    url = page.url
    # the map frames Haidian (about 116.05–116.39 E, 39.89–40.16 N), not Beijing and Hebei
    # (115.4–117.5 E, 39.4–41.1 N and beyond): Haidian fills the frame at a whole zoom level
    bounds = page.evaluate("Planmap.state.map.getBounds().toBBoxString()").split(",")
    west, south, east, north = map(float, bounds)
    assert west < 116.12 and east > 116.33 and south < 39.93 and north > 40.12, bounds
    assert east - west < 0.8 and north - south < 1.0, bounds
    link = page.locator('.pm-named a[data-place="yiheyuan"]')
    assert link.count() == 1
    assert page.evaluate("Planmap.state.map.getZoom()") <= 11
    link.click()
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="yiheyuan"]', timeout=10000)
    assert page.url == url  # still on the plan page
    assert page.evaluate("document.body.getAttribute('data-pm-shown')") == "yiheyuan"
    # the map was fitted to the place (then the popup panned into view): the place is on it,
    # closer than the plan's frame
    record = page.request.get(f"{live_server.url}/api/places/yiheyuan").json()
    lon, lat = record["anchor"]
    page.wait_for_function("() => Planmap.state.map.getZoom() >= 13", timeout=5000)
    assert page.evaluate(f"Planmap.state.map.getBounds().contains([{lat}, {lon}])")
    assert "颐和园" in page.locator("#pm-map-status").inner_text()
    # a mention in the text does the same; the popup's Details link leads to the place page
    mention = page.locator('.pm-plan-text a.pm-mention[data-place="beiqinglu"]').first
    mention.click()
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="beiqinglu"]', timeout=10000)
    assert page.url == url
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(artifacts_dir / "plan-page-place-shown.png"))
    with page.expect_navigation():
        page.locator('.leaflet-popup .pm-popup[data-place="beiqinglu"] .pm-links a').first.click()
    assert "/places/beiqinglu" in page.url
    assert not page.guard.problems(), page.guard.problems()
    context.close()


def test_comparison_lists_the_places_new_in_2021(browser, live_server, artifacts_dir):  # noqa: F811
    context = _context(browser, "zh")
    page = context.new_page()
    page.guard = guard_page(page)
    _open(page, live_server.url, "compare", "zh")
    new = page.locator("#pm-only_b .pm-compare-place")
    assert new.count() > 20
    first = new.first
    place_id = first.get_attribute("data-place")
    assert place_id not in page.request.get(f"{live_server.url}/api/plans/{OLD}").json()["places"]
    assert place_id in page.request.get(f"{live_server.url}/api/plans/{NEW}").json()["places"]
    passage = first.locator(f'.pm-side[data-plan="{NEW}"] .pm-passage').first
    assert passage.locator("mark").count() >= 1
    assert "(第" in passage.locator("cite").inner_text()
    assert first.locator(f'.pm-side[data-plan="{OLD}"] .pm-not-named').count() == 1
    drawn = page.evaluate("Planmap.state.drawn")
    assert all(drawn.get(f"compare-{g}", 0) > 0 for g in ("both", "only_a", "only_b")), drawn
    key = page.locator(".pm-compare-summary").inner_text()  # the page's own key to the map
    assert "两份都提及" in key and "仅见于" in key
    assert page.locator(".pm-compare-summary .pm-swatch").count() == 3
    page.screenshot(path=str(artifacts_dir / "compare-2016-2021.png"))
    located = first.locator("h3 a[data-place]")
    if "pm-unlocated" not in (located.get_attribute("class") or ""):
        located.click()
        page.wait_for_selector(f'.leaflet-popup .pm-popup[data-place="{place_id}"]',
                               timeout=10000)
    assert not page.guard.problems(), page.guard.problems()
    context.close()


def test_comparison_on_a_phone(browser, live_server, artifacts_dir):  # noqa: F811
    context = _context(browser, "en", phone=True)
    page = context.new_page()
    _open(page, live_server.url, "compare", "en")
    assert page.locator("#pm-only_b h2").inner_text().startswith("Only in Haidian 14th")
    page.screenshot(path=str(artifacts_dir / "phone-compare.png"))
    context.close()


@pytest.mark.parametrize("name", ["place", "layer", "plans"])
def test_keyboard_focus_is_visible(browser, live_server, name):  # noqa: F811
    context = _context(browser, "zh")
    page = context.new_page()
    _open(page, live_server.url, name, "zh")
    seen = 0
    for _ in range(12):
        page.keyboard.press("Tab")
        style = page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body || !e.closest('main')) return null;
            const s = getComputedStyle(e);
            return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth)];
        }""")
        if style is None:
            continue
        seen += 1
        assert style[1] != "none" and style[2] >= 2, style
    assert seen >= 3
    context.close()


def test_every_control_on_the_pages_is_labelled(browser, live_server):  # noqa: F811
    context = _context(browser, "en")
    page = context.new_page()
    for name in ("plan", "plans", "compare"):
        _open(page, live_server.url, name, "en")
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
                'main select, main input:not([type=hidden]), main button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !(e.tagName === 'BUTTON' && e.textContent.trim()))
            .map(e => e.outerHTML.slice(0, 80))""")
        assert not unlabelled, (name, unlabelled)
    context.close()
