"""Where a map of a plan's places should look: at the places in and around Haidian.

A Haidian plan also names Xiong'an, Tongzhou, the new airport and Hebei. Framed on everything, its
map shows Beijing and Hebei with Haidian as a thumbnail; framed on Haidian, a planner sees the
places the plan is about and the far ones are listed (and, on a figure, drawn in an inset).
The plan page and the plan figure both ask this module, so they frame the same places.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shapely import box as shapely_box
from shapely.geometry.base import BaseGeometry

from geo.extents import BBox
from layers.basemap import haidian_outline
from layers.protocol import PlanStore

# Haidian's bounding box grown by about 3 km: a place on the district's edge (a road along the
# boundary, a park across it) still belongs to the frame.
HOME_MARGIN_DEG = 0.03
# A place covering this much of the home box (Beijing, the district itself) is context: it
# would frame the whole box whatever else the plan names.
CONTEXT_SHARE = 0.8


@dataclass(frozen=True)
class Focus:
    """The places a map frames (their geometry cut to the home box, WGS-84), and the far ones."""

    home: BBox
    near: tuple[tuple[str, BaseGeometry], ...]
    far: tuple[str, ...]

    @property
    def bounds(self) -> BBox | None:
        """West, south, east, north of the near places, or None when there are none."""
        if not self.near:
            return None
        bs = [g.bounds for _, g in self.near]
        return (min(b[0] for b in bs), min(b[1] for b in bs),
                max(b[2] for b in bs), max(b[3] for b in bs))


def home_box(store: PlanStore) -> BBox | None:
    """Haidian's bounding box with its margin, or None when the store has no Haidian outline."""
    outline = haidian_outline(features=store.basemap_features())
    if outline is None:
        return None
    x0, y0, x1, y1 = outline.bounds
    m = HOME_MARGIN_DEG
    return (x0 - m, y0 - m, x1 + m, y1 + m)


def focus(store: PlanStore, place_ids: Iterable[str]) -> Focus | None:
    """Split located places into those that touch the home box (cut to it) and the rest.

    Area-only places are drawn as the whole area they lie in, and a place covering most of the
    box (Beijing, Haidian itself) is context, so they neither frame the map nor count as far.
    None when the store has no Haidian outline (a synthetic store)."""
    home = home_box(store)
    if home is None:
        return None
    frame = shapely_box(*home)
    near: list[tuple[str, BaseGeometry]] = []
    far: list[str] = []
    gaz = store.gazetteer
    for pid in dict.fromkeys(place_ids):
        if pid not in gaz:
            continue
        place = gaz.get(pid)
        if place.geometry is None or place.precision == "area-only":
            continue
        if place.geometry.intersects(frame):
            inner = place.geometry.intersection(frame)
            if inner.area >= CONTEXT_SHARE * frame.area:
                continue
            if not inner.is_empty:
                near.append((pid, inner))
                continue
        far.append(pid)
    return Focus(home, tuple(near), tuple(far))
