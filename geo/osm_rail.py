"""Rail transit from OpenStreetMap, carried into gazetteer files of our own.

OpenStreetMap has every Beijing metro and tram station mapped within tens of metres, and the
order of the stations on every route; nothing else we hold comes close. `scripts/
import_osm_rail.py` reads the shared extract (`../shared/reference/osm-rail/`: stop areas and
route order) and writes two generated gazetteer files, so the project never reads the shared
folder at run time:

- `stations.geojson`: every station inside 海淀 and its neighbouring districts, one place per
  station name (a transfer station whose lines have stop areas apart is a MultiPoint of them);
- `rail-transit.geojson`: the lines of `data/reference/osm-rail.toml`, straight between the
  positions of their stations (`approximate`: the stations are real, the track between them is
  not drawn).

Both carry the ODbL credit in their FeatureCollection (`attribution`, `licence`), which the
gazetteer loader gives each entry, so pages, figures and exports credit OpenStreetMap wherever
these entries are shown. What we decide (which lines, their names and notes, which OSM station is
already a place of ours) is in `osm-rail.toml`, so a rerun on the same extract writes the same
bytes.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin
from pyproj import Geod
from shapely.geometry import LineString, MultiPoint, Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.datafiles import read_toml
from geo.errors import DataError
from geo.gazetteer_files import canonical_geometry, dump_collection
from geo.geometry_out import STORAGE_GRID

CREDIT = "© OpenStreetMap contributors, ODbL"
LICENCE = "ODbL-1.0"
CONFIG = Path("reference") / "osm-rail.toml"
STATIONS_FILE = "stations.geojson"
LINES_FILE = "rail-transit.geojson"
GENERATED = (STATIONS_FILE, LINES_FILE)
DECIMALS = round(-math.log10(STORAGE_GRID))  # 6: the storage grid of the gazetteer files
_GEOD = Geod(ellps="WGS84")

LINE_KEYS = {"id", "name", "aliases", "name_en", "pinyin", "parent", "layer", "themes", "note",
             "route", "until", "prepend", "append"}
STATION_KEYS = {"id", "name", "aliases", "name_en", "parent", "layer", "themes", "note",
                "include"}


@dataclass(frozen=True)
class OsmStation:
    stop_area: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class OsmRoute:
    relation: str
    name: str
    stop_areas: tuple[str, ...]
    colour: str

    @property
    def labels(self) -> tuple[str, ...]:
        """The line names of the route: "地铁 4号线/大兴线: …" → ("4号线", "大兴线")."""
        head = re.split(r"[:：]", self.name, maxsplit=1)[0]
        head = re.sub(r"^(北京地铁|地铁|轻轨|磁悬浮)\s*", "", head.strip())
        head = head.split()[0] if head.split() else head
        return tuple(part for part in head.split("/") if part)


@dataclass(frozen=True)
class Extract:
    stations: dict[str, OsmStation]
    routes: dict[str, OsmRoute]
    source: str  # where the extract says it comes from (repository and commit)

    @property
    def via(self) -> str:
        """The source without its leading "OpenStreetMap via ": the repository and commit."""
        return self.source.removeprefix("OpenStreetMap via ")


def _json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise DataError(f"{path}: file missing") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path.name}: not valid JSON ({exc})") from None


def read_extract(folder: Path) -> Extract:
    """The shared extract: stations.geojson (stop areas) and lines.geojson (route order)."""
    raw = _json(folder / "stations.geojson")
    stations = {}
    for f in raw.get("features", []):
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        stations[p["osm_stop_area"]] = OsmStation(p["osm_stop_area"], p["name"], lon, lat)
    routes = {}
    for f in _json(folder / "lines.geojson").get("features", []):
        p = f["properties"]
        routes[p["osm_relation"]] = OsmRoute(p["osm_relation"], p["name"],
                                             tuple(p["station_ids"]), p.get("colour") or "")
    return Extract(stations, routes, str(raw.get("metadata", {}).get("source", "OpenStreetMap")))


# ------------------------------------------------------------------ names


def station_name(osm_name: str) -> str:
    """How the gazetteer names a station: 西二旗 → 西二旗站 (北京西站 stays as it is)."""
    return osm_name if osm_name.endswith("站") else osm_name + "站"


# Readings pypinyin gets wrong in station names (朝阳 is cháo yáng, 长椿街 cháng chūn jiē).
READINGS: dict[str, tuple[str, ...]] = {"朝阳": ("chao", "yang"), "长椿": ("chang", "chun")}


def syllables(text: str) -> list[str]:
    """Toneless pinyin, one item per character (digits and Latin letters as one item)."""
    for phrase, reading in READINGS.items():
        if phrase in text:
            head, _, tail = text.partition(phrase)
            return [*syllables(head), *reading, *syllables(tail)]
    return lazy_pinyin(text) if text else []


def romanise(text: str) -> str:
    """Pinyin written as one word, with the apostrophe before a, o, e: 西二旗 → Xi'erqi."""
    out = ""
    for syllable in syllables(text):
        if out and syllable[:1] in "aoe" and out[-1:].isalpha():
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", "".join(syllables(text)).lower())


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(_GEOD.inv(a[0], a[1], b[0], b[1])[2])


# ------------------------------------------------------------------ the build


def _claims(gazetteer: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Ids and names (with aliases) already taken by the other gazetteer files: id → file,
    string → id."""
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    for path in sorted(gazetteer.glob("*.geojson")):
        if path.name in GENERATED:
            continue
        for f in _json(path).get("features", []):
            p = f.get("properties") or {}
            ids[p.get("id", "?")] = path.name
            if "[" not in str(p.get("name", "")):
                names[str(p.get("name"))] = p.get("id", "?")
            for a in p.get("aliases") or []:
                names[a if isinstance(a, str) else a.get("text", "")] = p.get("id", "?")
    return ids, names


def _area(data: Path, districts: list[str]) -> tuple[BaseGeometry, BaseGeometry]:
    raw = _json(data / "boundaries" / "beijing-districts.geojson")
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in raw["features"]}
    missing = [d for d in [*districts, "海淀区"] if d not in shapes]
    if missing:
        raise DataError(f"{CONFIG}: unknown district(s) {', '.join(missing)}")
    return unary_union([shapes[d] for d in districts]), shapes["海淀区"]


def _station_lines(extract: Extract) -> dict[str, list[str]]:
    """Line names per stop area. A route serving two lines ("4号线/大兴线") names a stop area
    only where no single-line route of its second line does, and then by its first line."""
    single: dict[str, list[str]] = {}
    for r in extract.routes.values():
        if len(r.labels) == 1:
            for sa in r.stop_areas:
                single.setdefault(sa, []).append(r.labels[0])
    out = {sa: list(dict.fromkeys(v)) for sa, v in single.items()}
    for r in extract.routes.values():
        if len(r.labels) > 1:
            for sa in r.stop_areas:
                if not set(r.labels[1:]) & set(single.get(sa, [])):
                    out.setdefault(sa, [])
                    if r.labels[0] not in out[sa]:
                        out[sa].append(r.labels[0])
    return out


def _credit_collection(name: str, source: str, features: list[dict]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "name": name,
        "attribution": CREDIT,
        "licence": LICENCE,
        "source": f"{source}; imported by scripts/import_osm_rail.py following "
                  "data/reference/osm-rail.toml",
        "generated": "do not edit by hand: change data/reference/osm-rail.toml and rerun "
                     "scripts/import_osm_rail.py",
        "features": features,
    }


def _point(s: OsmStation) -> tuple[float, float]:
    return (round(s.lon, DECIMALS), round(s.lat, DECIMALS))


def build(data: Path, extract: Extract) -> dict[str, str]:
    """The two generated files' text, by file name (under data/gazetteer/)."""
    config = read_toml(data / CONFIG)
    settings = config.get("import", {})
    area, haidian = _area(data, list(settings.get("districts", [])))
    station_error = int(settings.get("station_error_m", 30))
    line_error = int(settings.get("line_error_m", 200))
    ids, names = _claims(data / "gazetteer")
    overrides: dict[str, dict[str, Any]] = config.get("station", {})
    for osm_name, o in overrides.items():
        bad = set(o) - STATION_KEYS
        if bad:
            raise DataError(f"{CONFIG} [station.{osm_name}]: unknown key(s) {', '.join(bad)}")
    lines_of = _station_lines(extract)
    for entry in config.get("line", []):  # a terminus added to a route is on its line too
        route = extract.routes.get(entry.get("route", ""))
        for sa in [*entry.get("prepend", []), *entry.get("append", [])]:
            if route is not None and route.labels and route.labels[0] not in lines_of.get(sa, []):
                lines_of.setdefault(sa, []).append(route.labels[0])

    by_name: dict[str, list[OsmStation]] = {}
    for s in sorted(extract.stations.values(), key=lambda s: s.stop_area):
        if area.covers(Point(s.lon, s.lat)) or overrides.get(s.name, {}).get("include"):
            by_name.setdefault(s.name, []).append(s)
    station_id: dict[str, str] = {}  # stop area -> gazetteer id
    station_features: list[dict[str, Any]] = []
    taken: dict[str, str] = {}
    for osm_name, group in sorted(by_name.items()):
        o = overrides.get(osm_name, {})
        name = o.get("name", station_name(osm_name))
        pid = o.get("id", slug(name))
        base = name[:-1] if name.endswith("站") else name
        aliases = list(o.get("aliases", [base + "地铁站"]))
        where = f"OSM station {osm_name!r} ({', '.join(s.stop_area for s in group)})"
        if pid in ids or pid in taken.values():
            raise DataError(f"{where}: id {pid!r} is taken ({ids.get(pid, 'another station')}); "
                            f"give it one in {CONFIG} [station.\"{osm_name}\"]")
        for text in [name, *aliases]:
            if text in names and names[text] != pid:
                raise DataError(f"{where}: {text!r} already names {names[text]!r}; "
                                f"rename it in {CONFIG} [station.\"{osm_name}\"]")
            if text in taken:
                raise DataError(f"{where}: {text!r} also names station {taken[text]!r}")
            taken[text] = pid
        points = list(dict.fromkeys(_point(s) for s in group))
        geom: BaseGeometry = Point(points[0]) if len(points) == 1 else MultiPoint(points)
        served = list(dict.fromkeys(line for s in group for line in lines_of.get(s.stop_area, [])))
        spread = max((metres(a, b) for a in points for b in points), default=0.0)
        note = f"Lines: {'、'.join(served) or 'none in the route extract'}."
        if len(points) > 1:
            note += (f" Its lines stop at {len(points)} stop areas up to {spread:.0f} m apart; "
                     "each is drawn.")
        if o.get("note"):
            note = o["note"] + " " + note
        for s in group:
            station_id[s.stop_area] = pid
        station_features.append(_feature(geom, {
            "id": pid, "name": name, "aliases": aliases,
            "name_en": o.get("name_en", romanise(base) + " Station"),
            "pinyin": " ".join(syllables(name)), "kind": "station", "geometry_type": "point",
            "parent": o.get("parent"), "layer": o.get("layer"), "themes": o.get("themes", []),
            "inside_haidian": "yes" if haidian.covers(geom) else "no",
            "precision": "approximate", "basis": "osm-rail", "error_m": station_error,
            "source": f"OpenStreetMap stop area {', '.join(s.stop_area for s in group)} "
                      f"({CREDIT} 1.0), via {extract.via}",
            "note": note,
            "osm_stop_areas": [s.stop_area for s in group], "lines": served,
        }))

    line_features = [_line(entry, extract, station_id, haidian, line_error, ids, names)
                     for entry in config.get("line", [])]
    return {
        STATIONS_FILE: dump_collection(_credit_collection("stations", extract.source,
                                                          station_features)),
        LINES_FILE: dump_collection(_credit_collection("rail-transit", extract.source,
                                                       line_features)),
    }


def _line(entry: dict[str, Any], extract: Extract, station_id: dict[str, str],
          haidian: BaseGeometry, error_m: int, ids: dict[str, str], names: dict[str, str]
          ) -> dict[str, Any]:
    where = f"{CONFIG} [[line]] {entry.get('id', '?')!r}"
    bad = set(entry) - LINE_KEYS
    if bad:
        raise DataError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
    for key in ("id", "name", "route", "name_en", "note"):
        if not entry.get(key):
            raise DataError(f"{where}: missing {key!r}")
    if entry["id"] in ids:
        raise DataError(f"{where}: id is taken by {ids[entry['id']]}")
    for text in [entry["name"], *entry.get("aliases", [])]:
        if text in names:
            raise DataError(f"{where}: {text!r} already names {names[text]!r}")
    route = extract.routes.get(entry["route"])
    if route is None:
        raise DataError(f"{where}: no route {entry['route']!r} in the extract")
    stops = list(route.stop_areas)
    if entry.get("until"):
        ends = [i for i, sa in enumerate(stops) if extract.stations[sa].name == entry["until"]]
        if not ends:
            raise DataError(f"{where}: route {route.relation} has no station {entry['until']!r}")
        stops = stops[: ends[0] + 1]
    stops = [*entry.get("prepend", []), *stops, *entry.get("append", [])]
    unknown = [sa for sa in stops if sa not in extract.stations]
    if unknown:
        raise DataError(f"{where}: unknown stop area(s) {', '.join(unknown)}")
    seq = [extract.stations[sa] for sa in stops]
    geom = LineString([_point(s) for s in seq])
    inside = "yes" if haidian.covers(geom) else "partly" if haidian.intersects(geom) else "no"
    added = [*entry.get("prepend", []), *entry.get("append", [])]
    note = (f"Straight between the OpenStreetMap positions of its {len(seq)} stations, "
            f"{seq[0].name} to {seq[-1].name}: the stations are real, the track between them is "
            f"not drawn (curves are cut). {entry['note']}")
    return _feature(geom, {
        "id": entry["id"], "name": entry["name"], "aliases": entry.get("aliases", []),
        "name_en": entry["name_en"],
        "pinyin": entry.get("pinyin") or " ".join(syllables(entry["name"])),
        "kind": "rail", "geometry_type": "line", "parent": entry.get("parent"),
        "layer": entry.get("layer"), "themes": entry.get("themes", []),
        "inside_haidian": inside, "precision": "approximate", "basis": "osm-rail",
        "error_m": error_m,
        "source": f"OpenStreetMap route relation {route.relation} ({route.name}) and the stop "
                  f"areas of its stations ({CREDIT} 1.0), via {extract.via}"
                  + (f"; stop area(s) {', '.join(added)} added as the note says" if added
                     else ""),
        "note": note,
        "osm_relation": route.relation, "colour": route.colour,
        "stations": list(dict.fromkeys(station_id[s.stop_area] for s in seq
                                       if s.stop_area in station_id)),
    })


def _feature(geom: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    from shapely.geometry import mapping

    return {"type": "Feature", "properties": props,
            "geometry": canonical_geometry(dict(mapping(geom)))}


def stale(data: Path, texts: dict[str, str]) -> list[str]:
    """Generated files whose text in data/gazetteer/ differs from `texts`."""
    folder = data / "gazetteer"
    return [name for name, text in texts.items()
            if not (folder / name).is_file()
            or (folder / name).read_text(encoding="utf-8") != text]
