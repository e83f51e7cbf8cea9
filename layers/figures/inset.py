"""The locator inset of a plan figure: Beijing's districts, the main map's frame, and the far places
the frame leaves out (the sub-centre, the airports, Xiong'an) as dots with their names.

A plan framed on Haidian still names places 40 km away; rather than shrink Haidian to a thumbnail
to reach them, the figure keeps its frame and shows the far ones here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shapely import box as shapely_box

from layers.figures.content import BaseShape, FarPlace
from layers.figures.drawing import look, role_look
from layers.figures.labels import LABEL_MIN_PT, wrap
from layers.figures.spec import Bounds
from layers.figures.text import t

FRAME_COLOUR = "#d7191c"
SHARE = 0.3  # of the map frame's width, when the inset has to sit on the map
MAX_NAMED = 12


def region_on_map(map_box: tuple[float, float, float, float], fig: Any,
                  corner: str) -> tuple[float, float, float, float]:
    """A box in one corner of the map ("lower right", "upper left") for an inset with no room
    beside the map."""
    left, bottom, width, height = map_box
    fig_w, fig_h = fig.get_size_inches()
    w, h = width * SHARE, height * 0.5
    pad_x, pad_y = 0.08 / fig_w, 0.08 / fig_h
    x = left + width - w - pad_x if corner.endswith("right") else left + pad_x
    y = bottom + pad_y if corner.startswith("lower") else bottom + height - h - pad_y
    return x, y, w, h


def inset_bounds(basemap: Sequence[BaseShape], far: Sequence[FarPlace], view: Bounds) -> Bounds:
    """Beijing (its districts), the main view and the far places, with a margin."""
    boxes = [b.geom.bounds for b in basemap if b.role in {"district", "haidian"}]
    boxes += [p.at.bounds for p in far] + [view]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    m = 0.06 * max(x1 - x0, y1 - y0)
    return x0 - m, y0 - m, x1 + m, y1 + m


def draw_inset(fig: Any, region: tuple[float, float, float, float], basemap: Sequence[BaseShape],
               far: Sequence[FarPlace], view: Bounds, scale: float, lang: str,
               renderer: Any) -> tuple[Any, list[str]]:
    """Add the inset, as large as fits in `region` (left, bottom, width, height as figure
    fractions) at its shape, to the region's lower left; return its axes (the map's names
    avoid it) and the ids of the far places it names."""
    import geopandas as gpd
    from matplotlib import patheffects
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = inset_bounds(basemap, far, view)
    left, bottom, room_w, room_h = region
    fig_w, fig_h = fig.get_size_inches()
    width = room_w
    height = width * fig_w / fig_h * (y1 - y0) / (x1 - x0)
    if height > room_h:
        height = room_h
        width = height * fig_h / fig_w * (x1 - x0) / (y1 - y0)
    ax = fig.add_axes((left, bottom, width, height), zorder=80)
    ax.set_facecolor("white")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
        spine.set_color("#444444")
    area = shapely_box(x0, y0, x1, y1)
    for role in ("district", "haidian"):
        shapes = [b.geom for b in basemap if b.role == role and b.geom.intersects(area)]
        if shapes:
            st = role_look(role, scale * 0.6)
            gpd.GeoSeries(shapes).plot(ax=ax, facecolor=st["facecolor"],
                                       edgecolor=st["edgecolor"], linewidth=st["linewidth"])
    vx0, vy0, vx1, vy1 = view
    ax.add_patch(Rectangle((vx0, vy0), vx1 - vx0, vy1 - vy0, facecolor="none",
                           edgecolor=FRAME_COLOUR, linewidth=1.2 * scale, zorder=5))
    for place in far:
        color, fill, _alpha, _lw = look(place.style, scale)
        ax.plot([place.at.x], [place.at.y], marker="o", markersize=4.5 * scale,
                markerfacecolor=fill, markeredgecolor=color, linestyle="none", zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_aspect("equal", adjustable="datalim")
    ax.apply_aspect()
    title = ax.text(0.03, 0.97, t("inset", lang), transform=ax.transAxes, ha="left", va="top",
                    fontsize=LABEL_MIN_PT * scale, color="#222222", zorder=9, parse_math=False)
    taken = [title.get_window_extent(renderer)]
    frame = ax.get_window_extent(renderer)
    named: list[str] = []
    for place in sorted(far, key=lambda p: p.id)[:MAX_NAMED]:
        for dx, ha in ((4, "left"), (-4, "right")):
            label = ax.annotate(wrap(place.name, lang), (place.at.x, place.at.y),
                                xytext=(dx * scale, 0), textcoords="offset points", ha=ha,
                                va="center", fontsize=LABEL_MIN_PT * scale, color="#1f1f1f",
                                zorder=9, parse_math=False, path_effects=[
                                    patheffects.withStroke(linewidth=2 * scale,
                                                           foreground="white")])
            label.set_gid(f"inset-label-{place.id}")
            bb = label.get_window_extent(renderer)
            inside = frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0 \
                and bb.y1 <= frame.y1
            if inside and not any(bb.overlaps(b) for b in taken):
                taken.append(bb)
                named.append(place.id)
                break
            label.remove()
    return ax, named
