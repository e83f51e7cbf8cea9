"""The atlas and its pages in a real browser (Debian Chromium via playwright), fully offline."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_fixtures import browser, cjk_fonts, live_server, page  # noqa: F401

pytestmark = pytest.mark.browser

READY = "body[data-planmap-ready]"


def open_atlas(page, base: str, query: str = "") -> None:  # noqa: F811
    page.goto(base + "/" + query)
    page.wait_for_selector(READY, timeout=15000)


def assert_clean(page) -> None:  # noqa: F811
    problems = page.guard.problems()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
    assert page.evaluate("Planmap.state.errors") == []


def state(page, expr: str):  # noqa: F811
    return page.evaluate(expr)


def located_place_with_passages(server) -> str:
    from webmap.sources import get_store

    store = get_store(server.app)
    for layer in store.layers:
        if layer.group == "plan":
            continue
        for f in store.features(layer.id):
            if f["properties"]["passages"]:
                return f["id"]
    raise AssertionError("no located place in an atlas layer has passages")


def layer_of(server, place_id: str) -> str:
    from webmap.sources import get_store

    store = get_store(server.app)
    layers = [lid for lid in store.place_record(place_id)["layers"]
              if store.layer(lid).group != "plan"]
    assert layers, f"{place_id} is in no atlas layer"
    return layers[0]


def test_cjk_font_installed():
    assert cjk_fonts(), "no CJK font: install fonts-wqy-microhei (make system-deps)"


def test_atlas_loads_offline_and_draws_default_layers(page, live_server):  # noqa: F811
    open_atlas(page, live_server.url)
    cfg_visible = state(page, "Object.keys(Planmap.state.overlays).filter("
                              "id => Planmap.state.map.hasLayer(Planmap.state.overlays[id]))")
    assert cfg_visible, "no layer is visible by default"
    total = 0
    for lid in cfg_visible:
        expected = len(page.request.get(f"{live_server.url}/api/layers/{lid}.geojson")
                       .json()["features"])
        assert state(page, f"Planmap.state.drawn[{json.dumps(lid)}]") == expected
        drawn = page.locator(f".leaflet-overlay-pane .pm-layer-{lid}").count()
        assert drawn == expected, f"layer {lid}: {drawn} of {expected} features drawn"
        total += expected
    assert total > 0, "the default layers drew nothing"
    assert state(page, "Planmap.state.basemapDrawn") > 0
    assert page.locator(".pm-district-label", has_text="海淀区").count() == 1
    assert page.locator(".pm-legend .pm-legend-row").count() == len(cfg_visible)
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen, .fullscreen-icon").count() >= 1
    assert_clean(page)


def _uncovered_point(live_server, place_id: str,  # noqa: F811
                     layer_id: str) -> tuple[float, float]:
    """A point of the place that no smaller feature of its layer covers (the atlas draws small
    shapes over large ones: 颐和园's own anchor lies in 昆明湖, drawn over it)."""
    from shapely.geometry import shape

    from webmap.sources import get_store

    features = get_store(live_server.app).features(layer_id)
    own = next(shape(f["geometry"]) for f in features if f["id"] == place_id)
    size = own.area
    for f in features:
        if f["id"] != place_id and f["geometry"] and f["geometry"]["type"].endswith("Polygon"):
            other = shape(f["geometry"])
            if other.area < size:
                own = own.difference(other)
    assert not own.is_empty, f"{place_id} is covered by other places of {layer_id}"
    point = own.representative_point()
    return point.x, point.y


def _click_place(page, live_server, place_id: str,  # noqa: F811
                 uncovered: bool = False) -> str:
    """Centre the atlas on a point of the place (its anchor, or one no smaller shape covers),
    click there; the id of the popup's place."""
    lid = layer_of(live_server, place_id)
    rec = page.request.get(f"{live_server.url}/api/places/{place_id}").json()
    lon, lat = _uncovered_point(live_server, place_id, lid) if uncovered else rec["anchor"]
    open_atlas(page, live_server.url, f"?layers={lid}&center={lat:.6f},{lon:.6f}&zoom=14")
    assert page.locator(f'.leaflet-overlay-pane [data-place="{place_id}"]').count() >= 1
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".leaflet-popup .pm-popup", timeout=5000)
    return page.locator(".leaflet-popup .pm-popup").get_attribute("data-place")


def _check_popup(page, name: str) -> None:  # noqa: F811
    popup = page.locator(".leaflet-popup .pm-popup")
    assert name in popup.locator("h3").inner_text()
    excerpt = popup.locator(".pm-excerpt").first
    text = excerpt.locator("blockquote").inner_text()
    assert re.search(r"[\u4e00-\u9fff]{10,}", text), text
    assert excerpt.locator("mark").count() >= 1
    cite = excerpt.locator("cite").inner_text()
    assert cite.startswith("《") and "行" in cite
    assert popup.locator(".pm-badge").count() == 1
    assert popup.locator('a[href^="/places/"]').count() == 1


def test_clicking_yiheyuan_opens_popup_with_policy_text(page, live_server, artifacts_dir):  # noqa: F811
    from webmap.sources import get_store

    assert get_store(live_server.app).place_record("yiheyuan")["geometry"], "颐和园 is not located"
    assert _click_place(page, live_server, "yiheyuan", uncovered=True) == "yiheyuan"
    _check_popup(page, "颐和园")
    assert "place=yiheyuan" in page.url
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "atlas-yiheyuan-popup.png"))
    assert_clean(page)


def test_clicking_a_located_place_opens_popup(page, live_server, artifacts_dir):  # noqa: F811
    pid = _click_place(page, live_server, located_place_with_passages(live_server))
    # overlapping shapes (an area-only place is drawn as its area) may put another on top
    name = page.request.get(f"{live_server.url}/api/places/{pid}").json()["name"]
    _check_popup(page, name)
    # the open place is in the permalink, and reloading reopens it
    assert f"place={pid}" in page.url
    page.reload()
    page.wait_for_selector(f'.leaflet-popup .pm-popup[data-place="{pid}"]', timeout=5000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "atlas-popup.png"))
    assert_clean(page)


@pytest.mark.parametrize("typed", ["北清", "beiqing"])
def test_search_finds_beiqinglu_and_flies_there(page, live_server, typed):  # noqa: F811
    open_atlas(page, live_server.url)
    before = state(page, "Planmap.state.map.getCenter()")
    box = page.locator(".pm-search input")
    box.fill(typed)
    hit = page.locator('.pm-search [role=option][data-place="beiqinglu"]')
    hit.wait_for(timeout=5000)
    assert "北清路" in hit.inner_text()
    hit.click()
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="beiqinglu"]', timeout=8000)
    after = state(page, "Planmap.state.map.getCenter()")
    assert abs(after["lat"] - before["lat"]) + abs(after["lng"] - before["lng"]) > 0.01
    b = page.request.get(f"{live_server.url}/api/places/beiqinglu").json()["bbox"]
    assert b[0] - 0.05 < after["lng"] < b[2] + 0.05 and b[1] - 0.05 < after["lat"] < b[3] + 0.05
    assert "place=beiqinglu" in page.url
    assert_clean(page)


def test_toggling_a_layer_updates_url_and_reload_restores(page, live_server):  # noqa: F811
    layers = page.request.get(f"{live_server.url}/api/layers").json()["layers"]
    off = next(x for x in layers if not x["default_visible"] and x["group"] != "plan")
    open_atlas(page, live_server.url)
    label = page.locator(".leaflet-control-layers-overlays label", has_text=off["title"]["zh"])
    label.first.locator("input").check()
    page.wait_for_function(f"() => Planmap.state.drawn[{json.dumps(off['id'])}] !== undefined",
                           polling=100)
    query = parse_qs(urlsplit(page.url).query)
    assert off["id"] in query["layers"][0].split(",")
    page.evaluate("() => { Planmap.state.map.setView([40.02, 116.25], 13); }")
    page.wait_for_function("() => location.search.indexOf('zoom=13') >= 0", polling=100)
    saved = page.url
    page.goto(saved)
    page.wait_for_selector(READY)
    assert page.locator(".leaflet-control-layers-overlays label", has_text=off["title"]["zh"]
                        ).first.locator("input").is_checked()
    centre = state(page, "Planmap.state.map.getCenter()")
    assert abs(centre["lat"] - 40.02) < 1e-3 and abs(centre["lng"] - 116.25) < 1e-3
    assert state(page, "Planmap.state.map.getZoom()") == 13
    assert parse_qs(urlsplit(page.url).query)["layers"] == query["layers"]
    assert_clean(page)


def test_amap_basemap_reloads_overlays_in_gcj02(browser):  # noqa: F811
    from browser_fixtures import guard_page, start_server

    srv, server, thread = start_server({"ONLINE_BASEMAPS": ["amap"]})
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    pg.guard = guard_page(pg)
    try:
        _amap_reloads(pg, srv)
    finally:
        context.close()
        server.shutdown()
        thread.join(timeout=5)


def _amap_reloads(page, live_server) -> None:  # noqa: F811
    """AMap's tiles answered here by a blank PNG (the test machine is offline): no request
    leaves the machine, and the basemap stays on AMap as it would with the internet."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 230, 230)).save(buf, "PNG")
    asked: list[str] = []
    page.route("**/*autonavi.com/**", lambda r: (asked.append(r.request.url), r.fulfill(
        status=200, content_type="image/png", body=buf.getvalue())))
    open_atlas(page, live_server.url)
    lid = state(page, "Object.keys(Planmap.state.drawn).find(id => Planmap.state.drawn[id] > 0)")
    assert lid is not None, "no default layer drew a feature"
    before = state(page, f"Planmap.state.overlays[{json.dumps(lid)}].getBounds().getCenter()")
    with page.expect_response(lambda r: "crs=gcj02" in r.url and f"/{lid}.geojson" in r.url):
        page.locator(".leaflet-control-layers-base label", has_text="高德").locator("input").check()
    page.wait_for_function(f"() => Planmap.state.overlays[{json.dumps(lid)}].pmCrs === 'gcj02'",
                           polling=100)
    after = state(page, f"Planmap.state.overlays[{json.dumps(lid)}].getBounds().getCenter()")
    shift_m = (((after["lng"] - before["lng"]) * 85_000) ** 2
               + ((after["lat"] - before["lat"]) * 111_000) ** 2) ** 0.5
    assert 300 < shift_m < 900
    assert "basemap=amap" in page.url
    assert page.locator(".leaflet-tile-loaded").count() > 0
    assert asked and all("autonavi.com" in u for u in asked)
    assert not page.guard.problems()


def test_place_page_renders(page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/places/beiqinglu")
    page.wait_for_selector(READY, timeout=15000)
    assert page.locator("h1.pm-place-name").inner_text().startswith("北清路")
    years = [int(t.split(" ")[0]) for t in page.locator(".pm-plan-group h3").all_inner_texts()]
    assert years and years == sorted(years)
    assert page.locator(".pm-passage cite").count() >= 1
    assert state(page, "Planmap.state.drawn.inline") == 1
    assert_clean(page)


def test_plan_page_renders(page, live_server, artifacts_dir):  # noqa: F811
    page.goto(f"{live_server.url}/plans/haidian-14th-fyp")
    page.wait_for_selector(READY, timeout=15000)
    assert "第十四个五年规划" in page.locator("h1.pm-plan-title").inner_text()
    assert page.locator(".pm-plan-text a.pm-mention").count() > 50
    page.screenshot(path=str(artifacts_dir / "plan-page.png"))
    assert_clean(page)


def test_screenshot_shows_chinese_glyphs(page, live_server, artifacts_dir):  # noqa: F811
    open_atlas(page, live_server.url)
    assert page.evaluate("document.fonts.check('16px \"WenQuanYi Micro Hei\"', '海淀')")
    # Chinese text has real glyph widths, not one box per character: 海淀区 is not as wide as
    # three copies of a character the font lacks.
    widths = page.evaluate("""() => {
        const c = document.createElement('canvas').getContext('2d');
        c.font = '20px "WenQuanYi Micro Hei"';
        return [c.measureText('海淀区').width, c.measureText('海').width];
    }""")
    assert widths[0] > 40 and widths[1] > 12
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "atlas.png"))
    assert (artifacts_dir / "atlas.png").stat().st_size > 20_000
    assert_clean(page)


def test_english_ui(page, live_server, artifacts_dir):  # noqa: F811
    pid = located_place_with_passages(live_server)
    lid = layer_of(live_server, pid)
    open_atlas(page, live_server.url, f"?lang=en&layers={lid}&place={pid}")
    page.wait_for_selector(f'.leaflet-popup .pm-popup[data-place="{pid}"]', timeout=5000)
    assert page.locator(".pm-legend summary").inner_text() == "Legend"
    assert page.locator(".pm-search input").get_attribute("placeholder").startswith("Search")
    layers = page.request.get(f"{live_server.url}/api/layers").json()["layers"]
    control = page.locator(".leaflet-control-layers").inner_text()
    assert layers[0]["theme_title"]["en"] in control and layers[0]["title"]["en"] in control
    meta = page.locator(".pm-popup .pm-popup-meta").inner_text()
    assert re.search(r"[a-z]", meta) and not re.search(r"[\u4e00-\u9fff]", meta)
    assert "Details" in page.locator(".pm-popup .pm-links").inner_text()
    assert "lang=en" in page.url
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts_dir / "atlas-english.png"))
    assert_clean(page)


def test_markup_in_a_place_name_shows_as_text_in_popups_and_search(browser):  # noqa: F811
    from browser_fixtures import guard_page, start_server
    from shapely.geometry import Point

    from geo.gazetteer import Gazetteer, Place, default_gazetteer
    from layers.store import LayerStore

    evil = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>测试园"
    places = [*default_gazetteer(), Place(
        id="evil-test-place", name=evil, kind="park", precision="approximate",
        source="test", geometry=Point(116.30, 40.00), layer="heritage", themes=("heritage",),
        geometry_type="point")]
    srv, server, thread = start_server({"STORE": LayerStore(gazetteer=Gazetteer(places))})
    context = browser.new_context(locale="zh-CN")
    pg = context.new_page()
    guard = guard_page(pg)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        pg.goto(srv.url + "/?layers=heritage&place=evil-test-place&center=40,116.3&zoom=14")
        pg.wait_for_selector('.pm-popup[data-place="evil-test-place"]', timeout=8000)
        assert pg.locator(".pm-popup h3").inner_text().startswith("<img src=x")
        pg.locator(".pm-search input").fill("测试园")
        hit = pg.locator('.pm-search [role=option][data-place="evil-test-place"]')
        hit.wait_for(timeout=5000)
        assert "<script>" in hit.inner_text()
        pg.locator('[data-place="evil-test-place"].leaflet-interactive').hover()
        pg.wait_for_timeout(300)
        assert pg.evaluate("window.__pwned") is None and not dialogs
        assert pg.locator(".pm-popup img, .leaflet-tooltip img").count() == 0
        assert not guard.problems()
    finally:
        context.close()
        server.shutdown()
        thread.join(timeout=5)


def test_share_gives_the_permalink(page, live_server):  # noqa: F811
    open_atlas(page, live_server.url, "?layers=heritage&center=40.00000,116.27000&zoom=12")
    page.locator(".pm-share-button").click()
    link = page.locator(".pm-share-link").input_value()
    assert link == page.url
    query = parse_qs(urlsplit(link).query)
    assert query["layers"] == ["heritage"] and query["zoom"] == ["12"]
    assert page.locator(".pm-share-button").get_attribute("aria-expanded") == "true"
    assert page.evaluate("!!Planmap.state.cfg.api.embed"), "the embed page is installed"
    code = page.locator(".pm-share-code").input_value()
    assert code.startswith("<iframe src=") and "/embed?" in code and "layers=heritage" in code
    assert ' title="海淀规划地图"' in code and " allowfullscreen" in code
    # every field has a label; the size changes the snippet
    for field in ("#pm-share-link", "#pm-share-code", "#pm-share-w", "#pm-share-h"):
        fid = field[1:]
        assert page.locator(f'label[for="{fid}"]').count() == 1, field
    page.get_by_label("宽（像素）").fill("640")
    assert 'width="640"' in page.locator(".pm-share-code").input_value()
    # the copy buttons put the text on the clipboard and say so
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator(".pm-copy", has_text="复制嵌入代码").click()
    page.wait_for_function("() => document.querySelector('.pm-share-code')"
                           ".closest('.pm-share-panel')"
                           ".querySelector('.pm-copy-status:not(:empty)') !== null")
    assert page.evaluate("navigator.clipboard.readText()") == \
        page.locator(".pm-share-code").input_value()
    assert "已复制" in page.locator(".pm-copy-status").all_inner_texts()
    assert_clean(page)


def test_feature_looks_follow_the_style_rule_of_layers_styles(page, live_server):  # noqa: F811
    """Dash, fill and width of every drawn shape are what layers.styles.feature_style says:
    the script reads the rule from the page config, so the map and the figures agree."""
    from layers import styles
    from webmap.sources import get_store

    layer = get_store(live_server.app).layer("zones")
    open_atlas(page, live_server.url, "?layers=zones&center=40.0,116.3&zoom=11")
    drawn = page.evaluate("""() => { const out = [];
        Planmap.state.overlays.zones.eachLayer(g => g.eachLayer(l => { const p = l.getElement();
          out.push({precision: l.feature.properties.precision, type: l.feature.geometry.type,
                    dash: p.getAttribute('stroke-dasharray'), width: p.getAttribute('stroke-width'),
                    fill: p.getAttribute('fill'), opacity: p.getAttribute('fill-opacity')}); }));
        return out; }""")
    assert len(drawn) == page.evaluate("Planmap.state.drawn.zones") > 0
    seen = set()
    for d in drawn:
        want = styles.feature_style(layer.style, d["precision"])
        assert d["dash"] == want["dash_array"], d
        if d["type"].endswith("Polygon"):
            assert float(d["opacity"]) == want["fill_opacity"], d
            assert float(d["width"]) == want["weight"], d
            seen.add(d["precision"])
    assert {"surveyed", "schematic", "area-only"} <= seen, seen
    notes = page.locator(".pm-legend .pm-legend-note").all_inner_texts()
    assert notes[0] == "实测边界" and notes[-1] == "仅知所在区域"
    assert "示意范围" in notes[1] and len(notes) == 3
    assert_clean(page)
