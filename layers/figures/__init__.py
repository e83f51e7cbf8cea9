"""Static map figures for reports: a layer, several layers, a place among its neighbours, or the
places of one plan, as PNG, SVG or PDF.

Why this exists beside the web atlas: a planner pastes a map into a report or a slide, where there
is no browser, no tiles and often no internet. So the figure is drawn by matplotlib on the
project's own vector basemap (Beijing's districts, the Haidian outline, located roads, rail and
water), in EPSG:4548 so that the scale bar is true, with the furniture a printed map needs:
title, legend, scale bar, north arrow, labels, data sources, the precision note and a date.

Same request, same bytes: no timestamps are written and the date printed on the figure is the
date of the *data*, so a figure can be cached, given an ETag and checked into a report's
repository.

The package, in the order a figure is made: `spec` (the request and its limits), `content`
(what the store says to draw), `drawing` (basemap and features), `labels` (names that do not
overlap), `furniture` (legend, scale bar, north arrow, note), `page` (layout and bytes); `text`
holds the words and the font.
"""

from __future__ import annotations

import threading
from pathlib import Path

from geo import atomic
from layers.figures.content import gather
from layers.figures.page import Rendered, draw
from layers.figures.spec import (
    DPI_DEFAULT,
    DPI_MAX,
    DPI_MIN,
    FORMATS,
    MAX_LAYERS,
    MAX_PIXELS,
    PAPERS_MM,
    SIDE_MAX_PX,
    SIDE_MIN_PX,
    FigureSpec,
    format_from_path,
    parse_bbox,
    parse_size,
)
from layers.figures.text import NoCJKFont, cjk_font
from layers.protocol import PlanStore

_LOCK = threading.Lock()  # matplotlib's rcParams are process-global


def render(store: PlanStore, spec: FigureSpec) -> Rendered:
    """Draw the figure the spec asks for from the store's data and return its bytes."""
    content = gather(store, spec)
    family = cjk_font()
    with _LOCK:
        return draw(spec, content, family)


def render_to_file(store: PlanStore, spec: FigureSpec, path: Path) -> Rendered:
    """Render and write atomically (a half-written PDF in a report folder is worse than none)."""
    result = render(store, spec)
    atomic.write_bytes(path, result.data)  # WriteFailed: one line, nothing left behind
    return result


__all__ = ["DPI_DEFAULT", "DPI_MAX", "DPI_MIN", "FORMATS", "MAX_LAYERS", "MAX_PIXELS",
           "PAPERS_MM", "SIDE_MAX_PX", "SIDE_MIN_PX", "FigureSpec", "NoCJKFont", "Rendered",
           "cjk_font", "format_from_path", "gather", "parse_bbox", "parse_size", "render",
           "render_to_file"]
