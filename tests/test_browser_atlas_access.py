"""The atlas on a phone, with a keyboard and with a screen reader's checks (axe-core), in
Debian Chromium, offline."""

from __future__ import annotations

import json

import pytest
from axe_check import axe_violations
from browser_fixtures import browser, guard_page, live_server, page  # noqa: F401

pytestmark = pytest.mark.browser

READY = "body[data-planmap-ready]"
PHONE = {"width": 390, "height": 844}


def assert_clean(pg) -> None:
    problems = pg.guard.problems()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
    assert pg.evaluate("Planmap.state.errors") == []


@pytest.fixture()
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    pg = context.new_page()
    pg.guard = guard_page(pg)
    yield pg
    context.close()


def controls_share(pg) -> float:
    """The share of the map's area under its controls (each control's box clipped to the map,
    summed: overlaps count twice, so this is an upper bound)."""
    return pg.evaluate("""() => {
        const m = document.querySelector('.folium-map').getBoundingClientRect();
        let covered = 0;
        document.querySelectorAll('.leaflet-control').forEach(c => {
            if (c.parentElement.closest('.leaflet-control')) { return; }
            const r = c.getBoundingClientRect();
            const w = Math.max(0, Math.min(r.right, m.right) - Math.max(r.left, m.left));
            const h = Math.max(0, Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top));
            covered += w * h;
        });
        return covered / (m.width * m.height);
    }""")


def test_phone_controls_leave_the_map_free_and_pinch_zooms(phone, live_server, artifacts_dir):  # noqa: F811
    phone.goto(live_server.url + "/")
    phone.wait_for_selector(READY, timeout=15000)
    viewport = phone.locator('meta[name="viewport"]').get_attribute("content")
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
    assert phone.evaluate("Planmap.state.map.touchZoom.enabled()")
    # the panel starts closed, with a labelled button to open it; the legend is folded
    toggle = phone.locator(".pm-panel-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.locator("#pm-panel-body").is_hidden()
    assert phone.locator(".pm-legend details").get_attribute("open") is None
    share = controls_share(phone)
    assert share < 0.25, f"controls cover {share:.0%} of the map"
    phone.wait_for_timeout(300)
    phone.screenshot(path=str(artifacts_dir / "atlas-phone.png"))

    # two fingers moving apart zoom the map in (Chromium touch events through CDP)
    before = phone.evaluate("Planmap.state.map.getZoom()")
    box = phone.locator(".folium-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = phone.context.new_cdp_session(phone)

    def touch(kind: str, spread: float) -> None:
        points = [] if kind == "touchEnd" else [
            {"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", 30)
    for step in range(1, 11):
        touch("touchMove", 30 + step * 12)
        phone.wait_for_timeout(16)
    touch("touchEnd", 0)
    phone.wait_for_function(f"() => Planmap.state.map.getZoom() > {before}", timeout=5000)

    # the panel opens from its button and then lists the layers
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.locator("#pm-panel-body .leaflet-control-layers-overlays input").count() > 10
    phone.wait_for_timeout(300)
    phone.screenshot(path=str(artifacts_dir / "atlas-phone-panel.png"))
    assert_clean(phone)


def test_phone_popup_fits_the_screen(phone, live_server, artifacts_dir):  # noqa: F811
    phone.goto(live_server.url + "/?layers=heritage&place=yiheyuan")
    phone.wait_for_selector('.leaflet-popup .pm-popup[data-place="yiheyuan"]', timeout=15000)
    phone.wait_for_timeout(300)
    popup = phone.locator(".leaflet-popup").bounding_box()
    assert popup["width"] <= PHONE["width"] - 20, popup
    map_box = phone.locator(".folium-map").bounding_box()
    assert popup["y"] >= map_box["y"] and popup["y"] + popup["height"] <= map_box["y"] + \
        map_box["height"], (popup, map_box)
    phone.screenshot(path=str(artifacts_dir / "atlas-phone-popup.png"))
    assert_clean(phone)


def focused(pg) -> str:
    return pg.evaluate("""() => { const a = document.activeElement;
        return a.id || a.className.baseVal || a.className || a.tagName; }""")


def test_keyboard_path_search_to_popup(page, live_server, artifacts_dir):  # noqa: F811
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY, timeout=15000)
    # map shapes are no Tab stops: the page has fewer stops than shapes drawn
    assert page.evaluate("document.querySelectorAll('path.leaflet-interactive').length") > 50
    assert page.evaluate("""[...document.querySelectorAll('path.leaflet-interactive')]
        .every(p => p.getAttribute('tabindex') === '-1')""")
    # Tab reaches the skip link first; Enter on it puts the focus in the search box
    presses = 0
    while presses < 3 and focused(page) not in ("pm-skip", "pm-search-input"):
        page.keyboard.press("Tab")
        presses += 1
    assert focused(page) == "pm-skip", focused(page)
    page.keyboard.press("Enter")
    assert focused(page) == "pm-search-input"
    page.screenshot(path=str(artifacts_dir / "keyboard-1-skip-to-search.png"))
    page.keyboard.type("頤和園")
    page.wait_for_selector('#pm-search-list [role=option][data-place="yiheyuan"]', timeout=5000)
    box = page.locator("#pm-search-input")
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.locator("#pm-search-list [role=option]").nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    page.keyboard.press("ArrowUp")
    page.screenshot(path=str(artifacts_dir / "keyboard-2-results.png"))
    page.keyboard.press("Enter")
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="yiheyuan"]', timeout=8000)
    # the list closed, the popup took the focus, its links are the next Tab stops
    assert page.locator("#pm-search-list [role=option]").count() == 0
    assert box.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.closest('.pm-popup') !== null")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")
    page.wait_for_timeout(400)  # the popup's fade-in
    page.screenshot(path=str(artifacts_dir / "keyboard-3-popup.png"))

    # Esc closes a result list
    box.focus()
    box.fill("")
    page.keyboard.type("zgc")
    page.wait_for_selector("#pm-search-list [role=option]", timeout=5000)
    page.keyboard.press("Escape")
    assert page.locator("#pm-search-list [role=option]").count() == 0
    assert_clean(page)


def test_a_shape_focused_on_purpose_opens_with_enter(page, live_server):  # noqa: F811
    page.goto(live_server.url + "/?layers=heritage&center=39.999,116.275&zoom=14")
    page.wait_for_selector(READY, timeout=15000)
    page.locator(".pm-section-browser > summary").click()
    button = page.locator('.pm-browser-table .pm-zoom-to[data-place="yiheyuan"]')
    button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('data-place')") == "yiheyuan"
    outline = page.evaluate("getComputedStyle(document.activeElement).strokeWidth")
    assert outline == "5px", outline  # visible focus
    page.keyboard.press("Enter")
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="yiheyuan"]', timeout=5000)
    assert_clean(page)


@pytest.mark.parametrize(("path", "size", "open_all"), [
    ("/", (1280, 860), True),
    ("/?lang=en", (390, 844), False),
    ("/?layers=heritage&place=yiheyuan&lang=en", (1280, 860), True),
    ("/embed?layers=zones,parks", (800, 600), False),
    ("/embed?layers=heritage&place=yiheyuan&title=Test", (390, 600), False),
])
def test_axe_finds_no_serious_violation(browser, live_server, path, size, open_all):  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    pg = context.new_page()
    pg.guard = guard_page(pg)
    try:
        pg.goto(live_server.url + path)
        pg.wait_for_selector(READY, timeout=15000)
        if open_all:
            pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            pg.locator(".pm-share-button").click()
            pg.locator("#pm-search-input").fill("清河")
            pg.wait_for_selector("#pm-search-list [role=option]", timeout=5000)
        pg.wait_for_timeout(300)
        violations = axe_violations(pg)
        assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
        assert_clean(pg)
    finally:
        context.close()
