"""What a printed map needs besides the map: the legend, a true scale bar, a north arrow that
points at true north, and the note (sources, what the precision looks mean, the data date)."""

from __future__ import annotations

import math
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import GK117, project
from layers.figures.content import Content
from layers.figures.drawing import (
    dashes,
    geom_kind,
    look,
    points,
    precision_look,
    rgba,
    role_look,
)
from layers.figures.labels import LABEL_MIN_PT
from layers.figures.text import t

BASE_ROLES = ("haidian", "district", "water", "rail", "road", "station")  # legend order
SAMPLE = "#555555"  # the colour of the precision samples: a look, not a layer


# ------------------------------------------------------------------ legend


def legend_entries(content: Content, window: BaseGeometry, lang: str,
                   scale: float) -> tuple[list[Any], list[str]]:
    """One entry per group (with its count), then the precision looks and the basemap roles
    the figure actually shows."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    labels: list[str] = []
    dashed = outlined = False
    for group in content.groups:
        if not group.items:
            continue
        color, fill, alpha, lw = look(group.style, scale)
        kinds = {geom_kind(i.geom) for i in group.items}
        dashed |= any(precision_look(i.precision).dashed for i in group.items)
        outlined |= any(precision_look(i.precision).outline_only for i in group.items)
        handles.append(_group_handle(kinds, color, fill, alpha, lw, Patch, Line2D))
        n = len(group.items)
        k = sum(1 for i in group.items if i.precision == "area-only")
        if lang == "zh":
            labels.append(f"{group.title}（{n}" + (f"，其中 {k} 处仅知所在区域）" if k else "）"))
        else:
            labels.append(f"{group.title} ({n}" + (f", {k} area only)" if k else ")"))
    if dashed:
        handles.append(Patch(facecolor="white", edgecolor=SAMPLE, linewidth=1.0,
                             linestyle=dashes({}, 1.0)))
        labels.append(t("dashed", lang))
    if outlined:
        handles.append(Patch(facecolor="none", edgecolor=SAMPLE,
                             linewidth=points(precision_look("area-only").weight or 1.0)))
        labels.append(t("area_only", lang))
    roles = {b.role for b in content.basemap if b.geom.intersects(window)}
    for role in BASE_ROLES:
        if role in roles:
            handles.append(_base_handle(role, scale, Patch, Line2D))
            labels.append(t(role, lang))
    return handles, labels


def _group_handle(kinds: set[str], color: str, fill: str, alpha: float, lw: float,
                  patch_cls: Any, line_cls: Any) -> Any:
    if kinds == {"line"}:
        return line_cls([], [], color=color, linewidth=lw * 1.2)
    if kinds == {"point"}:
        return line_cls([], [], color=fill, marker="o", markeredgecolor=color, linestyle="none",
                        markersize=6)
    return patch_cls(facecolor=rgba(fill, max(alpha, 0.2)), edgecolor=color, linewidth=lw)


def _base_handle(role: str, scale: float, patch_cls: Any, line_cls: Any) -> Any:
    st = role_look(role, scale)
    if role in {"haidian", "district"}:
        return patch_cls(**st)
    if role == "station":
        return line_cls([], [], color=st["edgecolor"], marker="o", linestyle="none",
                        markerfacecolor=st["facecolor"], markersize=4)
    return line_cls([], [], color=st["edgecolor"], linewidth=st["linewidth"],
                    linestyle=st["linestyle"])


# ------------------------------------------------------------------ note


def note(content: Content, lang: str) -> str:
    s = content.sources
    tail = t("date", lang, date=s.date)
    if content.outside:
        tail = t("outside", lang, n=content.outside) + ("　" if lang == "zh" else " ") + tail
    lines = [t("sources", lang, plans=s.plans, years=s.years)]
    if content.credits:
        sep = "；" if lang == "zh" else "; "
        lines.append(t("credits", lang, credits=sep.join(content.credits)))
    return "\n".join([*lines, t("precision", lang), tail])


# ------------------------------------------------------------------ scale bar and north arrow


def scale_bar(ax: Any, x0: float, y0: float, x1: float, y1: float, scale: float) -> None:
    """Alternating black and white quarters of a round length, true in EPSG:4548 metres."""
    from matplotlib.patches import Rectangle

    width, height = x1 - x0, y1 - y0
    length = nice_length(width * 0.22)
    bx, by = x0 + width * 0.035, y0 + height * 0.045
    bar_h = height * 0.011
    pad = width * 0.012
    backing = Rectangle((bx - pad, by - pad * 0.9), length + 2 * pad + width * 0.03,
                        bar_h + pad * 1.1 + height * 0.045, facecolor="white", edgecolor="none",
                        alpha=0.85, zorder=70, gid="furniture")
    ax.add_patch(backing)
    for k in range(4):
        ax.add_patch(Rectangle((bx + k * length / 4, by), length / 4, bar_h,
                               facecolor="#222222" if k % 2 == 0 else "white",
                               edgecolor="#222222", linewidth=0.6, zorder=71))
    for frac, text in ((0, "0"), (0.5, scale_label(length / 2).split()[0]),
                       (1, scale_label(length))):
        ax.text(bx + frac * length, by + bar_h * 1.6, text, ha="center", va="bottom",
                fontsize=LABEL_MIN_PT * scale, color="#222222", zorder=72, gid="furniture")


def north_arrow(ax: Any, x0: float, y0: float, x1: float, y1: float, scale: float,
                lang: str) -> None:
    """An arrow to true north (grid convergence applied; about half a degree in Haidian)."""
    from matplotlib.patches import FancyArrow, Rectangle

    width, height = x1 - x0, y1 - y0
    length = height * 0.075
    angle = math.radians(grid_convergence((x0 + x1) / 2, (y0 + y1) / 2))
    dx, dy = length * math.sin(angle), length * math.cos(angle)
    base_x, base_y = x1 - width * 0.05 - dx / 2, y1 - height * 0.06 - length - height * 0.03
    ax.add_patch(Rectangle((base_x - width * 0.025, base_y - height * 0.012), width * 0.05,
                           length + height * 0.06, facecolor="white", edgecolor="none",
                           alpha=0.85, zorder=70, gid="furniture"))
    ax.add_patch(FancyArrow(base_x, base_y, dx, dy, width=width * 0.007,
                            head_width=width * 0.026, head_length=length * 0.45,
                            length_includes_head=True, facecolor="#222222",
                            edgecolor="#222222", zorder=72))
    ax.text(base_x + dx, base_y + dy + height * 0.006, t("north", lang), ha="center",
            va="bottom", fontsize=9 * scale, color="#222222", zorder=72, gid="furniture")


def nice_length(target_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) no longer than the target."""
    power = 10 ** math.floor(math.log10(max(target_m, 1.0)))
    for step in (5, 2, 1):
        if step * power <= target_m:
            return step * power
    return power


def scale_label(metres: float) -> str:
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"


def grid_convergence(x: float, y: float) -> float:
    """Degrees between grid north and true north at a map point (EPSG:4548), so the north
    arrow points at true north rather than up the page."""
    centre = project(Point(x, y), "EPSG:4326", GK117)
    north = project(Point(centre.x, centre.y + 0.01), GK117)
    return math.degrees(math.atan2(north.x - x, north.y - y))
