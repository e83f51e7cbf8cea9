"""Static figures (layers.figures, `planmap render`): each format renders and is read back; the
PNG is looked at by pixel checks; same request, same bytes; bad parameters are refused.

Rendered figures are kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from geo.errors import BadRequest, NotFound
from layers import figures as render
from layers.figures import FigureSpec, content, furniture, text

ROOT = Path(__file__).resolve().parents[1]
A4_PT = (595.2756, 841.8898)


@pytest.fixture(scope="module")
def store():
    from layers.store import default_store

    s = default_store()
    assert s.features("parks"), "the parks layer has no located feature"
    return s


@pytest.fixture(scope="module")
def parks_png(store, artifacts_dir):
    spec = FigureSpec(layers=("parks",), fmt="png", paper="A4", dpi=100)
    result = render.render(store, spec)
    (artifacts_dir / "figure-parks-a4.png").write_bytes(result.data)
    return spec, result


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _crop(img: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    x0, y0, x1, y1 = box
    return img.crop((int(x0) + 1, int(y0) + 1, int(x1) - 1, int(y1) - 1))


def _pixels_of(img: Image.Image) -> list[tuple[int, int, int]]:
    return list(img.get_flattened_data() if hasattr(img, "get_flattened_data")
                else img.getdata())


def _non_white(img: Image.Image, threshold: int = 250) -> float:
    pixels = _pixels_of(img)
    return sum(1 for p in pixels if min(p) < threshold) / max(1, len(pixels))


def _has_colour(img: Image.Image, rgb: tuple[int, int, int], tol: int = 40) -> bool:
    return any(all(abs(a - b) <= tol for a, b in zip(p, rgb, strict=True))
               for p in _pixels_of(img))


def _hex(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


# ------------------------------------------------------------------ formats


def test_png_has_the_requested_size_and_is_not_blank(parks_png):
    spec, result = parks_png
    img = _image(result.data)
    assert result.media_type == "image/png"
    assert img.size == spec.pixels == (826, 1169)  # A4 portrait at 100 dpi (Agg truncates)
    # not blank: the map frame is mostly drawn (basemap fills it) with many colours
    mapped = _crop(img, result.boxes["map"])
    assert _non_white(mapped) > 0.8
    assert len(set(_pixels_of(mapped))) > 50
    # the title sits above the map, the note below it
    assert result.boxes["title"][3] <= result.boxes["map"][1]
    assert result.boxes["note"][1] >= result.boxes["map"][3]


def test_png_legend_region_holds_the_legend(parks_png, store):
    _spec, result = parks_png
    img = _image(result.data)
    legend = _crop(img, result.boxes["legend"])
    assert legend.size[0] > 100 and legend.size[1] > 60
    assert 0.02 < _non_white(legend) < 0.6  # text and swatches on a white box
    # the parks swatch is drawn in the layer's colour, and nothing of the map leaks in
    assert _has_colour(legend, _hex(str(store.layer("parks").style["color"])))
    x0, y0, x1, y1 = result.boxes["legend"]
    mx0, my0, mx1, my1 = result.boxes["map"]
    assert x1 <= mx0 or x0 >= mx1 or y1 <= my0 or y0 >= my1, "legend overlaps the map"


def test_features_are_labelled_without_overlap(parks_png):
    _spec, result = parks_png
    assert len(result.labels) >= 3
    boxes = result.label_boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = (min(a[2], b[2]) > max(a[0], b[0])) and (min(a[3], b[3]) > max(a[1], b[1]))
            assert not overlap, f"labels overlap: {a} {b}"
        mx0, my0, mx1, my1 = result.boxes["map"]
        assert mx0 <= a[0] and a[2] <= mx1 and my0 <= a[1] and a[3] <= my1


def test_svg_parses(store, artifacts_dir):
    result = render.render(store, FigureSpec(layers=("parks", "zones"), fmt="svg",
                                             size=(1200, 800), dpi=100))
    (artifacts_dir / "figure-parks-zones.svg").write_bytes(result.data)
    root = ET.fromstring(result.data)
    assert root.tag.endswith("svg")
    assert root.get("width") == "864pt" and root.get("height") == "576pt"  # 12 x 8 in
    paths = root.findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) > 100
    assert b"<dc:date" not in result.data  # no timestamp


@pytest.mark.slow
def test_pdf_is_one_a4_page_with_chinese_text(store, tmp_path, artifacts_dir):
    result = render.render(store, FigureSpec(layers=("parks",), fmt="pdf", paper="A4"))
    (artifacts_dir / "figure-parks-a4.pdf").write_bytes(result.data)
    reader = pypdf.PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4_PT[0]) < 0.5 and abs(float(box.height) - A4_PT[1]) < 0.5
    text = reader.pages[0].extract_text()
    assert store.layer("parks").title["zh"] in text
    assert "图例" in text and "EPSG:4548" in text and "虚线" in text
    assert "/CreationDate" not in str(reader.metadata or {})


@pytest.mark.slow
def test_landscape_a3_and_english(store):
    result = render.render(store, FigureSpec(layers=("zones",), fmt="pdf", paper="A3",
                                             landscape=True, lang="en"))
    page = pypdf.PdfReader(io.BytesIO(result.data)).pages[0]
    assert abs(float(page.mediabox.width) - 420 / 25.4 * 72) < 0.5
    assert abs(float(page.mediabox.height) - 297 / 25.4 * 72) < 0.5
    text = page.extract_text()
    assert "Legend" in text and "Sources" in text and "Data as of" in text


# ------------------------------------------------------------------ CJK glyphs


def _text_png(text: str, family: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.6, 0.6), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, text, fontsize=20, family=family)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def test_cjk_glyphs_are_drawn_not_tofu():
    import warnings

    family = render.cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu warns about every missing glyph
        tofu_a, tofu_b = _text_png("海淀", "DejaVu Sans"), _text_png("颐和", "DejaVu Sans")
    real_a, real_b = _text_png("海淀", family), _text_png("颐和", family)
    assert tofu_a == tofu_b, "the baseline: without a CJK font two names draw the same boxes"
    assert real_a != tofu_a
    assert real_a != real_b, "with the CJK font, different characters draw differently"


def test_figure_title_draws_its_characters(store):
    """End to end: two figures that differ only in a two-character title differ in the
    title's pixels, which they would not if the title were drawn as boxes."""
    spec = {"layers": ("nodes",), "fmt": "png", "size": (600, 400), "dpi": 60}
    a = render.render(store, FigureSpec(title="海淀", **spec))
    b = render.render(store, FigureSpec(title="颐和", **spec))
    box = a.boxes["title"]
    assert abs(b.boxes["title"][0] - box[0]) < 1 and abs(b.boxes["title"][1] - box[1]) < 1
    crop_a, crop_b = _crop(_image(a.data), box), _crop(_image(b.data), box)
    assert _non_white(crop_a) > 0.05
    assert crop_a.tobytes() != crop_b.tobytes()


def test_missing_cjk_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(text, "CJK_FONTS", ("No Such Font Family",))
    render.cjk_font.cache_clear()
    try:
        with pytest.raises(render.NoCJKFont, match="apt-get install fonts-wqy-microhei"):
            render.cjk_font()
    finally:
        monkeypatch.undo()
        render.cjk_font.cache_clear()
    assert render.cjk_font()


# ------------------------------------------------------------------ place and plan


@pytest.mark.slow
def test_place_is_highlighted_among_neighbours(store, artifacts_dir):
    place = "yiheyuan"
    assert store.place_record(place).get("geometry"), "颐和园 is not located"
    result = render.render(store, FigureSpec(place=place, fmt="png", size=(1000, 700),
                                             dpi=100))
    (artifacts_dir / "figure-place-yiheyuan.png").write_bytes(result.data)
    assert result.labels[0] == place, "the place is labelled first"
    assert len(result.labels) > 1, "neighbours are labelled too"
    mapped = _crop(_image(result.data), result.boxes["map"])
    assert _has_colour(mapped, _hex(content.HIGHLIGHT), tol=30)


def test_unlocated_place_is_refused(store):
    unlocated = next((p.id for p in store.gazetteer if p.geometry is None), None)
    assert unlocated is not None, "the gazetteer has no unlocated entry to refuse"
    with pytest.raises(BadRequest, match="not located"):
        render.render(store, FigureSpec(place=unlocated, fmt="png", dpi=50))


@pytest.mark.slow
def test_plan_figure_draws_the_plans_places(store, artifacts_dir):
    result = render.render(store, FigureSpec(plan="haidian-14th-fyp", fmt="png", dpi=80))
    (artifacts_dir / "figure-plan-14th.png").write_bytes(result.data)
    named = set(store.plan_places("haidian-14th-fyp"))
    assert result.labels and set(result.labels) <= named


@pytest.mark.slow
def test_bbox_frames_the_given_view(store):
    bbox = (116.25, 39.95, 116.35, 40.02)
    spec = FigureSpec(layers=("zones",), fmt="png", size=(800, 600), dpi=100, bbox=bbox)
    gathered = render.gather(store, spec)
    assert gathered.groups and gathered.margin == 1.0
    result = render.render(store, spec)
    assert _image(result.data).size == (800, 600)


# ------------------------------------------------------------------ same request, same bytes


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_request_same_bytes(store, fmt):
    spec = FigureSpec(layers=("nodes", "zones"), fmt=fmt, size=(600, 400), dpi=60)
    assert render.render(store, spec).data == render.render(store, spec).data


@pytest.mark.slow
def test_same_bytes_in_another_process(store):
    """SVG ids and PDF objects must not depend on the process (hash seeds, clocks)."""
    script = (
        "import hashlib, json\n"
        "from layers.store import default_store\n"
        "from layers.figures import FigureSpec, render\n"
        "s = default_store()\n"
        "print(json.dumps({f: hashlib.sha1(render(s, FigureSpec(layers=('nodes',), fmt=f, "
        "size=(600, 400), dpi=72)).data).hexdigest() for f in ('png', 'svg', 'pdf')}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=True)
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    ours = {f: hashlib.sha1(render.render(store, FigureSpec(
        layers=("nodes",), fmt=f, size=(600, 400), dpi=72)).data).hexdigest()
        for f in ("png", "svg", "pdf")}
    assert ours == theirs


def test_the_date_is_the_datas_not_the_clock(store, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert text.data_date(store) == "2023-11-14"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    stamp = text.data_date(store)
    assert len(stamp) == 10 and stamp[:4].isdigit()


def test_figures_read_only_the_store_they_are_given(tmp_path_factory, monkeypatch):
    """A store over another data directory (a copy with a dozen located places, outside any
    git checkout): its figure's date, basemap lines and neighbours are that store's."""
    from layers_fixtures import PLACES, fixture_store, make_data_dir

    small = fixture_store(make_data_dir(tmp_path_factory.mktemp("figure-data")))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert text.data_date(small) == max(meta.date for meta in small.corpus)
    lines = {b.name for b in content.basemap(small) if b.role in {"water", "rail", "road"}}
    located_lines = {p.label for p in small.gazetteer if p.kind in {"water", "rail", "road"}
                     and p.geometry is not None and p.precision != "area-only"}
    assert lines and lines == located_lines
    result = render.render(small, FigureSpec(place="yiheyuan", fmt="png", size=(600, 400),
                                             dpi=60))
    assert result.labels[0] == "yiheyuan" and set(result.labels) <= set(PLACES)


# ------------------------------------------------------------------ bad requests


@pytest.mark.parametrize("kwargs, message", [
    ({"layers": ("parks",), "dpi": 10}, "dpi must be between 50 and 600"),
    ({"layers": ("parks",), "dpi": 601}, "dpi must be between"),
    ({"layers": ("parks",), "size": (100, 100)}, "size must be between"),
    ({"layers": ("parks",), "size": (20000, 600)}, "size must be between"),
    ({"layers": ("parks",), "size": (3000, 200)}, "four times"),
    ({"layers": ("parks",), "size": (8000, 6000), "dpi": 300}, "megapixel"),
    ({"layers": ("parks",), "paper": "A3", "dpi": 600}, "megapixel"),
    ({"layers": ("parks",), "paper": "B5"}, "paper must be one of"),
    ({"layers": ("parks",), "paper": "A4", "size": (800, 600)}, "not both"),
    ({"layers": ("parks",), "fmt": "gif"}, "format must be one of"),
    ({"layers": ("parks",), "lang": "fr"}, "lang must be"),
    ({"layers": ("parks",), "title": "x" * 500}, "title is longer"),
    ({"layers": ("parks",), "bbox": (116.4, 39.9, 116.3, 40.0)}, "bbox"),
    ({"layers": ("parks",), "bbox": (-10.0, 39.9, 116.3, 40.0)}, "within Beijing"),
    ({}, "exactly one"),
    ({"layers": ("parks",), "place": "yiheyuan"}, "exactly one"),
    ({"layers": tuple(f"l{i}" for i in range(20))}, "at most"),
])
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(BadRequest, match=message):
        FigureSpec(**kwargs)


def test_a3_at_300_dpi_is_within_limits():
    assert FigureSpec(layers=("parks",), paper="A3", dpi=300).pixels == (3507, 4960)
    assert FigureSpec(layers=("parks",), paper="A3", landscape=True, dpi=300).pixels == \
        (4960, 3507)


def test_unknown_ids_are_not_found(store):
    with pytest.raises(NotFound):
        render.render(store, FigureSpec(layers=("no-such-layer",), dpi=50))
    with pytest.raises(NotFound):
        render.render(store, FigureSpec(place="no-such-place", dpi=50))
    with pytest.raises(NotFound):
        render.render(store, FigureSpec(plan="no-such-plan", dpi=50))


def test_parse_helpers():
    assert render.parse_size("1600x1200") == (1600, 1200)
    assert render.parse_size("800×600") == (800, 600)
    with pytest.raises(BadRequest, match="WIDTHxHEIGHT"):
        render.parse_size("big")
    assert render.parse_bbox("116.1,39.9,116.4,40.1") == (116.1, 39.9, 116.4, 40.1)
    with pytest.raises(BadRequest):
        render.parse_bbox("1,2,3")
    assert render.format_from_path(Path("a.PDF"), None) == "pdf"
    with pytest.raises(BadRequest, match="--format"):
        render.format_from_path(Path("a.gif"), None)


def test_scale_bar_lengths_are_round():
    assert [furniture.nice_length(x) for x in (900, 1999, 2600, 7000, 23000)] == \
        [500, 1000, 2000, 5000, 20000]
    assert furniture.scale_label(2000) == "2 km" and furniture.scale_label(500) == "500 m"


def test_north_arrow_follows_true_north():
    """At 116.25 E, 0.75° west of the EPSG:4548 central meridian (117 E), meridians lean
    towards the central meridian: true north is about 0.75°·sin(40°) ≈ 0.48° east of grid
    north; on the central meridian the two agree."""
    from shapely.geometry import Point

    from geo.crs import GK117, project

    at = project(Point(116.25, 40.0), GK117)
    angle = furniture.grid_convergence(at.x, at.y)
    assert 0.4 < angle < 0.56
    on_meridian = project(Point(117.0, 40.0), GK117)
    assert abs(furniture.grid_convergence(on_meridian.x, on_meridian.y)) < 0.01


def _layers_and_plans() -> list[tuple[str, str]]:
    """What the default store will hold, known at collection without building it."""
    from geo.corpus import default_corpus
    from layers.definitions import load_definitions

    corpus = default_corpus()
    return ([("layer", layer.id) for layer in load_definitions().with_plan_layers(corpus)]
            + [("plan", meta.id) for meta in corpus])


LAYERS_AND_PLANS = _layers_and_plans()


def test_every_layer_and_plan_is_in_the_render_check(store):
    assert [i for w, i in LAYERS_AND_PLANS if w == "layer"] == store.layer_ids()
    assert [i for w, i in LAYERS_AND_PLANS if w == "plan"] == [m.id for m in store.corpus]


@pytest.mark.slow
@pytest.mark.parametrize("what, ident", LAYERS_AND_PLANS,
                         ids=[f"{w}-{i}" for w, i in LAYERS_AND_PLANS])
def test_every_layer_and_plan_renders(store, what, ident):
    """The data changes under the figures (geometries are added every day): every layer and
    plan must still draw, or be refused with a message — never a traceback. A layer may be
    refused only when it has nothing located; a plan must draw."""
    size = {"fmt": "png", "size": (400, 300), "dpi": 50}
    if what == "plan":
        result = render.render(store, FigureSpec(plan=ident, **size))
    else:
        try:
            result = render.render(store, FigureSpec(layers=(ident,), **size))
        except BadRequest as exc:
            assert not store.features(ident), f"{ident}: {exc.message}"
            return
    assert result.data.startswith(b"\x89PNG") and result.pixels == (400, 300)
