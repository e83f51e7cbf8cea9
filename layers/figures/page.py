"""The page: title and subtitle on top, the note at the bottom, the legend beside or below, and
the map in exactly the room that is left; then the bytes, with no timestamp in them.

Same request, same bytes: PNG `Software`, SVG `Date` and PDF `CreationDate`/`ModDate` are
dropped and the SVG id salt is fixed.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

from shapely import box as shapely_box

from geo.errors import BadRequest
from layers.figures import furniture, labels
from layers.figures.content import Content
from layers.figures.drawing import draw_basemap, draw_group, sea_colour, visible
from layers.figures.inset import draw_inset, region_on_map
from layers.figures.spec import FORMATS, Bounds, FigureSpec
from layers.figures.text import t

PixelBox = tuple[float, float, float, float]
NOTE_PT = 6.5  # the sources and precision note, at scale 1 (A4): small print, still legible


@dataclass
class Rendered:
    """The figure's bytes and, for tests and callers, where things ended up (pixels, from the
    top-left corner, as (x0, y0, x1, y1))."""

    data: bytes
    media_type: str
    pixels: tuple[int, int]
    boxes: dict[str, PixelBox]
    labels: list[str]                       # ids of the features labelled, in placing order
    label_boxes: list[PixelBox] = field(default_factory=list)
    extent: Bounds = (0.0, 0.0, 0.0, 0.0)   # the map's view, EPSG:4548 metres
    inset: PixelBox | None = None           # the locator inset of a plan figure
    inset_labels: list[str] = field(default_factory=list)  # far places named in the inset


def draw(spec: FigureSpec, content: Content, family: str) -> Rendered:
    """Lay out and draw the page. Callers hold the lock: matplotlib's rcParams are global."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lang = spec.lang
    w_in, h_in = spec.inches
    scale = max(0.6, min(2.2, math.sqrt(w_in * h_in / (8.27 * 11.69))))
    with matplotlib.rc_context({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.hashsalt": "planmap",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "path.simplify": True,
    }):
        fig = Figure(figsize=(w_in, h_in), dpi=spec.dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        # geopandas asks for a redraw after every plot call; on Agg that is a full render each
        # time (45 of them for a plan figure). Everything is measured without drawing; the one
        # draw is the one that writes the file.
        canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
        renderer = canvas.get_renderer()
        landscape = w_in >= h_in
        mx, my = 0.35 / w_in, 0.35 / h_in   # page margins as figure fractions

        # ---- title and subtitle (top), note (bottom), legend (side or below): measured first,
        # so the map takes exactly the room that is left.
        title = spec.title or content.title
        title_artist = fig.text(mx, 1 - my, title, fontsize=15 * scale, va="top", ha="left",
                                color="#1a1a1a", parse_math=False)
        top = 1 - my - _height(title_artist, renderer, fig)
        subtitle_artist = None
        if content.subtitle and not spec.title:
            subtitle_artist = fig.text(mx, top - 0.006, content.subtitle, fontsize=8.5 * scale,
                                       va="top", ha="left", color="#555555", parse_math=False)
            top -= 0.006 + _height(subtitle_artist, renderer, fig)
        top -= 0.15 / h_in
        note = fig.text(mx, my, furniture.note(content, lang), fontsize=NOTE_PT * scale,
                        va="bottom", ha="left", color="#444444", linespacing=1.45,
                        parse_math=False)
        bottom = my + _height(note, renderer, fig) + 0.15 / h_in

        focus_box = shapely_box(*extent(content, 1.0))
        handles, entries = furniture.legend_entries(content, focus_box, lang, scale)
        legend = fig.legend(handles, entries, loc="upper left", bbox_to_anchor=(0, 1),
                            frameon=True, fontsize=8 * scale, title=t("legend", lang),
                            title_fontsize=9.5 * scale, alignment="left",
                            ncol=1 if landscape or len(entries) < 5 else 2, borderpad=0.8,
                            labelspacing=0.6, handlelength=2.2, fancybox=False,
                            edgecolor="#888888")
        legend.get_frame().set_linewidth(0.6)
        for text in [*legend.get_texts(), legend.get_title()]:
            text.set_parse_math(False)  # names are data: "$" is a character, not TeX
        lw_frac = legend.get_window_extent(renderer).width / fig.bbox.width
        lh_frac = legend.get_window_extent(renderer).height / fig.bbox.height
        gap_x, gap_y = 0.15 / w_in, 0.15 / h_in
        map_box: tuple[float, float, float, float]  # left, bottom, width, height
        if landscape:
            map_box = (mx, bottom, 1 - 2 * mx - lw_frac - gap_x, top - bottom)
            legend.set_bbox_to_anchor((1 - mx - lw_frac, top), transform=fig.transFigure)
        else:
            map_box = (mx, bottom + lh_frac + gap_y, 1 - 2 * mx, top - bottom - lh_frac - gap_y)
            legend.set_bbox_to_anchor((mx, bottom + lh_frac), transform=fig.transFigure)
        if map_box[2] <= 0.2 or map_box[3] <= 0.2:
            raise BadRequest("the figure is too small for its legend; give a larger size")

        # ---- the map
        ax = fig.add_axes(map_box)
        ax.set_facecolor(sea_colour())
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_linewidth(0.8)
            spine.set_color("#444444")
        aspect = (map_box[2] * w_in) / (map_box[3] * h_in)
        x0, y0, x1, y1 = extent(content, aspect)
        view = shapely_box(x0, y0, x1, y1)
        districts = draw_basemap(ax, content.basemap, view, scale)
        groups = visible(content.groups, view, (x1 - x0) / (map_box[2] * w_in * 72))
        for z, group in enumerate(groups):
            draw_group(ax, group, view, scale, zorder=10 + 3 * z + (10 if group.highlight else 0))
        queue = labels.candidates(groups, view, districts, lang)
        furniture.scale_bar(ax, x0, y0, x1, y1, scale)
        furniture.north_arrow(ax, x0, y0, x1, y1, scale, lang)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_aspect("equal", adjustable="datalim")

        ax.apply_aspect()  # what a draw would do first: the frame's final limits, to measure in
        inset = None
        inset_named: list[str] = []
        if content.far:
            region = _inset_region(map_box, (lw_frac, lh_frac), (gap_x, gap_y), landscape,
                                   (mx, top), fig)
            inset, inset_named = draw_inset(fig, region, content.basemap, content.far,
                                            (x0, y0, x1, y1), scale, lang, renderer)
        placed, artists = labels.place_labels(
            ax, queue, renderer, scale,
            [legend, title_artist, *([subtitle_artist] if subtitle_artist else []),
             *([inset] if inset is not None else [])])
        boxes = {name: _pixels(artist.get_window_extent(renderer), fig)
                 for name, artist in (("legend", legend), ("title", title_artist),
                                      ("note", note), ("map", ax))}
        data = _save(fig, spec, title)
        label_boxes = [_pixels(a.get_window_extent(renderer), fig) for a in artists]
        return Rendered(data, FORMATS[spec.fmt], spec.pixels, boxes, placed, label_boxes,
                        extent=(float(ax.get_xlim()[0]), float(ax.get_ylim()[0]),
                                float(ax.get_xlim()[1]), float(ax.get_ylim()[1])),
                        inset=_pixels(inset.get_window_extent(renderer), fig)
                        if inset is not None else None, inset_labels=inset_named)


def _inset_region(map_box: tuple[float, float, float, float], legend: tuple[float, float],
                  gap: tuple[float, float], landscape: bool, corner: tuple[float, float],
                  fig: Any) -> tuple[float, float, float, float]:
    """Where the inset goes: beside the map under the legend (landscape) or beside the legend
    (portrait) when there is room for a quarter of the map's size, else on the map's upper
    left corner (the scale bar has the lower left, the north arrow the upper right)."""
    left, bottom, width, height = map_box
    lw, lh = legend
    mx, top = corner
    if landscape:
        room = (left + width + gap[0], bottom, lw, top - lh - gap[1] - bottom)
        enough = room[3] >= 0.3 * height
    else:
        room = (mx + lw + gap[0], bottom - lh - gap[1], width - lw - gap[0], lh)
        enough = room[2] >= 0.3 * width
    if enough and room[2] > 0 and room[3] > 0:
        return room
    return region_on_map(map_box, fig, "upper left")


def extent(content: Content, aspect: float) -> Bounds:
    """The focus plus a margin, widened to the map frame's aspect (width / height)."""
    x0, y0, x1, y1 = content.focus
    w = max(x1 - x0, content.min_span_m)
    h = max(y1 - y0, content.min_span_m)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * content.margin, h * content.margin
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _save(fig: Any, spec: FigureSpec, title: str) -> bytes:
    buf = io.BytesIO()
    if spec.fmt == "png":
        fig.savefig(buf, format="png", dpi=spec.dpi, metadata={"Software": None})
    elif spec.fmt == "svg":
        fig.savefig(buf, format="svg", dpi=spec.dpi,
                    metadata={"Date": None, "Creator": "planmap", "Title": title})
    else:
        fig.savefig(buf, format="pdf", dpi=spec.dpi,
                    metadata={"CreationDate": None, "ModDate": None, "Creator": "planmap",
                              "Producer": "planmap (matplotlib)", "Title": title})
    return buf.getvalue()


def _height(artist: Any, renderer: Any, fig: Any) -> float:
    return float(artist.get_window_extent(renderer).height / fig.bbox.height)


def _pixels(bbox: Any, fig: Any) -> PixelBox:
    height = fig.bbox.height
    return (float(bbox.x0), float(height - bbox.y1), float(bbox.x1), float(height - bbox.y0))
