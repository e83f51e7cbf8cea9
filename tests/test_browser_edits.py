"""Corrections in a real browser (Debian Chromium, offline), on a SQLite database: an editor
draws a corrected polygon with Leaflet-Geoman and submits it, a reviewer approves it on the
before/after map, and the atlas and the GeoPackage download show it; a viewer sees no edit
control and is refused by the write API; a GCJ-02 GeoJSON uploaded with its CRS chosen lands
about 550 m away, on the true position; the pages are axe-clean and work from the keyboard."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from axe_check import axe_violations
from browser_fixtures import browser, guard_page, start_server  # noqa: F401
from db_fixtures import PASSWORDS
from shapely.geometry import mapping, shape

from geo import crs as crs_math

pytestmark = pytest.mark.browser

PARK = "zhongguancunruanjianyuan"
LAYER = "parks"
READY = "body[data-planmap-ready]"
# the corrected outline, drawn vertex by vertex (lon, lat), inside the old schematic block
DRAWN = [(116.274, 40.049), (116.288, 40.0485), (116.2885, 40.0565), (116.2745, 40.057)]
TOLERANCE = 2e-4  # degrees: a click lands within a pixel (~4 m at zoom 15)


@pytest.fixture(scope="module")
def edit_server(sqlite_template: Path, tmp_path_factory, base_store) -> Iterator:
    path = tmp_path_factory.mktemp("edits") / "planmap.sqlite"
    shutil.copyfile(sqlite_template, path)
    server, http, thread = start_server({"STORE": base_store, "DATABASE_URL": f"sqlite:///{path}",
                                         "SECRET_KEY": "browser-tests"})
    yield server
    http.shutdown()
    thread.join(timeout=5)
    server.app.extensions["planmap.store"].close()


def new_page(browser, lang: str = "zh-CN"):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=lang,
                                  accept_downloads=True)
    page = context.new_page()
    page.guard = guard_page(page)
    return page


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/login?next=/layers")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/layers")


def problems(page) -> dict[str, list[str]]:
    """What went wrong on the pages, leaving out the map requests a navigation cancelled."""
    found = page.guard.problems()
    found["failed"] = [f for f in found.get("failed", []) if not f.endswith("net::ERR_ABORTED")]
    return {k: v for k, v in found.items() if v}


def pixel(page, lon: float, lat: float) -> tuple[float, float]:
    box = page.locator(".folium-map").bounding_box()
    x, y = page.evaluate("([lat, lon]) => { const p = Planmap.state.map.latLngToContainerPoint("
                         "[lat, lon]); return [p.x, p.y]; }", [lat, lon])
    return box["x"] + x, box["y"] + y


def drawn_geometry(page) -> dict:
    return json.loads(page.input_value("#pm-geometry"))


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


def test_draw_review_and_see_it_everywhere(edit_server, browser, tmp_path: Path,  # noqa: F811
                                           artifacts_dir: Path):
    base = edit_server.url
    editor = new_page(browser)
    sign_in(editor, base, "editor")
    editor.goto(f"{base}/places/{PARK}")
    editor.wait_for_selector("#pm-edit-link", state="visible")
    assert not editor.is_visible("#pm-review-link")  # an editor does not review
    editor.click("#pm-edit-link")
    editor.wait_for_selector("body[data-pm-edit-ready]", state="attached")
    editor.wait_for_selector(".leaflet-pm-toolbar")
    editor.evaluate("Planmap.state.map.setView([40.0527, 116.2812], 15, {animate: false})")
    # remove the old block with the eraser, then draw the surveyed outline
    editor.click(".leaflet-pm-icon-delete")
    editor.mouse.click(*pixel(editor, 116.2715, 40.0475))
    editor.wait_for_selector("body[data-pm-drawn='0']", state="attached")
    editor.click(".leaflet-pm-icon-delete")  # leave removal mode
    editor.click(".leaflet-pm-icon-polygon")
    for lon, lat in DRAWN:
        editor.mouse.click(*pixel(editor, lon, lat))
    editor.mouse.click(*pixel(editor, *DRAWN[0]))  # back on the first vertex: done
    editor.wait_for_selector("body[data-pm-drawn='1']", state="attached")
    editor.screenshot(path=artifacts_dir / "edits-drawn.png")
    drawn = drawn_geometry(editor)
    assert drawn["type"] == "Polygon"
    ring = drawn["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    for (lon, lat), (x, y) in zip(DRAWN, ring[:4], strict=True):
        assert abs(lon - x) < TOLERANCE and abs(lat - y) < TOLERANCE
    editor.select_option("#pm-precision", "approximate")
    editor.fill("#pm-error-m", "30")
    editor.fill("#pm-source", "2026 年实测")
    editor.fill("#pm-comment", "围墙实测")
    editor.click("#pm-edit-form button[type=submit]")
    editor.wait_for_url("**/revisions/*?done=proposed")
    rid = int(editor.url.split("/revisions/")[1].split("?")[0])
    assert not problems(editor), problems(editor)

    reviewer = new_page(browser)
    sign_in(reviewer, base, "reviewer")
    reviewer.goto(f"{base}/review")
    assert_axe_clean(reviewer)
    reviewer.click(f'tr[data-revision="{rid}"] a[href^="/revisions/"]')
    reviewer.wait_for_selector("body[data-pm-compared='2']", state="attached")
    assert reviewer.locator('#pm-changes tr[data-field="geometry"]').count() == 1
    assert_axe_clean(reviewer)
    reviewer.screenshot(path=artifacts_dir / "edits-review.png")
    reviewer.fill("#pm-reason", "与测绘图一致")
    reviewer.click("#pm-approve")
    reviewer.wait_for_url(f"**/revisions/{rid}?done=approved")
    assert reviewer.locator(".pm-done").is_visible()
    assert not problems(reviewer), problems(reviewer)

    # the atlas draws the new outline (within seconds of the approval)
    viewer = new_page(browser)
    deadline = time.monotonic() + 10
    while True:
        viewer.goto(f"{base}/?place={PARK}&layers={LAYER}")
        viewer.wait_for_selector(READY, timeout=15000)
        bounds = viewer.evaluate(f"""() => Planmap.state.shapesOf({json.dumps(PARK)})
            .map(l => l.getBounds().toBBoxString())""")
        if bounds and all(abs(float(a) - b) < 1e-5 for a, b in zip(
                bounds[0].split(","), shape(drawn).bounds, strict=True)):
            break
        assert time.monotonic() < deadline, f"the atlas still draws {bounds}"
        time.sleep(0.5)
    # and so does the place's GeoPackage, downloaded from its page, read back with GDAL
    viewer.goto(f"{base}/places/{PARK}")
    with viewer.expect_download() as download:
        viewer.click("#pm-place-downloads a[href$='download.gpkg?crs=4326']")
    path = tmp_path / "place.gpkg"
    download.value.save_as(path)
    frames = [pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)]
    rows = [row for frame in frames for _, row in frame.iterrows() if row.get("id") == PARK]
    assert len(rows) == 1 and rows[0]["precision"] == "approximate"
    assert rows[0].geometry.hausdorff_distance(shape(drawn)) < 2e-6
    assert not problems(viewer), problems(viewer)


def test_a_viewer_sees_no_edit_control_and_cannot_write(edit_server, browser):  # noqa: F811
    base = edit_server.url
    page = new_page(browser)
    sign_in(page, base, "viewer")
    page.goto(f"{base}/places/{PARK}")
    page.wait_for_selector("body[data-pm-account='viewer']", state="attached")
    for link in ("#pm-edit-link", "#pm-review-link", "#pm-login-link"):
        assert not page.is_visible(link), link
    assert page.is_visible("#pm-history-link")
    assert page.locator(".leaflet-pm-toolbar").count() == 0
    assert page.goto(f"{base}/places/{PARK}/edit").status == 403
    answer = page.evaluate("""async (place) => {
        const me = await (await fetch('/api/me')).json();
        const r = await fetch(`/api/places/${place}/revisions`, {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': me.csrf_token},
            body: JSON.stringify({precision: 'surveyed', source: 'x', base_revision: null})});
        return [r.status, (await r.json()).code];
    }""", PARK)
    assert answer == [403, "Forbidden"]
    page.goto(f"{base}/places/{PARK}/history")
    assert page.locator("form.pm-revert").count() == 0
    anonymous = new_page(browser)
    anonymous.goto(f"{base}/places/{PARK}")
    anonymous.wait_for_selector("#pm-login-link", state="visible")
    assert not anonymous.is_visible("#pm-edit-link")


def test_gcj02_upload_lands_shifted_back(edit_server, browser, tmp_path: Path):  # noqa: F811
    base = edit_server.url
    truth = shape({"type": "Polygon", "coordinates": [[[116.276, 40.05], [116.286, 40.05],
                                                       [116.286, 40.056], [116.276, 40.056],
                                                       [116.276, 40.05]]]})
    file = tmp_path / "amap-trace.geojson"
    file.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "中关村软件园"},
        "geometry": mapping(crs_math.offset(truth, "GCJ-02"))}]}), encoding="utf-8")
    page = new_page(browser, "en-GB")
    sign_in(page, base, "editor")
    page.goto(f"{base}/places/{PARK}/edit?lang=en")
    page.wait_for_selector("body[data-pm-edit-ready]", state="attached")
    page.set_input_files("#pm-file", str(file))
    page.select_option("#pm-crs", "gcj02")
    page.click("#pm-read")
    page.wait_for_selector("body[data-pm-uploaded]", state="attached")
    moved = float(page.get_attribute("body", "data-pm-uploaded"))
    assert 450 < moved < 700
    status = page.inner_text("#pm-upload-status")
    assert "GCJ-02" in status and "GeoJSON" in status and f"moved it {round(moved)} m" in status
    got = shape(drawn_geometry(page))
    assert got.hausdorff_distance(truth) < 1e-6
    assert page.evaluate("PlanmapEdit.group.getLayers().length") == 1
    page.fill("#pm-source", "AMap trace, converted from GCJ-02")
    page.select_option("#pm-precision", "approximate")
    page.click("#pm-edit-form button[type=submit]")
    page.wait_for_url("**/revisions/*?done=proposed&lang=en")
    rid = page.url.split("/revisions/")[1].split("?")[0]
    stored = page.request.get(f"{base}/api/revisions/{rid}").json()["geometry"]
    assert shape(stored).hausdorff_distance(truth) < 1e-6
    # a file the server cannot read is refused in one line, in the live region
    bad = tmp_path / "notes.geojson"
    bad.write_text("not GIS data", encoding="utf-8")
    page.goto(f"{base}/places/{PARK}/edit?lang=en")
    page.wait_for_selector("body[data-pm-edit-ready]", state="attached")
    page.set_input_files("#pm-file", str(bad))
    page.click("#pm-read")
    page.wait_for_selector("#pm-upload-status.pm-error-line")
    assert "not GeoJSON, GeoPackage" in page.inner_text("#pm-upload-status")


def test_pages_are_axe_clean_and_work_from_the_keyboard(edit_server, browser):  # noqa: F811
    base = edit_server.url
    page = new_page(browser)
    sign_in(page, base, "editor")
    for path in (f"/places/{PARK}", f"/places/{PARK}/edit", f"/places/{PARK}/history",
                 "/places/new?name=西北旺新村", f"/places/{PARK}/edit?lang=en"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert_axe_clean(page)
    # keyboard only: from the GeoJSON field, Tab reaches every field in order, and Enter in
    # the last text field submits
    page.goto(f"{base}/places/{PARK}/edit")
    page.wait_for_selector("body[data-pm-edit-ready]", state="attached")
    page.focus("#pm-geometry")
    page.keyboard.press("Control+A")
    page.keyboard.type(json.dumps({"type": "Polygon", "coordinates": [[
        [116.28, 40.05], [116.285, 40.05], [116.285, 40.054], [116.28, 40.05]]]}))
    order = []
    for _ in range(14):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    expected = ["pm-unlocatable", "pm-file", "pm-crs", "pm-read", "pm-precision", "pm-error-m",
                "pm-basis", "pm-source", "pm-note", "pm-comment"]
    assert [i for i in order if i in expected] == expected
    assert page.evaluate("PlanmapEdit.group.getLayers().length") == 1  # the map followed
    page.focus("#pm-source")
    page.keyboard.type("keyboard test")
    page.focus("#pm-comment")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".pm-error-line").count() == 0, page.inner_text(".pm-error-line")
    assert "/revisions/" in page.url and "done=proposed" in page.url
    assert page.locator(".pm-done").is_visible()
    assert_axe_clean(page)
