"""Report-quality figures, measured in the files themselves: names at least 7 pt and the note at
least 6 pt on an A4 page (SVG glyphs and text, PDF text objects); every name sits at a feature
drawn visibly, never over a speck or the background; plan figures framed on the plan's Haidian
places with the far ones in an inset; English names wrapped; a place figure states how far the
place may be off. Figures are kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from PIL import Image
from shapely import box as shapely_box
from shapely.geometry import Point, shape

from geo.crs import GK117, project
from layers import figures as render
from layers.figures import FigureSpec
from layers.figures.drawing import SPECK_PT
from layers.figures.labels import BACKGROUND_SHARE, LABEL_MIN_PT
from webmap.page_parts import CJK

NEW = "haidian-14th-fyp"
NOTE_MIN_PT = 6.0
# WenQuanYi Micro Hei draws a Chinese character about 0.9 em tall; 0.86 em leaves room for
# rounding and fails a 6.8 pt name
CJK_HEIGHT_EM = 0.86
A4_FIGURES = {
    "plan": {"plan": NEW},
    "place": {"place": "beiqinglu"},
    "layer": {"layers": ("parks",)},
    "layers": {"layers": ("heritage", "ecology")},
}


@pytest.fixture(scope="module")
def store():
    from layers.store import default_store

    return default_store()


def _svg(store, what: dict, lang: str, landscape: bool = True) -> tuple[str, render.Rendered]:
    result = render.render(store, FigureSpec(fmt="svg", paper="A4", landscape=landscape,
                                             lang=lang, **what))
    return result.data.decode("utf-8"), result


def _group(svg: str, gid: str) -> str:
    """The content of the SVG group with this id (matplotlib nests a label's paths in it)."""
    start = svg.index(f'<g id="{gid}">')
    depth, pos = 0, start
    for m in re.finditer(r"<g[\s>]|</g>", svg[start:]):
        depth += 1 if m.group(0) != "</g>" else -1
        if depth == 0:
            pos = start + m.end()
            break
    return svg[start:pos]


def _line_heights(group: str) -> list[float]:
    """Heights (points) of the glyph outlines of a label, a path per line (twice: the white
    halo is the same outline, stroked)."""
    heights = []
    for d in re.findall(r'<path d="([^"]+)"', group):
        ys = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)][1::2]
        heights.append(max(ys) - min(ys))
    return heights


@pytest.mark.slow
@pytest.mark.parametrize("name", list(A4_FIGURES))
def test_names_are_at_least_7pt_and_the_note_6pt_at_a4(store, name, artifacts_dir):
    svg, result = _svg(store, A4_FIGURES[name], "zh")
    (artifacts_dir / f"figure-a4-{name}.svg").write_text(svg, encoding="utf-8")
    assert 'width="841.889764pt"' in svg  # A4 landscape, in points
    # text drawn as text: matplotlib writes each line, a comment holding it, then the group
    # of its glyphs at scale(size/100)
    sizes: list[tuple[float, str]] = []
    for m in re.finditer(r"<!-- ([^>]*?) -->\s*<g [^>]*?scale\(([\d.]+) -[\d.]+\)", svg):
        sizes.append((float(m.group(2)) * 100, m.group(1)))
    assert sizes
    note_starts = ("资料来源", "精度说明", "数据日期", "开放数据", "另有")
    note = [(s, text) for s, text in sizes if text.startswith(note_starts)]
    assert len(note) >= 3
    assert all(s >= NOTE_MIN_PT - 0.01 for s, _ in note), note
    other = [(s, text) for s, text in sizes if (s, text) not in note]
    assert all(s >= LABEL_MIN_PT - 0.01 for s, _ in other), sorted(other)[:5]
    # names on the map are glyph outlines (their white halo needs paths): measure the glyphs
    ids = re.findall(r'<g id="((?:label|district-label|inset-label)-[^"]+)">', svg)
    assert len([i for i in ids if i.startswith("label-")]) >= 3
    measured = 0
    for gid in ids:
        heights = _line_heights(_group(svg, gid))
        assert heights, gid
        text = _label_text(store, gid, result)
        if text is None or any(not CJK.search(line) or re.search(r"[A-Za-z0-9]", line)
                               for line in text.split("\n")):
            continue  # Latin letters and digits are shorter than the em: not a fair measure
        measured += 1
        assert min(heights) >= CJK_HEIGHT_EM * LABEL_MIN_PT, (gid, text, heights)
    assert measured >= 3


def _label_text(store, gid: str, result: render.Rendered) -> str | None:
    from layers.figures.labels import wrap

    if gid.startswith("district-label"):
        return None
    pid = gid.split("-label-")[-1] if gid.startswith("inset-") else gid[len("label-"):]
    record = store.place_record(pid)
    return wrap(record["name"], "zh")


@pytest.mark.slow
def test_pdf_text_is_at_least_7pt_and_the_note_6pt(store, artifacts_dir):
    spec = FigureSpec(plan=NEW, fmt="pdf", paper="A4", landscape=True, lang="en")
    result = render.render(store, spec)
    (artifacts_dir / "figure-a4-plan-en.pdf").write_bytes(result.data)
    page = pypdf.PdfReader(io.BytesIO(result.data)).pages[0]
    runs: list[tuple[float, float, str]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip()
                      and runs.append((size * cm[3] * tm[3], cm[5], text)))
    assert len(runs) > 20
    # the note is the small print under the map (PDF y counts up from the page's foot)
    note_top = (result.pixels[1] - result.boxes["note"][1]) * 72 / spec.dpi
    note = [r for r in runs if r[1] <= note_top + 1]
    assert note and all(size >= NOTE_MIN_PT - 0.01 for size, _, _ in note), note
    rest = [r for r in runs if r[1] > note_top + 1]
    assert rest and all(size >= LABEL_MIN_PT - 0.01 for size, _, _ in rest), \
        sorted(rest)[:5]


# ------------------------------------------------------------------ names at visible features


def _pixels_of(img: Image.Image) -> list[tuple[int, int, int]]:
    return list(img.get_flattened_data() if hasattr(img, "get_flattened_data")
                else img.getdata())


def _to_pixels(result: render.Rendered):
    """EPSG:4548 metres → PNG pixels (from the top left), from the map's box and view."""
    mx0, my0, mx1, my1 = result.boxes["map"]
    x0, y0, x1, y1 = result.extent
    sx, sy = (mx1 - mx0) / (x1 - x0), (my1 - my0) / (y1 - y0)
    return lambda x, y: (mx0 + (x - x0) * sx, my1 - (y - y0) * sy), sx


def _near(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = max(0.0, b[0] - a[2], a[0] - b[2])
    dy = max(0.0, b[1] - a[3], a[1] - b[3])
    return (dx * dx + dy * dy) ** 0.5


@pytest.mark.slow
@pytest.mark.parametrize(("what", "lang"), [({"plan": NEW}, "en"), ({"plan": NEW}, "zh"),
                                            ({"layers": ("parks", "institutions")}, "zh"),
                                            ({"place": "yiheyuan"}, "en")])
def test_every_name_sits_at_a_feature_drawn_visibly(store, what, lang, artifacts_dir):
    dpi = 100
    result = render.render(store, FigureSpec(fmt="png", paper="A4", landscape=True, dpi=dpi,
                                             lang=lang, **what))
    key = "-".join(str(v if isinstance(v, str) else "+".join(v)) for v in what.values())
    (artifacts_dir / f"figure-names-{key}-{lang}.png").write_bytes(result.data)
    image = Image.open(io.BytesIO(result.data)).convert("RGB")
    to_px, px_per_m = _to_pixels(result)
    view = shapely_box(*result.extent)
    speck_px = SPECK_PT * dpi / 72
    avoid = [result.boxes["legend"]] + ([result.inset] if result.inset else [])
    labelled = [(pid, box) for pid, box in zip(result.labels, result.label_boxes, strict=False)]
    assert len(labelled) >= 5
    for pid, label_box in labelled:
        geom = project(shape(store.place_record(pid)["geometry"]), GK117)
        inner = geom.intersection(view)
        assert not inner.is_empty, pid
        highlighted = "place" in what and pid == what["place"]
        if not highlighted:  # a shape filling the map is its background, not a named thing
            assert inner.area <= BACKGROUND_SHARE * view.area + 1, pid
        bx0, by0, bx1, by1 = inner.bounds
        size_px = max(bx1 - bx0, by1 - by0) * px_per_m
        at = inner.representative_point() if inner.geom_type != "Point" else inner
        ax, ay = to_px(at.x, at.y)
        if inner.geom_type not in {"Point", "MultiPoint"} and size_px < speck_px:
            # a speck is drawn as a marker: the page shows something other than paper there
            patch = image.crop((int(ax) - 2, int(ay) - 2, int(ax) + 3, int(ay) + 3))
            assert any(min(p) < 230 for p in _pixels_of(patch)), (pid, "speck not drawn")
        # the name is beside its feature, and the feature is not under the legend or inset
        (fx0, fy1), (fx1, fy0) = to_px(bx0, by0), to_px(bx1, by1)
        assert _near(label_box, (fx0, fy0, fx1, fy1)) <= 14 * dpi / 72, (pid, label_box)
        assert not any(b[0] <= ax <= b[2] and b[1] <= ay <= b[3] for b in avoid), pid


# ------------------------------------------------------------------ framing, inset, wrapping


@pytest.mark.slow
@pytest.mark.parametrize("landscape", [True, False])
def test_plan_figure_frames_haidian_and_shows_far_places_in_an_inset(store, landscape,
                                                                    artifacts_dir):
    result = render.render(store, FigureSpec(plan=NEW, fmt="png", paper="A4",
                                             landscape=landscape, dpi=100))
    name = "landscape" if landscape else "portrait"
    (artifacts_dir / f"figure-plan-14th-{name}.png").write_bytes(result.data)
    x0, y0, x1, y1 = result.extent
    corners = [project(Point(x, y), "EPSG:4326", GK117) for x, y in ((x0, y0), (x1, y1))]
    west, south = corners[0].x, corners[0].y
    east, north = corners[1].x, corners[1].y
    # Haidian (about 116.05–116.39 E, 39.89–40.16 N) fills the frame; the airport (116.6 E),
    # Tongzhou (116.7 E) and Daxing airport (39.5 N) are not in it
    assert west < 116.06 and east > 116.38 and south < 39.9 and north > 40.15
    assert east < 116.6 and south > 39.6 and (x1 - x0) < 60_000 and (y1 - y0) < 60_000
    assert result.inset is not None
    assert {"xionganxinqu", "xinjichangzhan"} <= set(result.inset_labels)
    if landscape:  # beside the map, under the legend: nothing of Haidian is covered
        mx1 = result.boxes["map"][2]
        assert result.inset[0] >= mx1
    image = Image.open(io.BytesIO(result.data)).convert("RGB")
    inset = image.crop(tuple(int(v) for v in result.inset))
    reds = sum(1 for p in _pixels_of(inset) if p[0] > 180 and p[1] < 60 and p[2] < 60)
    assert reds > 20  # the main map's frame, drawn in red


@pytest.mark.slow
def test_layer_figures_have_no_inset(store):
    result = render.render(store, FigureSpec(layers=("parks",), fmt="png", size=(800, 600),
                                             dpi=100))
    assert result.inset is None and result.inset_labels == []


@pytest.mark.slow
def test_english_names_are_wrapped(store, artifacts_dir):
    dpi = 100
    result = render.render(store, FigureSpec(plan=NEW, fmt="png", paper="A4", landscape=True,
                                             dpi=dpi, lang="en"))
    widths = [(b[2] - b[0]) * 72 / dpi for b in result.label_boxes]
    heights = [(b[3] - b[1]) * 72 / dpi for b in result.label_boxes]
    # 18 characters of 7.5 pt type is about 75 pt; a long name unwrapped is 200 pt or more
    assert max(widths) < 95, max(widths)
    assert max(heights) > 2 * min(heights)  # some names take two or three lines
    long_names = [pid for pid in result.labels
                  if len(store.place_record(pid).get("name_en") or "") > 30]
    assert long_names, "no long English name was placed to test the wrapping on"


SCHEMATIC = "zhongguancunruanjianyuan"  # 中关村软件园: schematic, may be 1 km off


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_place_figure_states_how_far_the_place_may_be_off(store, lang):
    # a schematic place (北清路 itself is now drawn through its stations: approximate)
    gathered = render.gather(store, FigureSpec(place=SCHEMATIC, fmt="png", lang=lang))
    words = store.gazetteer.get(SCHEMATIC).accuracy(lang)
    assert words in gathered.subtitle
    assert ("可能偏差" if lang == "zh" else "may be off by") in gathered.subtitle


@pytest.mark.slow
def test_the_place_figure_prints_its_accuracy(store):
    result = render.render(store, FigureSpec(place=SCHEMATIC, fmt="pdf", paper="A4",
                                             lang="en"))
    text = pypdf.PdfReader(io.BytesIO(result.data)).pages[0].extract_text()
    assert store.gazetteer.get(SCHEMATIC).error_m == 1000
    assert "may be off by about 1 km" in text
