"""What a figure request may ask for, validated before anything is drawn.

The CLI and the /figures routes build the same `FigureSpec`, so they refuse the same bad values
with the same messages; a bad value never reaches matplotlib, where it would be a traceback or an
hour of rendering.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from shapely import box as shapely_box

from geo.errors import BadRequest
from geo.extents import BEIJING

FORMATS: dict[str, str] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
PAPERS_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
DPI_MIN, DPI_MAX, DPI_DEFAULT = 50, 600, 150
SIDE_MIN_PX, SIDE_MAX_PX = 200, 12000
MAX_PIXELS = 40_000_000
MAX_LAYERS = 12
LANGS = ("zh", "en")
TITLE_MAX = 120

Bounds = tuple[float, float, float, float]

# What a figure covers: content outside Beijing is left off (and counted in the note); a view
# or a feature may reach up to a degree beyond the municipality's box.
BEIJING_AREA = shapely_box(*BEIJING)
WITHIN_REACH = shapely_box(BEIJING[0] - 1.0, BEIJING[1] - 1.0, BEIJING[2] + 1.0, BEIJING[3] + 1.0)
# A plan figure's inset shows far places within Beijing, Tianjin and Hebei (Xiong'an, Tianjin's
# Binhai): further ones are only counted in the note.
INSET_REACH = shapely_box(113.4, 36.0, 119.9, 42.7)


@dataclass(frozen=True)
class FigureSpec:
    """What to draw and how big: validated on construction."""

    layers: tuple[str, ...] = ()
    place: str | None = None
    plan: str | None = None
    fmt: str = "png"
    paper: str | None = None
    landscape: bool = False
    size: tuple[int, int] | None = None
    dpi: int = DPI_DEFAULT
    title: str | None = None
    lang: str = "zh"
    bbox: Bounds | None = None  # lon/lat: frame exactly this view

    def __post_init__(self) -> None:
        chosen = sum([bool(self.layers), self.place is not None, self.plan is not None])
        if chosen != 1:
            raise BadRequest("a figure needs exactly one of: layers, a place, a plan")
        if len(self.layers) > MAX_LAYERS:
            raise BadRequest(f"at most {MAX_LAYERS} layers in one figure")
        if self.fmt not in FORMATS:
            raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {self.fmt!r}")
        if self.lang not in LANGS:
            raise BadRequest(f"lang must be one of {', '.join(LANGS)}, not {self.lang!r}")
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, int):
            raise BadRequest("dpi must be an integer")
        if not DPI_MIN <= self.dpi <= DPI_MAX:
            raise BadRequest(f"dpi must be between {DPI_MIN} and {DPI_MAX}, not {self.dpi}")
        self._check_size()
        if self.title is not None and len(self.title) > TITLE_MAX:
            raise BadRequest(f"title is longer than {TITLE_MAX} characters")
        if self.bbox is not None:
            x0, y0, x1, y1 = self.bbox
            if not all(math.isfinite(v) for v in self.bbox) or not (x0 < x1 and y0 < y1):
                raise BadRequest("bbox must be minlon,minlat,maxlon,maxlat with min < max")
            if not shapely_box(*self.bbox).within(WITHIN_REACH):
                raise BadRequest("bbox must lie within Beijing (about 114.4–118.5 E, "
                                 "38.4–42.1 N)")

    def _check_size(self) -> None:
        if self.paper is not None and self.size is not None:
            raise BadRequest("give a paper size or a pixel size, not both")
        if self.paper is not None and self.paper not in PAPERS_MM:
            raise BadRequest(f"paper must be one of {', '.join(PAPERS_MM)}, not {self.paper!r}")
        if self.size is not None:
            w, h = self.size
            if not (SIDE_MIN_PX <= w <= SIDE_MAX_PX and SIDE_MIN_PX <= h <= SIDE_MAX_PX):
                raise BadRequest(f"size must be between {SIDE_MIN_PX} and {SIDE_MAX_PX} pixels "
                                 f"a side, not {w}x{h}")
            if w / h > 4 or h / w > 4:
                raise BadRequest("size: one side may be at most four times the other")
        if self.fmt == "png":
            w, h = self.pixels
            if w * h > MAX_PIXELS:
                raise BadRequest(f"{w}x{h} pixels is more than the {MAX_PIXELS // 1_000_000} "
                                 "megapixel limit; lower dpi or size")

    @property
    def inches(self) -> tuple[float, float]:
        if self.size is not None:  # a hair over, so Agg's int() truncation keeps every pixel
            return (self.size[0] + 1e-7) / self.dpi, (self.size[1] + 1e-7) / self.dpi
        w_mm, h_mm = PAPERS_MM[self.paper or "A4"]
        landscape = self.landscape if self.paper else True  # no paper given: A4 landscape
        if landscape:
            w_mm, h_mm = h_mm, w_mm
        return w_mm / 25.4, h_mm / 25.4

    @property
    def pixels(self) -> tuple[int, int]:
        w, h = self.inches
        return int(w * self.dpi), int(h * self.dpi)  # as matplotlib's Agg canvas truncates

    def key(self) -> tuple[object, ...]:
        """A hashable identity of the request (for caches and ETags)."""
        return (self.layers, self.place, self.plan, self.fmt, self.paper, self.landscape,
                self.size, self.dpi, self.title, self.lang, self.bbox)


def parse_bbox(raw: str) -> Bounds:
    """'116.1,39.9,116.4,40.1' (minlon,minlat,maxlon,maxlat, WGS-84) → a tuple of floats."""
    try:
        x0, y0, x1, y1 = (float(p) for p in raw.split(","))
    except ValueError:
        raise BadRequest(f"bbox must be minlon,minlat,maxlon,maxlat, not {raw!r}") from None
    return x0, y0, x1, y1


def parse_size(raw: str) -> tuple[int, int]:
    """'1600x1200' → (1600, 1200); anything else is a BadRequest naming the expected form."""
    parts = raw.lower().replace("×", "x").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise BadRequest(f"size must be WIDTHxHEIGHT in pixels, e.g. 1600x1200, not {raw!r}")\
            from None
    return w, h


def format_from_path(path: Path, fmt: str | None) -> str:
    """The format asked for, else the one the file name implies (a report's `fig.pdf`)."""
    if fmt:
        return fmt.lower()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BadRequest(f"cannot tell the format from {path.name!r}: give --format "
                         f"({', '.join(FORMATS)}) or a .png/.svg/.pdf name")
    return suffix
