"""What the derived areas are built from, read once from a data folder.

The district extract and the regional context (scripts/extract_boundaries.py), hand-placed
construction geometry and township seats (data/boundaries/), and the gazetteer itself: the files
the derivation writes (as templates for ids, names and aliases) and every other entry it may copy.
Each file is checked as it is read, so a bad row is reported with its file and line or key.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from geo.errors import DataError
from geo.extents import BEIJING
from geo.gazetteer_files import canonical_geometry

SEAT_COLUMNS = ("code", "name", "lat", "lon", "source")


@dataclass(frozen=True)
class Construction:
    """A hand-placed line, outline or point and the sentence saying where it came from."""

    key: str
    geometry: BaseGeometry
    source: str


@dataclass(frozen=True)
class Seat:
    """The representative point of a township-level unit (the generator of its schematic cell)."""

    code: str
    name: str
    point: Point


@dataclass(frozen=True)
class Context:
    """A province, city or country group from the regional context extract."""

    key: str
    geometry: BaseGeometry
    dataset: str
    tolerance_m: float
    definition: str


@dataclass(frozen=True)
class OtherEntry:
    """An entry of a gazetteer file the derivation does not write, which it may copy."""

    id: str
    file: str
    precision: str
    source: str
    stored: dict[str, Any]  # the GeoJSON geometry as the file has it

    @property
    def geojson(self) -> dict[str, Any]:
        """Canonical, so a copy has the same bytes as `planmap data sync` would write."""
        return canonical_geometry(self.stored)

    @property
    def geometry(self) -> BaseGeometry:
        return shape(self.geojson)


@dataclass(frozen=True)
class Inputs:
    districts: dict[str, BaseGeometry]  # by Chinese name (海淀区)
    context: dict[str, Context]
    construction: dict[str, Construction]
    seats: tuple[Seat, ...]
    collections: dict[str, dict[str, Any]]  # the written gazetteer files as read, by stem
    others: dict[str, OtherEntry]  # drawn entries of every other gazetteer file, by id


def _collection(path: Path) -> dict[str, Any]:
    try:
        fc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: file missing") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path.name}: not JSON ({exc})") from None
    if not isinstance(fc, dict) or not isinstance(fc.get("features"), list):
        raise DataError(f"{path.name}: not a GeoJSON FeatureCollection")
    return fc


def _keyed(path: Path, key: str) -> Iterable[tuple[str, dict[str, Any], BaseGeometry]]:
    seen: set[str] = set()
    for i, f in enumerate(_collection(path)["features"]):
        props = f.get("properties") or {}
        name = props.get(key)
        if not isinstance(name, str) or not name:
            raise DataError(f"{path.name}: feature {i} has no {key!r}")
        if name in seen:
            raise DataError(f"{path.name}: {key} {name!r} appears twice")
        seen.add(name)
        if f.get("geometry") is None:
            raise DataError(f"{path.name}: {name!r} has no geometry")
        yield name, props, shape(f["geometry"])


def read_construction(path: Path) -> dict[str, Construction]:
    out = {}
    for key, props, geom in _keyed(path, "key"):
        source = props.get("source")
        if not isinstance(source, str) or not source.strip():
            raise DataError(f"{path.name}: {key!r} does not say where it came from (source)")
        out[key] = Construction(key, geom, source)
    return out


def read_seats(path: Path) -> tuple[Seat, ...]:
    """The TSV of township seats; '#' lines are comments. A unit may have several rows (same
    code and name): its seat and other points known to lie in it, all generators of its cell."""
    west, south, east, north = BEIJING
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(f"{path}: file missing") from None
    numbered = [(n, line) for n, line in enumerate(lines, 1) if not line.startswith("#")]
    rows = csv.reader((line for _, line in numbered), delimiter="\t")
    header = next(rows, [])
    if tuple(header) != SEAT_COLUMNS:
        raise DataError(f"{path.name}: header must be {' '.join(SEAT_COLUMNS)}")
    seats: list[Seat] = []
    codes: dict[str, str] = {}
    for (lineno, _), row in zip(numbered[1:], rows, strict=True):
        where = f"{path.name} line {lineno}"
        if len(row) != len(SEAT_COLUMNS):
            raise DataError(f"{where}: {len(row)} columns, expected {len(SEAT_COLUMNS)}")
        code, name, lat, lon, source = row
        if not (code.isdigit() and len(code) == 9) or not name or not source.strip():
            raise DataError(f"{where}: needs a 9-digit code, a name and a source")
        try:
            x, y = float(lon), float(lat)
        except ValueError:
            raise DataError(f"{where}: lat/lon {lat!r}, {lon!r} are not numbers") from None
        if not (west <= x <= east and south <= y <= north):
            raise DataError(f"{where}: {y}, {x} is outside Beijing (lat and lon swapped?)")
        if codes.setdefault(name, code) != code:
            raise DataError(f"{where}: {name} has two codes ({codes[name]}, {code})")
        seats.append(Seat(code, name, Point(x, y)))
    return tuple(seats)


def read_context(path: Path) -> dict[str, Context]:
    out = {}
    for key, props, geom in _keyed(path, "key"):
        try:
            out[key] = Context(key, geom, str(props["dataset"]), float(props["tolerance_m"]),
                               str(props["definition"]))
        except (KeyError, TypeError, ValueError):
            raise DataError(f"{path.name}: {key!r} needs dataset, tolerance_m and "
                            "definition") from None
    return out


def read_inputs(data: Path, written: Iterable[str]) -> Inputs:
    """Everything under `data` the derivation reads; `written` are the gazetteer stems it owns."""
    boundaries, gazetteer = data / "boundaries", data / "gazetteer"
    written = set(written)
    districts = {name: geom for name, _, geom in
                 _keyed(boundaries / "beijing-districts.geojson", "name")}
    collections: dict[str, dict[str, Any]] = {}
    others: dict[str, OtherEntry] = {}
    for path in sorted(gazetteer.glob("*.geojson")):
        fc = _collection(path)
        if path.stem in written:
            collections[path.stem] = fc
            continue
        for f in fc["features"]:
            props = f.get("properties") or {}
            if f.get("geometry") is not None and isinstance(props.get("id"), str):
                others[props["id"]] = OtherEntry(
                    props["id"], path.name, str(props.get("precision")),
                    str(props.get("source")), f["geometry"])
    missing = sorted(written - set(collections))
    if missing:
        raise DataError(f"{gazetteer / (missing[0] + '.geojson')}: file missing")
    return Inputs(
        districts=districts,
        context=read_context(boundaries / "regions-context.geojson"),
        construction=read_construction(boundaries / "construction.geojson"),
        seats=read_seats(boundaries / "haidian-township-points.tsv"),
        collections=collections,
        others=others,
    )
