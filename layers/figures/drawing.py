"""Drawing the map: the basemap and the feature groups, in EPSG:4548 metres on one axes.

Styles are CSS-pixel styles (layers.definitions, layers.styles), as the atlas uses them; they
become matplotlib points here, in `points`, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from layers import styles
from layers.figures.content import BaseShape, Group

BASE_STYLE: dict[str, dict[str, Any]] = {
    "sea": {"facecolor": "#e3e9ee"},
    "district": {"facecolor": "#f1ece1", "edgecolor": "#c4b8a2", "linewidth": 0.6},
    "haidian": {"facecolor": "#fbf8f1", "edgecolor": "#8a6d3b", "linewidth": 1.6},
    "water": {"color": "#5b9bd5", "facecolor": "#cfe2f3", "linewidth": 1.0},
    "rail": {"color": "#7a7a7a", "linewidth": 0.8},
    "road": {"color": "#b3ada1", "linewidth": 1.0},
}
DASHED = styles.DASHED


def look(style: dict[str, Any], scale: float) -> tuple[str, str, float, float]:
    """A layer style as (stroke colour, fill colour, fill alpha, line width in points)."""
    color = str(style.get("color") or "#1f5fa8")
    fill = str(style.get("fill_color") or color)
    alpha = style.get("fill_opacity")
    alpha = 0.2 if alpha is None else float(alpha)
    lw = float(style.get("weight") or 2) * 0.75 * scale
    return color, fill, alpha, lw


def dashes(style: dict[str, Any], linewidth: float) -> tuple[float, tuple[float, ...]]:
    """The layer's SVG dash pattern (pixels) as a matplotlib dash tuple (points, unscaled)."""
    raw = str(style.get("dash_array") or "6 4").replace(",", " ").split()
    try:
        seq = tuple(max(0.5, float(x) * 0.75) for x in raw) or (4.5, 3.0)
    except ValueError:
        seq = (4.5, 3.0)
    # matplotlib scales dashes by the line width; undo it so the pattern keeps its length.
    return 0.0, tuple(s / max(linewidth, 0.1) for s in seq)


def rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    try:
        r, g, b, _ = to_rgba(hex_colour)
    except ValueError:
        r, g, b, _ = to_rgba("#1f5fa8")
    return (r, g, b, max(0.0, min(1.0, alpha)))


def geom_kind(geom: BaseGeometry) -> str:
    if geom.geom_type in {"Point", "MultiPoint"}:
        return "point"
    if geom.geom_type in {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def draw_basemap(ax: Any, basemap: tuple[BaseShape, ...], view: BaseGeometry,
                 scale: float) -> list[tuple[str, str, str, Point]]:
    """Draw the basemap; return (role, name, name_en, where) of the district labels."""
    import geopandas as gpd

    base = [b for b in basemap if b.geom.intersects(view)]
    by_role: dict[str, list[BaseGeometry]] = {}
    for b in base:
        by_role.setdefault(b.role, []).append(b.geom)
    for role in ("district", "haidian"):
        if role in by_role:
            st = BASE_STYLE[role]
            gpd.GeoSeries(by_role[role]).plot(ax=ax, facecolor=st["facecolor"],
                                              edgecolor=st["edgecolor"],
                                              linewidth=st["linewidth"] * scale, zorder=1 +
                                              (role == "haidian"))
    water = by_role.get("water", [])
    st = BASE_STYLE["water"]
    areas = [g for g in water if geom_kind(g) == "polygon"]
    lines = [g for g in water if geom_kind(g) == "line"]
    points = [g for g in water if geom_kind(g) == "point"]
    if areas:
        gpd.GeoSeries(areas).plot(ax=ax, facecolor=st["facecolor"], edgecolor=st["color"],
                                  linewidth=0.5 * scale, zorder=3)
    if lines:
        gpd.GeoSeries(lines).plot(ax=ax, color=st["color"], linewidth=st["linewidth"] * scale,
                                  zorder=3)
    if points:
        gpd.GeoSeries(points).plot(ax=ax, color=st["color"], markersize=6 * scale, zorder=3)
    for role in ("rail", "road"):
        geoms = [g for g in by_role.get(role, []) if geom_kind(g) != "point"]
        if geoms:
            st = BASE_STYLE[role]
            gpd.GeoSeries(geoms).plot(ax=ax, color=st["color"],
                                      linewidth=st["linewidth"] * scale, zorder=4,
                                      linestyle=(0, (4, 3)) if role == "rail" else "solid")
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
    batches: dict[tuple[str, str], list[BaseGeometry]] = {}
    seen: set[bytes] = set()
    for item in group.items:
        if not item.geom.intersects(view):
            continue
        if item.precision == "area-only":  # many places drawn as one area: outline it once
            key = item.geom.wkb
            if key in seen:
                continue
            seen.add(key)
        cls = ("area-only" if item.precision == "area-only"
               else "dashed" if item.precision in DASHED else "solid")
        batches.setdefault((geom_kind(item.geom), cls), []).append(item.geom)
    for (kind, cls), geoms in sorted(batches.items()):
        series = gpd.GeoSeries(geoms)
        dashed = cls == "dashed"
        if kind == "point":
            series.plot(ax=ax, color=fill, edgecolor=color, markersize=30 * scale,
                        linewidth=0.9 * scale, zorder=zorder + 2,
                        linestyle=(0, (2, 1.5)) if dashed else "solid")
        elif kind == "line":
            series.plot(ax=ax, color=color, linewidth=lw * 1.2, zorder=zorder + 1,
                        linestyle=dashes(group.style, lw * 1.2) if dashed else "solid")
        elif cls == "area-only":
            series.plot(ax=ax, facecolor="none", edgecolor=color, linewidth=0.6 * scale,
                        alpha=0.8, zorder=zorder)
        else:
            series.plot(ax=ax, facecolor=rgba(fill, alpha), edgecolor=color, linewidth=lw,
                        linestyle=dashes(group.style, lw) if dashed else "solid",
                        zorder=zorder)
