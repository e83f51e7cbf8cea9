"""Anchors: the known positions a place was built on, and how far from them it may lie.

A road drawn over a metro line must pass over the stations under it; a line drawn through its
stations must pass through them; a place built from a reference point must stay near that point.
Written down as data (`data/reference/anchors/*.tsv`), these relations are checked on every
`planmap data check`, so a redrawn road, a corrected reference point or a re-imported station
shows at once what it pulls out of place.

Columns: `place` (gazetteer id), `anchor`, `within_m` (the farthest the place may lie from the
anchor, in metres, measured in EPSG:4548 from the anchor to the nearest part of the place's
geometry: 0 inside a polygon), `note` (why this anchor). An anchor is
- a gazetteer id: that entry's geometry (a station's point, a road's line);
- `point:NAME`: the row NAME of `data/reference/points.tsv`;
- `stations`: each entry listed in the place's own `stations` property (a rail line's stations).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import GK117, project
from geo.errors import DataError
from geo.gazetteer import Gazetteer
from geo.paths import data_dir

COLUMNS = ("place", "anchor", "within_m", "note")
POINT_PREFIX = "point:"
STATIONS = "stations"


@dataclass(frozen=True)
class Anchor:
    place: str
    anchor: str
    within_m: float
    note: str
    where: str  # file and line, for messages


@dataclass(frozen=True)
class AnchorCheck:
    """One place measured against one anchor."""

    place: str
    place_name: str
    anchor: str  # the anchor as resolved: a gazetteer id or point:NAME
    anchor_name: str
    distance_m: float
    within_m: float
    ok: bool
    note: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def anchors_dir() -> Path:
    return data_dir() / "reference" / "anchors"


def points_path() -> Path:
    return data_dir() / "reference" / "points.tsv"


def load_anchors(directory: Path | None = None) -> list[Anchor]:
    """Every row of every anchors file; a malformed row is one DataError naming file and line."""
    directory = directory or anchors_dir()
    if not directory.is_dir():
        return []
    out: list[Anchor] = []
    for path in sorted(directory.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [line for line in fh if not line.startswith("#")]
        reader = csv.DictReader(rows, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"anchors/{path.name}: missing columns {', '.join(missing)}")
        for n, row in enumerate(reader, start=2):
            where = f"anchors/{path.name} row {n - 1}"
            place, anchor = (row["place"] or "").strip(), (row["anchor"] or "").strip()
            if not place or not anchor:
                raise DataError(f"{where}: 'place' and 'anchor' are required")
            try:
                within = float(row["within_m"])
            except (TypeError, ValueError):
                raise DataError(f"{where}: 'within_m' must be a number of metres") from None
            if not 0 <= within <= 50_000:
                raise DataError(f"{where}: 'within_m' must be between 0 and 50000")
            out.append(Anchor(place, anchor, within, (row.get("note") or "").strip(), where))
    return out


def load_points(path: Path | None = None) -> dict[str, Point]:
    """The reference points by name (WGS-84)."""
    path = path or points_path()
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        out = {}
        for n, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            try:
                out[row["name"]] = Point(float(row["lon"]), float(row["lat"]))
            except (TypeError, ValueError, KeyError):
                raise DataError(f"{path.name} line {n}: 'lat' and 'lon' must be numbers") \
                    from None
        return out


def _targets(a: Anchor, gazetteer: Gazetteer, points: dict[str, Point]
             ) -> list[tuple[str, str, BaseGeometry]]:
    """(anchor id, its name, its WGS-84 geometry) for one anchor row."""
    place = gazetteer.get(a.place)
    if a.anchor == STATIONS:
        ids = place.extra.get("stations")
        if not isinstance(ids, list) or not ids:
            raise DataError(f"{a.where}: {a.place!r} lists no 'stations' to anchor on")
        names = [str(i) for i in ids]
    elif a.anchor.startswith(POINT_PREFIX):
        name = a.anchor[len(POINT_PREFIX):]
        if name not in points:
            raise DataError(f"{a.where}: no reference point {name!r} in points.tsv")
        return [(a.anchor, name, points[name])]
    else:
        names = [a.anchor]
    out = []
    for pid in names:
        if pid not in gazetteer:
            raise DataError(f"{a.where}: anchor {pid!r} is not in the gazetteer")
        target = gazetteer.get(pid)
        if target.geometry is None:
            raise DataError(f"{a.where}: anchor {pid!r} has no geometry")
        out.append((pid, target.label, target.geometry))
    return out


def check_anchors(gazetteer: Gazetteer, anchors: list[Anchor] | None = None,
                  points: dict[str, Point] | None = None) -> list[AnchorCheck]:
    """Every place against every anchor it names, in file order."""
    anchors = load_anchors() if anchors is None else anchors
    points = load_points() if points is None else points
    projected: dict[int, BaseGeometry] = {}

    def metric(geom: BaseGeometry) -> BaseGeometry:
        key = id(geom)
        if key not in projected:
            projected[key] = project(geom, GK117)
        return projected[key]

    out: list[AnchorCheck] = []
    for a in anchors:
        if a.place not in gazetteer:
            raise DataError(f"{a.where}: place {a.place!r} is not in the gazetteer")
        place = gazetteer.get(a.place)
        if place.geometry is None:
            raise DataError(f"{a.where}: place {a.place!r} has no geometry to measure")
        for anchor_id, name, geom in _targets(a, gazetteer, points):
            d = round(metric(place.geometry).distance(metric(geom)), 1)
            out.append(AnchorCheck(a.place, place.label, anchor_id, name, d, a.within_m,
                                   d <= a.within_m, a.note))
    return out
