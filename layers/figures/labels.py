"""Names on the map: greedy placement, most-mentioned first, never overlapping.

Each name tries a few positions around its feature and is left out when every one collides
with a name already placed, the legend, the title or the map furniture: a figure with fewer
names is better than one with names over names.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any, NamedTuple

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from layers import styles
from layers.figures.content import Group

# The smallest name printed on a figure, in points at scale 1 (an A4 page): a report is read at
# arm's length, and below about 7 pt Chinese characters lose their strokes.
LABEL_MIN_PT = 7.0
# font size (points at scale 1), colour, white halo width by kind of name
LOOKS: dict[str, tuple[float, str, float]] = {
    "highlight": (9.0, "#000000", 2.8),
    "feature": (7.5, "#1f1f1f", 2.2),
    "muted": (LABEL_MIN_PT, "#374151", 2.0),
    "haidian": (9.0, str(styles.BASEMAP_STYLES["haidian"]["color"]), 2.0),
    "district": (7.5, "#6f6553", 2.0),
}
CITY_SCALE_M = 12000  # district names help on a map wider than this only
# A shape covering more of the map than this is the background of the figure (a district, a
# science city around the whole view): its name in the middle of the map would label nothing.
BACKGROUND_SHARE = 0.5
WRAP = {"en": 18, "zh": 9}  # characters a line; longer names are wrapped


def wrap(name: str, lang: str) -> str:
    """A long name on two or three lines, so it does not run across the map: English at word
    breaks, Chinese every few characters (a name longer than a line and a half)."""
    if lang == "en" or name.isascii():
        return "\n".join(textwrap.wrap(name, WRAP["en"], break_long_words=False)) or name
    n = WRAP["zh"]
    if len(name) <= n + n // 2:
        return name
    return "\n".join(name[i:i + n] for i in range(0, len(name), n))


class Candidate(NamedTuple):
    priority: float
    ident: str      # a feature id; "~name" for a district name (not reported as labelled)
    at: Point
    kind: str       # a key of LOOKS
    text: str
    point_like: bool


def candidates(groups: Sequence[Group], view: BaseGeometry,
               districts: Sequence[tuple[str, str, str, Point]], lang: str) -> list[Candidate]:
    """Every name the map could show. The highlighted place comes first whatever its
    mentions; neighbours and district names give way to the features the figure is about."""
    queue: list[Candidate] = []
    for group in groups:
        kind = "highlight" if group.highlight else "muted" if group.muted else "feature"
        bonus = 1e6 if group.highlight else (-1e3 if group.muted else 0)
        for item in group.items:
            if item.precision == "area-only" or not item.name:
                continue
            inner = item.geom if view.contains(item.geom) else item.geom.intersection(view)
            if inner.is_empty:
                continue
            if not group.highlight and inner.area > BACKGROUND_SHARE * view.area:
                continue
            queue.append(Candidate(item.priority + bonus, item.id, anchor(inner), kind,
                                   wrap(item.name, lang),
                                   inner.geom_type in {"Point", "MultiPoint"}))
    if view.bounds[2] - view.bounds[0] > CITY_SCALE_M:
        for role, name, name_en, at in districts:
            label = name_en if lang == "en" and name_en else name
            queue.append(Candidate(-1e5 if role == "district" else -5e4, f"~{name}", at, role,
                                   label, False))
    return queue


def anchor(geom: BaseGeometry) -> Point:
    """Where a name sits: halfway along a line's longest part, on a point, inside an area."""
    if geom.geom_type in {"LineString", "MultiLineString"}:
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        return line.interpolate(0.5, normalized=True)
    if geom.geom_type in {"Point"}:
        return geom
    if geom.geom_type == "MultiPoint":
        return geom.geoms[0]
    return geom.representative_point()


def place_labels(ax: Any, queue: list[Candidate], renderer: Any, scale: float,
                 avoid: list[Any]) -> tuple[list[str], list[Any]]:
    """Place what fits; return the ids labelled (in placing order) and the text artists."""
    from matplotlib import patheffects

    taken = [a.get_window_extent(renderer) for a in avoid]
    taken += [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() == "furniture"]
    taken += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "furniture"]
    frame = ax.get_window_extent(renderer)
    placed: list[str] = []
    artists: list[Any] = []
    shown: set[str] = set()  # a road and the corridor along it may share a name: label once
    limit = int(45 * scale * scale)
    blocked = list(taken)  # a name whose feature lies under the legend or inset labels nothing
    for c in sorted(queue, key=lambda c: (-c.priority, c.ident)):
        if len(placed) >= limit:
            break
        if c.text in shown:
            continue
        ax_x, ax_y = ax.transData.transform((c.at.x, c.at.y))
        if any(b.contains(ax_x, ax_y) for b in blocked):
            continue
        size, color, halo = LOOKS[c.kind]
        offsets = ([(6, 0, "left", "center"), (-6, 0, "right", "center"),
                    (0, 6, "center", "bottom"), (0, -6, "center", "top")] if c.point_like
                   else [(0, 0, "center", "center"), (0, 9, "center", "bottom"),
                         (0, -9, "center", "top")])
        for dx, dy, ha, va in offsets:
            artist = ax.annotate(
                c.text, (c.at.x, c.at.y), xytext=(dx * scale, dy * scale),
                textcoords="offset points", ha=ha, va=va, fontsize=size * scale, color=color,
                zorder=60, parse_math=False, linespacing=1.05,
                path_effects=[patheffects.withStroke(linewidth=halo * scale,
                                                     foreground="white")])
            # an SVG element id a reader (and the tests) can find the name by
            artist.set_gid(f"label-{c.ident}" if not c.ident.startswith("~")
                           else f"district-label-{len(artists)}")
            bb = artist.get_window_extent(renderer)
            inside = (frame.x0 + 2 <= bb.x0 and bb.x1 <= frame.x1 - 2
                      and frame.y0 + 2 <= bb.y0 and bb.y1 <= frame.y1 - 2)
            if inside and not any(bb.overlaps(b) for b in taken):
                taken.append(bb.expanded(1.08, 1.2))
                shown.add(c.text)
                artists.append(artist)
                if not c.ident.startswith("~"):
                    placed.append(c.ident)
                break
            artist.remove()
    return placed, artists
