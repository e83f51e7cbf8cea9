"""The gazetteer: every place the plans name, loaded from GeoJSON files and validated.

Entries live in `data/gazetteer/*.geojson` (WGS-84 FeatureCollections, one per kind) so a GIS
user can open and correct them in QGIS. The loader refuses bad data with a message naming the
file and entry: a silent bad coordinate would end up on every map and in every export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo import schemas
from geo.errors import DataError, NotFound
from geo.licences import Attribution, check_credit, collect
from geo.paths import gazetteer_dir
from geo.vocabulary import (
    BASES,
    DEFAULT_BASIS,
    DEFAULT_ERROR_M,
    KINDS,
    PRECISIONS,
    trust_text,
)

# Geometry types a kind may carry: the thing decides, not convenience.
GEOMETRY_TYPES: dict[str, set[str]] = {
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString"},
    "point": {"Point", "MultiPoint"},
}

REQUIRED = ("id", "name", "kind", "precision", "source")


@dataclass(frozen=True)
class Alias:
    """Another string for a place; `plans` limits it to documents where it has this meaning."""

    text: str
    plans: tuple[str, ...] | None = None

    def applies_to(self, plan_id: str | None) -> bool:
        return self.plans is None or (plan_id is not None and plan_id in self.plans)


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    kind: str
    precision: str
    source: str
    geometry: BaseGeometry | None
    aliases: tuple[Alias, ...] = ()
    name_en: str = ""
    pinyin: str = ""
    parent: str | None = None
    layer: str | None = None
    themes: tuple[str, ...] = ()
    inside_haidian: str | None = None
    note: str = ""
    drawn_as: str | None = None
    geometry_type: str | None = None
    # How far the geometry can be trusted: where it comes from (a geo.vocabulary.BASES key) and
    # the expected error in metres (None for area-only and unlocated entries).
    basis: str = ""
    error_m: int | None = None
    # The credit the data's licence asks for ("© OpenStreetMap contributors, ODbL") and the
    # licence (a geo.licences.LICENCES key); empty for our own data.
    attribution: str = ""
    licence: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    file: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """The name as shown on a map: the bracketed qualifier of 清河[地区] becomes （地区）."""
        return self.name.replace("[", "（").replace("]", "）")

    @property
    def match_name(self) -> str:
        """The name as it is written in the texts: 清河[地区] is written 清河."""
        if "[" in self.name:
            return self.name.split("[", 1)[0]
        return self.name

    def names(self, plan_id: str | None = None) -> Iterator[str]:
        """Every string that names this place in a given document."""
        if "[" not in self.name:
            yield self.name
        for alias in self.aliases:
            if alias.applies_to(plan_id):
                yield alias.text

    def properties(self) -> dict[str, object]:
        """Plain properties for GeoJSON and tables."""
        return {
            "id": self.id,
            "name": self.label,
            "name_en": self.name_en,
            "pinyin": self.pinyin,
            "kind": self.kind,
            "precision": self.precision,
            "source": self.source,
            "parent": self.parent,
            "layer": self.layer,
            "themes": list(self.themes),
            "note": self.note,
            "drawn_as": self.drawn_as,
            "aliases": [a.text for a in self.aliases],
            "basis": self.basis,
            "error_m": self.error_m,
            "attribution": self.attribution,
            "licence": self.licence,
        }

    def accuracy(self, lang: str) -> str:
        """Where the position comes from and how far it may be off, in a planner's words."""
        return trust_text(self.precision, self.basis, self.error_m, lang)


class Gazetteer:
    def __init__(self, places: list[Place]) -> None:
        self.places: dict[str, Place] = {p.id: p for p in places}

    def __iter__(self) -> Iterator[Place]:
        return iter(self.places.values())

    def __len__(self) -> int:
        return len(self.places)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self.places

    def get(self, place_id: str) -> Place:
        try:
            return self.places[place_id]
        except KeyError:
            raise NotFound(f"unknown place id {place_id!r}") from None

    def children(self, place_id: str) -> list[Place]:
        return [p for p in self if p.parent == place_id]

    def attributions(self, place_ids: Iterable[str] | None = None) -> list[Attribution]:
        """The credits owed for these places (all places when None), one per credit with the
        files it covers."""
        places = self if place_ids is None else (self.get(pid) for pid in place_ids)
        return collect((p.attribution, p.licence, p.file.split("#", 1)[0]) for p in places)


def _alias(raw: object, where: str) -> Alias:
    if isinstance(raw, str):
        return Alias(raw)
    if isinstance(raw, dict) and isinstance(raw.get("text"), str):
        plans = raw.get("plans")
        if plans is not None and not (
            isinstance(plans, list) and all(isinstance(p, str) for p in plans) and plans
        ):
            raise DataError(f"{where}: alias {raw['text']!r} has a bad 'plans' list")
        return Alias(raw["text"], tuple(plans) if plans else None)
    raise DataError(f"{where}: alias {raw!r} is neither a string nor {{text, plans}}")


def _place(feature: dict, where: str, plan_ids: set[str] | None,
           credit: tuple[str, str] = ("", "")) -> Place:
    """One entry; `credit` is the file's (attribution, licence), which an entry may override."""
    props = feature.get("properties") or {}
    pid = props.get("id", "?")
    where = f"{where} entry {pid!r}"
    for key in REQUIRED:
        if not props.get(key):
            raise DataError(f"{where}: missing {key!r}")
    if props["kind"] not in KINDS:
        raise DataError(f"{where}: unknown kind {props['kind']!r}")
    if props["precision"] not in PRECISIONS:
        raise DataError(f"{where}: unknown precision {props['precision']!r}")
    raw_geom = feature.get("geometry")
    geometry: BaseGeometry | None = None
    if raw_geom is None:
        if props["precision"] != "unlocated":
            raise DataError(f"{where}: no geometry, yet precision is {props['precision']!r}")
        if not props.get("note"):
            raise DataError(f"{where}: unlocated entries must say why in 'note'")
    else:
        if props["precision"] == "unlocated":
            raise DataError(f"{where}: precision 'unlocated' but a geometry is given")
        try:
            geometry = shape(raw_geom)
        except Exception as exc:  # shapely raises several types for malformed input
            raise DataError(f"{where}: unreadable geometry ({exc})") from None
        if geometry.is_empty:
            raise DataError(f"{where}: empty geometry")
        if not geometry.is_valid:
            from shapely.validation import explain_validity

            raise DataError(f"{where}: invalid geometry ({explain_validity(geometry)})")
        # an area-only entry carries its area's geometry, whatever the thing itself is
        expected = props.get("geometry_type") if props["precision"] != "area-only" else None
        if expected and geometry.geom_type not in GEOMETRY_TYPES.get(expected, set()):
            raise DataError(
                f"{where}: geometry is {geometry.geom_type}, but geometry_type is {expected!r}"
            )
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise DataError(f"{where}: coordinates are not longitude/latitude (WGS-84)")
    if props["precision"] == "area-only" and not (props.get("drawn_as") and props.get("note")):
        raise DataError(f"{where}: area-only entries need 'drawn_as' and a 'note' saying why")
    aliases = tuple(_alias(a, where) for a in props.get("aliases") or [])
    if plan_ids is not None:
        for a in aliases:
            for p in a.plans or ():
                if p not in plan_ids:
                    raise DataError(f"{where}: alias {a.text!r} names unknown plan {p!r}")
    known = {
        "id", "name", "kind", "precision", "source", "aliases", "name_en", "pinyin", "parent",
        "layer", "themes", "inside_haidian", "note", "drawn_as", "geometry_type", "basis",
        "error_m", "attribution", "licence",
    }
    if "attribution" in props or "licence" in props:
        credit = check_credit(props.get("attribution"), props.get("licence"), where)
    basis = props.get("basis") or DEFAULT_BASIS[props["precision"]]
    if basis not in BASES:
        raise DataError(f"{where}: unknown basis {basis!r} (known: {', '.join(BASES)})")
    error_m = props.get("error_m", DEFAULT_ERROR_M[props["precision"]])
    if error_m is not None and (isinstance(error_m, bool) or not isinstance(error_m, int)
                                or not 0 < error_m <= 100_000):
        raise DataError(f"{where}: error_m must be whole metres between 1 and 100000")
    if error_m is not None and props["precision"] in ("area-only", "unlocated"):
        raise DataError(f"{where}: an {props['precision']} entry has no expected error in metres")
    return Place(
        id=pid,
        name=props["name"],
        kind=props["kind"],
        precision=props["precision"],
        source=props["source"],
        geometry=geometry,
        aliases=aliases,
        name_en=props.get("name_en") or "",
        pinyin=props.get("pinyin") or "",
        parent=props.get("parent"),
        layer=props.get("layer"),
        themes=tuple(props.get("themes") or ()),
        inside_haidian=props.get("inside_haidian"),
        note=props.get("note") or "",
        drawn_as=props.get("drawn_as"),
        geometry_type=props.get("geometry_type"),
        basis=basis,
        error_m=error_m,
        attribution=credit[0],
        licence=credit[1],
        extra={k: v for k, v in props.items() if k not in known},
        file=where.split(" ", 1)[0],
    )


def _check_names(places: list[Place]) -> None:
    """A string may name one place per document: two unscoped claims, or two claims on the
    same document, would make the finder's answer depend on file order."""
    claims: dict[str, list[tuple[Place, tuple[str, ...] | None]]] = {}
    for p in places:
        if "[" not in p.name:
            claims.setdefault(p.name, []).append((p, None))
        for a in p.aliases:
            claims.setdefault(a.text, []).append((p, a.plans))
    for text, owners in claims.items():
        ids = {p.id for p, _ in owners}
        if len(ids) < 2:
            continue
        unscoped = [p for p, scope in owners if scope is None]
        if len(unscoped) > 1:
            names = ", ".join(p.id for p in unscoped)
            raise DataError(f"alias clash: {text!r} names several places everywhere ({names})")
        seen: dict[str, str] = {}
        for p, scope in owners:
            for plan in scope or ():
                if plan in seen and seen[plan] != p.id:
                    raise DataError(
                        f"alias clash: {text!r} names both {seen[plan]!r} and {p.id!r} in {plan}"
                    )
                seen[plan] = p.id


def read_collection(path: Path) -> dict:
    """A gazetteer file as data, its shape checked (geo.schemas.GAZETTEER): one DataError line
    for a file that is not UTF-8, not JSON or not a FeatureCollection of place entries."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise DataError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path.name}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DataError(f"{path.name}: not a GeoJSON FeatureCollection")
    schemas.check(data, schemas.GAZETTEER, path.name)
    return data


def load_gazetteer(directory: Path | None = None, plan_ids: set[str] | None = None) -> Gazetteer:
    directory = directory or gazetteer_dir()
    files = sorted(directory.glob("*.geojson"))
    if not files:
        raise DataError(f"{directory}: no gazetteer files (*.geojson)")
    places: list[Place] = []
    seen: dict[str, str] = {}
    for path in files:
        data = read_collection(path)
        credit = check_credit(data.get("attribution"), data.get("licence"), path.name)
        for i, feature in enumerate(data.get("features", [])):
            place = _place(feature, f"{path.name}#{i}", plan_ids, credit)
            if place.id in seen:
                raise DataError(
                    f"{path.name} entry {place.id!r}: duplicate id (also in {seen[place.id]})"
                )
            seen[place.id] = path.name
            places.append(place)
    check_entries(places)
    return Gazetteer(places)


def place_from_feature(feature: dict, where: str, plan_ids: set[str] | None = None) -> Place:
    """One entry checked exactly as the loader checks a file's entry: for entries from
    elsewhere (a correction stored in a database), so both obey one set of rules."""
    return _place(feature, where, plan_ids)


def check_entries(places: list[Place]) -> None:
    """The checks across entries: parents and drawn_as name entries that exist, and a string
    names one place per document."""
    seen = {p.id for p in places}
    for p in places:
        if p.parent and p.parent not in seen:
            raise DataError(f"{p.file} entry {p.id!r}: parent {p.parent!r} is not in the gazetteer")
        if p.drawn_as and p.drawn_as not in seen:
            raise DataError(f"{p.file} entry {p.id!r}: drawn_as {p.drawn_as!r} is not an entry")
    _check_names(places)


def default_gazetteer() -> Gazetteer:
    """The gazetteer of the data directory in force now (`PLANMAP_DATA` is read on each call),
    checked against that directory's plans; kept once per directory."""
    from geo.paths import plans_dir

    return _gazetteer_at(gazetteer_dir().resolve(), plans_dir().resolve())


@lru_cache(maxsize=4)
def _gazetteer_at(directory: Path, plans: Path) -> Gazetteer:
    from geo.corpus import default_corpus

    # called with the directories default_corpus() resolves right now
    return load_gazetteer(directory, plan_ids=set(default_corpus().plans))
