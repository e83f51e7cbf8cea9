"""Search that forgives, in the atlas: traditional characters, pinyin initials, English, the
nearest names for a miss; a pick closes the list, highlights the place and frames it, and so
does a `?place=` link (Debian Chromium, offline)."""

from __future__ import annotations

import json

import pytest
from browser_fixtures import browser, live_server, page  # noqa: F401

pytestmark = pytest.mark.browser

READY = "body[data-planmap-ready]"


def assert_clean(pg) -> None:
    problems = pg.guard.problems()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
    assert pg.evaluate("Planmap.state.errors") == []


def small_place(server) -> dict:
    """A located polygon place about 400 m across (250–600 m), in an atlas layer."""
    from webmap.sources import get_store

    store = get_store(server.app)
    best = None
    for layer in store.layers:
        for f in store.features(layer.id):
            if not f["geometry"]["type"].endswith("Polygon"):
                continue
            rec = store.place_record(f["id"])
            xs = [c[0] for c in _coords(f["geometry"])]
            ys = [c[1] for c in _coords(f["geometry"])]
            size = max((max(xs) - min(xs)) * 85_000, (max(ys) - min(ys)) * 111_000)
            if 250 <= size <= 600 and rec["name"] and len(store.search(rec["name"])) and \
                    store.search(rec["name"])[0]["id"] == f["id"]:
                cand = {"id": f["id"], "name": rec["name"], "size_m": size}
                if best is None or abs(size - 400) < abs(best["size_m"] - 400):
                    best = cand
    assert best is not None, "no place of about 400 m that its own name finds first"
    return best


def _coords(geom):
    if geom["type"] == "Polygon":
        return [c for ring in geom["coordinates"] for c in ring]
    return [c for poly in geom["coordinates"] for ring in poly for c in ring]


def shown_size_px(pg, place_id: str) -> float:
    """The picked place's width or height on screen, whichever is larger, in pixels: the
    highlight drawn over it (the place's own layer may not be shown, e.g. from a `?place=` link)."""
    pg.wait_for_function("(id) => Planmap.state.highlighted === id", arg=place_id, timeout=10000)
    return pg.evaluate("""() => { const s = Planmap.state;
        const bb = s.highlight.getBounds();
        if (!bb.isValid() || !s.map.getBounds().intersects(bb)) { return 0; }
        const a = s.map.latLngToContainerPoint(bb.getNorthWest());
        const c = s.map.latLngToContainerPoint(bb.getSouthEast());
        return Math.max(Math.abs(c.x - a.x), Math.abs(c.y - a.y)); }""")


def search_and_pick(pg, typed: str, pid: str) -> None:
    box = pg.locator("#pm-search-input")
    box.fill(typed)
    option = pg.locator(f'#pm-search-list [role=option][data-place="{pid}"]')
    option.wait_for(timeout=5000)
    first = pg.locator("#pm-search-list [role=option]").first.get_attribute("data-place")
    assert first == pid, f"{typed}: first result {first}, not {pid}"
    option.click()
    pg.wait_for_selector(f'.leaflet-popup .pm-popup[data-place="{pid}"]', timeout=8000)


@pytest.mark.parametrize(("typed", "pid"), [
    ("頤和園", "yiheyuan"),       # traditional characters
    ("zgc", "zhongguancun"),      # pinyin initials
    ("Summer Palace", "yiheyuan"),  # English
    ("西二旗", "xierqi"),         # the area first (its station 西二旗站 comes second)

    ("颐和圆", "yiheyuan"),       # a close spelling
])
def test_search_finds_and_frames_the_place(page, live_server, typed, pid):  # noqa: F811
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY, timeout=15000)
    search_and_pick(page, typed, pid)
    # the list is closed, the place is highlighted and in view
    assert page.locator("#pm-search-list [role=option]").count() == 0
    assert page.evaluate("Planmap.state.highlighted") == pid
    assert page.locator(".leaflet-overlay-pane path.pm-highlight, "
                        ".leaflet-overlay-pane .pm-highlight").count() >= 1
    rec = page.request.get(f"{live_server.url}/api/places/{pid}").json()
    b = rec["bbox"]
    inside = page.evaluate(f"Planmap.state.map.getBounds().pad(0.01).contains([[{b[1]}, {b[0]}], "
                           f"[{b[3]}, {b[2]}]])")
    assert inside, "the picked place is not all in view"
    assert f"place={pid}" in page.url
    assert_clean(page)


def test_a_400_m_place_is_framed_to_be_seen(page, live_server):  # noqa: F811
    place = small_place(live_server)
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY, timeout=15000)
    search_and_pick(page, place["name"], place["id"])
    assert shown_size_px(page, place["id"]) >= 80, place
    # the same from a link that names the place but no view (a place page's "show on map")
    page.goto(f"{live_server.url}/?place={place['id']}")
    page.wait_for_selector(f'.leaflet-popup .pm-popup[data-place="{place["id"]}"]',
                           timeout=15000)
    page.wait_for_selector(READY)
    assert page.evaluate("Planmap.state.highlighted") == place["id"]
    assert page.evaluate("Planmap.state.map.getZoom()") >= 15
    assert shown_size_px(page, place["id"]) >= 80, place
    assert_clean(page)


def test_a_link_with_a_view_keeps_that_view(page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/?layers=heritage&place=yiheyuan&center=40.0,116.3&zoom=12")
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="yiheyuan"]', timeout=15000)
    assert page.evaluate("Planmap.state.map.getZoom()") == 12
    assert page.evaluate("Planmap.state.highlighted") is None
    assert_clean(page)


def test_a_miss_lists_the_nearest_names(page, live_server):  # noqa: F811
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY, timeout=15000)
    box = page.locator("#pm-search-input")
    box.fill("小营西路")
    page.wait_for_function("() => Planmap.state.searchShown && "
                           "Planmap.state.searchShown.query === '小营西路'", timeout=5000)
    status = page.locator(".pm-search-status").inner_text()
    assert "没有找到" in status and "最接近" in status, status
    answer = page.request.get(f"{live_server.url}/api/places?q=小营西路").json()
    assert answer["results"] == [] and answer["nearest"]
    shown = page.locator("#pm-search-list [role=option]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-place'))")
    assert shown == [n["id"] for n in answer["nearest"]]
    # Enter alone does not open a mere suggestion
    box.press("Enter")
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-popup").count() == 0
    # a suggestion can be chosen
    page.locator("#pm-search-list [role=option]").first.click()
    page.wait_for_selector(f'.pm-popup[data-place="{shown[0]}"]', timeout=8000)
    # nothing near at all: said so
    box.fill("zzzzqqqq")
    page.wait_for_function("() => Planmap.state.searchShown.query === 'zzzzqqqq'", timeout=5000)
    assert "没有相近" in page.locator(".pm-search-status").inner_text()
    assert_clean(page)


def test_english_search_status(page, live_server):  # noqa: F811
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15000)
    # a name still absent (黑山扈路); "Wanliu East Road" now comes close to Shangdi East Road
    page.locator("#pm-search-input").fill("Heishanhu Road Market")
    page.wait_for_function("() => Planmap.state.searchShown && "
                           "Planmap.state.searchShown.query === 'Heishanhu Road Market'",
                           timeout=5000)
    status = page.locator(".pm-search-status").inner_text()
    assert status.startswith("Nothing named “Heishanhu Road Market”"), status
    assert_clean(page)
