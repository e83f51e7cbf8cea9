"""Writing the gazetteer files: one layout, and area-only copies kept in step with their areas.

An area-only entry carries a copy of its area's geometry so that every file opens on its own in
QGIS. The copy goes stale when the area is redrawn; `planmap data sync` re-copies it, and writes
every file in one layout (properties indented, each geometry on one line) so diffs stay legible.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from geo import atomic
from geo.errors import DataError
from geo.geometry_out import STORAGE_GRID
from geo.paths import gazetteer_dir


def dump_collection(fc: dict) -> str:
    """Readable properties, one compact line per geometry."""
    features = fc.get("features", [])
    geometries = [f.get("geometry") for f in features]
    skeleton = {**fc, "features": [{**f, "geometry": f"@@GEOMETRY{i}@@"}
                                   for i, f in enumerate(features)]}
    text = json.dumps(skeleton, ensure_ascii=False, indent=1)
    for i, geometry in enumerate(geometries):
        compact = json.dumps(geometry, separators=(",", ":")) if geometry is not None else "null"
        text = text.replace(f'"@@GEOMETRY{i}@@"', compact, 1)
    return text + "\n"


def is_canonical(geom: shapely.Geometry) -> bool:
    coords = shapely.get_coordinates(geom) * 1e6
    rounded = bool((abs(coords - coords.round()) < 1e-3).all())
    return rounded and shapely.equals_exact(
        shapely.orient_polygons(geom, exterior_cw=False), geom, tolerance=0)


def canonical_geometry(geometry: dict) -> dict:
    """6 decimals (about 0.1 m) and counter-clockwise exteriors (RFC 7946). A geometry already
    so is returned as it is: snapping again would rotate ring start points and churn diffs."""
    geom = shape(geometry)
    if is_canonical(geom):
        return geometry
    geom = shapely.set_precision(geom, STORAGE_GRID)
    return mapping(shapely.orient_polygons(geom, exterior_cw=False))


def sync(directory: Path | None = None, write: bool = True) -> tuple[list[str], list[str]]:
    """Re-copy every stale area-only geometry and rewrite files not in the canonical layout.

    Returns (ids re-copied, files rewritten or, with write=False, that would be).
    """
    directory = directory or gazetteer_dir()
    paths = sorted(directory.glob("*.geojson"))
    collections = {p: json.loads(p.read_text(encoding="utf-8")) for p in paths}
    features = {f["properties"]["id"]: f for fc in collections.values() for f in fc["features"]}
    copied: list[str] = []
    # an area may itself be a copy: follow chains to the drawn geometry, never round a loop
    for pid, feature in features.items():
        props = feature["properties"]
        if props.get("precision") != "area-only":
            continue
        seen, area_id = {pid}, props.get("drawn_as")
        while area_id in features and features[area_id]["properties"].get("precision") == \
                "area-only" and area_id not in seen:
            seen.add(area_id)
            area_id = features[area_id]["properties"].get("drawn_as")
        area = features.get(area_id)
        if area is None or area_id in seen or area.get("geometry") is None:
            raise DataError(f"entry {pid!r}: drawn_as does not lead to a drawn area")
        source = canonical_geometry(area["geometry"])
        current = feature.get("geometry")
        if current is None or (current != source and not shape(current).equals(shape(source))):
            feature["geometry"] = source
            copied.append(pid)
    rewritten: list[str] = []
    for path, fc in collections.items():
        for f in fc["features"]:
            if f.get("geometry") is not None:
                f["geometry"] = canonical_geometry(f["geometry"])
        text = dump_collection(fc)
        if text != path.read_text(encoding="utf-8"):
            rewritten.append(path.name)
            if write:
                write_text_atomic(path, text)
    return copied, rewritten


def write_text_atomic(path: Path, text: str) -> None:
    """Write through geo.atomic (a synced temp file in the same folder, then a rename), so a
    reader (or a crash) never sees half a file; the file keeps the mode it had."""
    atomic.write_text(path, text, path.stat().st_mode & 0o777 if path.exists() else 0o644)
