"""How far the gazetteer sits from where places really are.

`tests/data/position-checks.tsv` holds positions from sources the entries were not drawn from
(OpenStreetMap stations, published coordinates): the station a neighbourhood is named after, a
campus point, a village known to lie in a town. Each is measured against the entry's geometry
in EPSG:4548: a point by its distance, a line by the distance to the line, a polygon by 0 when
the position is inside and the distance to its edge otherwise. The figures of merit are those
of issue 11: p90 within 300 m and no place more than 1 km off; and no entry may claim an
expected error smaller than what the check measures.
"""

from __future__ import annotations

import csv
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import GK117, project
from geo.gazetteer import Gazetteer, default_gazetteer

CHECKS = Path(__file__).parent / "data" / "position-checks.tsv"
COLUMNS = ["id", "what", "lat", "lon", "source", "note"]


@dataclass(frozen=True)
class Check:
    id: str
    what: str
    lat: float
    lon: float
    source: str


def read_checks(path: Path = CHECKS) -> list[Check]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    assert reader.fieldnames == COLUMNS
    return [Check(r["id"], r["what"], float(r["lat"]), float(r["lon"]), r["source"])
            for r in reader]


def distance_m(geometry: BaseGeometry, lat: float, lon: float) -> float:
    """Metres from a position to a geometry; 0 inside a polygon."""
    shape_m = project(geometry, GK117)
    point_m = project(Point(lon, lat), GK117)
    if shape_m.geom_type in ("Polygon", "MultiPolygon") and shape_m.covers(point_m):
        return 0.0
    return float(shape_m.distance(point_m))


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="module")
def measured(gazetteer: Gazetteer) -> list[tuple[Check, float]]:
    out = []
    for check in read_checks():
        assert check.id in gazetteer, f"position check names unknown entry {check.id!r}"
        place = gazetteer.get(check.id)
        assert place.geometry is not None, f"{check.id} is checked but not drawn"
        out.append((check, distance_m(place.geometry, check.lat, check.lon)))
    return out


def test_the_check_set_is_sourced_and_in_beijing_or_named() -> None:
    checks = read_checks()
    assert len(checks) >= 40
    for c in checks:
        assert c.source.strip() and c.what.strip()
        assert 35 < c.lat < 45 and 110 < c.lon < 120, c


def test_distance_measure() -> None:
    from shapely.geometry import LineString, box

    square = box(116.30, 39.98, 116.31, 39.99)
    assert distance_m(square, 39.985, 116.305) == 0.0
    # 0.01° of latitude is about 1.11 km
    assert distance_m(square, 40.00, 116.305) == pytest.approx(1110, rel=0.01)
    assert distance_m(Point(116.30, 39.98), 39.99, 116.30) == pytest.approx(1110, rel=0.01)
    line = LineString([(116.30, 39.98), (116.32, 39.98)])
    assert distance_m(line, 39.985, 116.31) == pytest.approx(555, rel=0.01)


def test_gazetteer_is_where_the_checks_say(measured: list[tuple[Check, float]]) -> None:
    distances = [d for _, d in measured]
    table = "\n".join(f"{d:7.0f} m  {c.id} ({c.what})"
                      for c, d in sorted(measured, key=lambda cd: -cd[1]))
    summary = (f"median {statistics.median(distances):.0f} m, p90 {p90(distances):.0f} m, "
               f"max {max(distances):.0f} m over {len(distances)} positions")
    assert p90(distances) <= 300, f"{summary}\n{table}"
    assert max(distances) <= 1000, f"{summary}\n{table}"


def test_no_entry_claims_more_than_the_checks_show(gazetteer: Gazetteer,
                                                   measured: list[tuple[Check, float]]) -> None:
    """An entry that says '误差约 100 米' must not be 400 m from an independent position."""
    worse = []
    for check, d in measured:
        place = gazetteer.get(check.id)
        if place.error_m is not None and d > place.error_m:
            worse.append(f"{check.id}: {d:.0f} m from {check.what}, claims {place.error_m} m")
    assert not worse, "\n".join(worse)
