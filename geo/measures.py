"""Measured against published: the gazetteer's geometries checked against quoted areas and lengths.

A polygon that looks right on a map can still be twice too big; a published figure (海淀区 430.77
km², the 北清路 corridor 11 km and 12.9 km²) is the only outside check we have on hand-built and
simplified shapes. The figures live in `data/reference/measures.tsv` with their sources; this module
measures the matching entries in EPSG:4548 and says which ones fall outside their tolerance.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from geo.crs import area_km2, length_km
from geo.errors import DataError
from geo.gazetteer import Gazetteer
from geo.paths import data_dir

COLUMNS = ("id", "measure", "published", "tolerance_pct", "source", "quote", "note")
_MEASURE = re.compile(r"^(area_km2|length_km|perimeter_km)(?:\[(\d+)\])?$")


@dataclass(frozen=True)
class Published:
    """One published figure for one entry, with the tolerance its precision deserves."""

    id: str
    measure: str
    published: float
    tolerance_pct: float
    source: str
    quote: str = ""
    note: str = ""


@dataclass(frozen=True)
class Check:
    id: str
    measure: str
    published: float
    measured: float | None
    difference_pct: float | None
    tolerance_pct: float
    ok: bool
    source: str
    problem: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def measures_path() -> Path:
    return data_dir() / "reference" / "measures.tsv"


def load_published(path: Path | None = None) -> list[Published]:
    """Read the published figures; a malformed row is a DataError naming file and line."""
    path = path or measures_path()
    if not path.exists():
        raise DataError(f"{path}: no published measures file")
    out: list[Published] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: missing columns {', '.join(missing)}")
        for lineno, row in enumerate(reader, start=2):
            where = f"{path.name} line {lineno}"
            if not _MEASURE.match(row["measure"] or ""):
                raise DataError(f"{where}: unknown measure {row['measure']!r}")
            try:
                published = float(row["published"])
                tolerance = float(row["tolerance_pct"])
            except (TypeError, ValueError):
                raise DataError(
                    f"{where}: 'published' and 'tolerance_pct' must be numbers"
                ) from None
            if published <= 0 or tolerance <= 0:
                raise DataError(f"{where}: 'published' and 'tolerance_pct' must be positive")
            if not (row["source"] or "").strip():
                raise DataError(f"{where}: a published figure needs its 'source'")
            out.append(Published(row["id"], row["measure"], published, tolerance,
                                 row["source"], row.get("quote") or "", row.get("note") or ""))
    return out


def measure(geometry: BaseGeometry, what: str) -> float:
    """Measure a geometry in EPSG:4548; `length_km[1]` measures the second part only."""
    m = _MEASURE.match(what)
    if not m:
        raise DataError(f"unknown measure {what!r}")
    kind, index = m.group(1), m.group(2)
    if index is not None:
        parts = list(getattr(geometry, "geoms", [geometry]))
        if int(index) >= len(parts):
            raise DataError(f"measure {what!r}: the geometry has only {len(parts)} part(s)")
        geometry = parts[int(index)]
    if kind == "area_km2":
        return area_km2(geometry)
    if kind == "perimeter_km":
        return length_km(geometry.boundary)
    return length_km(geometry)


def _failed(pub: Published, problem: str) -> Check:
    return Check(id=pub.id, measure=pub.measure, published=pub.published, measured=None,
                 difference_pct=None, tolerance_pct=pub.tolerance_pct, ok=False,
                 source=pub.source, problem=problem)


def check_measures(gazetteer: Gazetteer, published: list[Published] | None = None) -> list[Check]:
    """Every published figure against its entry; a missing entry or geometry fails the row."""
    published = load_published() if published is None else published
    checks: list[Check] = []
    for pub in published:
        if pub.id not in gazetteer:
            checks.append(_failed(pub, "no such entry"))
            continue
        place = gazetteer.get(pub.id)
        if place.geometry is None:
            checks.append(_failed(pub, "entry has no geometry"))
            continue
        try:
            value = measure(place.geometry, pub.measure)
        except DataError as exc:
            checks.append(_failed(pub, exc.message))
            continue
        diff = (value - pub.published) / pub.published * 100
        checks.append(Check(id=pub.id, measure=pub.measure, published=pub.published,
                            measured=round(value, 3), difference_pct=round(diff, 2),
                            tolerance_pct=pub.tolerance_pct, ok=abs(diff) <= pub.tolerance_pct,
                            source=pub.source))
    return checks
