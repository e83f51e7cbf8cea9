"""From derived entries to files: the gazetteer files the definitions own, and derived.geojson.

The gazetteer files are updated, not regenerated: ids, names, aliases, layers and themes belong to
whoever edits the gazetteer, and only the geometry and the fields that say how it was made are
written here. Every entry of an owned file must have a definition, so a rerun reproduces the file
byte for byte, and a difference means the definitions or their inputs changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geo.areas.derive import Derived, Resolver
from geo.areas.inputs import read_inputs
from geo.areas.spec import DERIVED, AreasFile, AreaSpec, load_areas
from geo.crs import area_km2
from geo.errors import DataError
from geo.gazetteer_files import dump_collection, write_text_atomic

AREAS_FILE = Path("boundaries") / "areas.toml"
DERIVED_FILE = Path("boundaries") / "derived.geojson"
# The properties a definition decides; everything else in a gazetteer entry is left as it is.
WRITTEN = ("precision", "source", "note", "name_en", "parent", "drawn_as", "geometry_type")


def gazetteer_file(stem: str) -> Path:
    return Path("gazetteer") / f"{stem}.geojson"


def _created(fc: dict[str, Any], spec: AreaSpec) -> dict[str, Any]:
    """A new entry, shaped like the file's first one (its layer and themes are the file's)."""
    assert spec.create is not None
    template = fc["features"][0]["properties"] if fc["features"] else {}
    props: dict[str, Any] = {k: None for k in template}
    props.update(id=spec.id, name=spec.create.name, aliases=[], pinyin=spec.create.pinyin,
                 kind=spec.create.kind, geometry_type="polygon", layer=template.get("layer"),
                 themes=list(template.get("themes") or []), inside_haidian="yes")
    return {"type": "Feature", "geometry": None, "properties": props}


def update_collection(areas: AreasFile, stem: str, fc: dict[str, Any],
                      done: dict[str, Derived]) -> dict[str, Any]:
    """The gazetteer file with every defined entry's geometry and provenance written in."""
    name = gazetteer_file(stem).name
    by_id = {f["properties"]["id"]: f for f in fc["features"]}
    specs = areas.section(stem)
    defined = {s.id for s in specs}
    undefined = [pid for pid in by_id if pid not in defined]
    if undefined:
        raise DataError(f"{areas.path.name}: {name} entry {undefined[0]!r} has no definition "
                        f"(add [{stem}.{undefined[0]}])")
    for spec in specs:
        if spec.id not in by_id:
            if spec.create is None:
                raise areas.error(spec, f"is not in {name}: add it there, or give 'create'")
            by_id[spec.id] = _created(fc, spec)
            fc["features"].append(by_id[spec.id])
        d = done[spec.id]
        feature = by_id[spec.id]
        feature["geometry"] = d.geojson
        values = {"precision": d.precision, "source": d.source, "note": d.note,
                  "name_en": d.spec.name_en, "parent": d.spec.parent, "drawn_as": d.drawn_as,
                  "geometry_type": d.geometry_type}
        feature["properties"].update({k: values[k] for k in WRITTEN})
    return fc


def derived_collection(areas: AreasFile, done: dict[str, Derived]) -> dict[str, Any]:
    """Areas offered to entries of other files (北部四镇, 南区三镇 …), with their measured size."""
    features = []
    for spec in areas.section(DERIVED):
        if spec.id not in done:
            continue  # its entry is drawn in the gazetteer itself (unless_entry)
        d = done[spec.id]
        features.append({"type": "Feature",
                         "properties": {"key": spec.id, "name": spec.name, "source": d.source,
                                        "area_km2_epsg4548": round(area_km2(d.geometry), 3)},
                         "geometry": d.geojson})
    return {"type": "FeatureCollection", "name": "derived", "note": areas.texts["derived_note"],
            "features": features}


def derive_files(data: Path) -> dict[Path, str]:
    """Every file the definitions in `data` produce: path relative to the data folder → text."""
    areas = load_areas(data / AREAS_FILE)
    stems = [s for s in areas.sections if s != DERIVED]
    inputs = read_inputs(data, stems)
    done = Resolver(areas, inputs).all()
    texts = {gazetteer_file(stem): dump_collection(
        update_collection(areas, stem, inputs.collections[stem], done)) for stem in stems}
    if areas.section(DERIVED):
        texts[DERIVED_FILE] = dump_collection(derived_collection(areas, done))
    return texts


def out_of_date(texts: dict[Path, str], folder: Path) -> list[Path]:
    """The files under `folder` that differ from (or lack) what the definitions produce."""
    stale = []
    for rel, text in texts.items():
        try:
            current = (folder / rel).read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != text:
            stale.append(rel)
    return stale


def write_files(texts: dict[Path, str], folder: Path) -> list[Path]:
    """Write what changed (each file through a temp file and a rename); returns those paths."""
    changed = out_of_date(texts, folder)
    for rel in changed:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / rel, texts[rel])
    return changed

