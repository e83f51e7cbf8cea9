"""Drawing the map: the basemap and the feature groups, in EPSG:4548 metres on one axes.

Styles are CSS-pixel styles (layers.definitions, layers.styles), as the atlas uses them; they
become matplotlib points here, in `points`, and nowhere else.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from layers import styles
from layers.figures.content import BaseShape, Group

PT_PER_PX = 0.75  # CSS pixels are 1/96 inch, matplotlib points 1/72
# drawing order within one group and kind: outlines under dashed under solid
PRECISION_CLASSES = ("outline", "dashed", "solid")
# the basemap roles a figure draws, bottom to top, and those drawn as dots where they are points
BASE_DRAWN = ("district", "haidian", "water", "rail", "road", "station")
POINT_ROLES = frozenset({"water", "station"})


def points(px: float) -> float:
    """A CSS-pixel width or dash length (the atlas's unit) in points."""
    return px * PT_PER_PX


def precision_look(precision: str) -> styles.PrecisionLook:
    return styles.PRECISION_LOOKS.get(precision, styles.PrecisionLook())


def look(style: dict[str, Any], scale: float) -> tuple[str, str, float, float]:
    """A layer style as (stroke colour, fill colour, fill alpha, line width in points)."""
    color = str(style.get("color") or styles.DEFAULT_COLOUR)
    fill = str(style.get("fill_color") or color)
    alpha = style.get("fill_opacity")
    alpha = 0.2 if alpha is None else float(alpha)
    lw = points(float(style.get("weight") or 2)) * scale
    return color, fill, alpha, lw


def dashes(style: dict[str, Any], linewidth: float) -> tuple[float, tuple[float, ...]]:
    """The style's SVG dash pattern (pixels) as a matplotlib dash tuple (points, unscaled)."""
    raw = str(style.get("dash_array") or styles.DEFAULT_DASH).replace(",", " ").split()
    try:
        seq = tuple(max(0.5, points(float(x))) for x in raw) or (4.5, 3.0)
    except ValueError:
        seq = (4.5, 3.0)
    # matplotlib scales dashes by the line width; undo it so the pattern keeps its length.
    return 0.0, tuple(s / max(linewidth, 0.1) for s in seq)


def role_look(role: str, scale: float) -> dict[str, Any]:
    """A basemap role (layers.styles.BASEMAP_STYLES) as matplotlib keyword arguments."""
    st = styles.BASEMAP_STYLES[role]
    lw = points(float(st["weight"])) * scale
    return {
        "edgecolor": st["color"] or "none",
        "facecolor": rgba(st["fill_color"], float(st["fill_opacity"])) if st["fill_color"]
        else "none",
        "linewidth": lw,
        "linestyle": dashes(st, lw) if st.get("dash_array") else "solid",
    }


def sea_colour() -> str:
    return str(styles.BASEMAP_STYLES["sea"]["fill_color"])


def rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    try:
        r, g, b, _ = to_rgba(hex_colour)
    except ValueError:
        r, g, b, _ = to_rgba(styles.DEFAULT_COLOUR)
    return (r, g, b, max(0.0, min(1.0, alpha)))


def geom_kind(geom: BaseGeometry) -> str:
    if geom.geom_type in {"Point", "MultiPoint"}:
        return "point"
    if geom.geom_type in {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


# A shape smaller than this on paper (points) would be a speck: it is drawn as a marker instead,
# so that every place on the figure, and every name, belongs to something the reader can see.
SPECK_PT = 3.0


def visible(groups: list[Group], view: BaseGeometry, metres_per_pt: float) -> list[Group]:
    """The groups with every area or line smaller than SPECK_PT (inside the view) replaced by
    a point on it, which draw_group draws as a marker."""
    speck = SPECK_PT * metres_per_pt
    out = []
    for group in groups:
        items = []
        for item in group.items:
            kind = geom_kind(item.geom)
            if kind != "point" and item.precision != "area-only" and item.geom.intersects(view):
                inner = item.geom.intersection(view)
                x0, y0, x1, y1 = inner.bounds
                if max(x1 - x0, y1 - y0) < speck:
                    item = replace(item, geom=inner.representative_point())
            items.append(item)
        out.append(replace(group, items=items))
    return out


def draw_basemap(ax: Any, basemap: tuple[BaseShape, ...], view: BaseGeometry,
                 scale: float) -> list[tuple[str, str, str, Point]]:
    """Draw the basemap; return (role, name, name_en, where) of the district labels."""
    import geopandas as gpd

    base = [b for b in basemap if b.geom.intersects(view)]
    by_role: dict[str, list[BaseGeometry]] = {}
    for b in base:
        by_role.setdefault(b.role, []).append(b.geom)
    for zorder, role in enumerate(BASE_DRAWN, start=1):
        st = role_look(role, scale)
        geoms = by_role.get(role, [])
        areas = [g for g in geoms if geom_kind(g) == "polygon"]
        lines = [g for g in geoms if geom_kind(g) == "line"]
        if areas:
            gpd.GeoSeries(areas).plot(ax=ax, zorder=zorder, **st)
        if lines:
            gpd.GeoSeries(lines).plot(ax=ax, color=st["edgecolor"], linewidth=st["linewidth"],
                                      linestyle=st["linestyle"], zorder=zorder)
        wells = [g for g in geoms if geom_kind(g) == "point"] if role in POINT_ROLES else []
        if wells:  # a spring, a pond or a station known by its point: a small dot, no label
            gpd.GeoSeries(wells).plot(ax=ax, color=st["facecolor"] if role == "station"
                                      else st["edgecolor"], edgecolor=st["edgecolor"],
                                      linewidth=st["linewidth"] * 0.6,
                                      markersize=(4 if role == "station" else 6) * scale,
                                      zorder=zorder)
    labels = []
    for b in base:
        if b.role not in {"district", "haidian"}:
            continue
        inner = b.geom.intersection(view)
        if inner.is_empty or inner.area < view.area * 0.02:
            continue
        labels.append((b.role, b.name, b.name_en, inner.representative_point()))
    return labels


def draw_group(ax: Any, group: Group, view: BaseGeometry, scale: float, zorder: int) -> None:
    """One plot call per (geometry kind, precision class): hundreds of features stay fast."""
    import geopandas as gpd

    color, fill, alpha, lw = look(group.style, scale)
    # (geometry kind, precision class, the look's own width in px or 0) -> geometries
    batches: dict[tuple[str, int, float], list[BaseGeometry]] = {}
    seen: set[bytes] = set()
    for item in group.items:
        if not item.geom.intersects(view):
            continue
        plook = precision_look(item.precision)
        if plook.outline_only:  # many places drawn as one area: outline it once
            key = item.geom.wkb
            if key in seen:
                continue
            seen.add(key)
        cls = "outline" if plook.outline_only else "dashed" if plook.dashed else "solid"
        batch = (geom_kind(item.geom), PRECISION_CLASSES.index(cls), plook.weight or 0.0)
        batches.setdefault(batch, []).append(item.geom)
    for (kind, rank, weight_px), geoms in sorted(batches.items()):
        series = gpd.GeoSeries(geoms)
        cls = PRECISION_CLASSES[rank]
        width = points(weight_px) * scale if weight_px else lw
        dashed = cls == "dashed"
        if kind == "point":
            series.plot(ax=ax, color=fill, edgecolor=color, markersize=30 * scale,
                        linewidth=0.9 * scale, zorder=zorder + 2,
                        linestyle=(0, (2, 1.5)) if dashed else "solid")
        elif kind == "line":
            series.plot(ax=ax, color=color, linewidth=width * 1.2, zorder=zorder + 1,
                        linestyle=dashes(group.style, width * 1.2) if dashed else "solid")
        elif cls == "outline":
            series.plot(ax=ax, facecolor="none", edgecolor=color, linewidth=width, alpha=0.8,
                        zorder=zorder)
        else:
            series.plot(ax=ax, facecolor=rgba(fill, alpha), edgecolor=color, linewidth=width,
                        linestyle=dashes(group.style, width) if dashed else "solid",
                        zorder=zorder)
