"""What a revision does to a place, as functions over GeoJSON features.

A place's state is a Feature in the gazetteer files' own shape (`place_feature`), so a correction
goes through the same checks as an entry in data/gazetteer/ (`geo.gazetteer.place_from_feature`)
and can be written back into those files unchanged. Each kind of revision has its fields:

- geometry: a new geometry (or none, for an unlocatable place) with its precision, expected error
  `error_m`, basis, source (required) and note;
- place: a whole new entry (id, name, kind, precision, source, … and its geometry);
- alias: one more string naming the place, optionally only in some plans;
- revert: the place's whole state at an earlier revision (None: as it was before it existed).
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from geo.errors import BadRequest, DataError
from geo.extents import BEIJING
from geo.gazetteer import Alias, Gazetteer, Place, check_entries, place_from_feature
from geo.gazetteer_files import canonical_geometry
from geo.vocabulary import BASES, KINDS, PRECISIONS

KINDS_OF_REVISION = ("geometry", "place", "alias", "revert")
GEOMETRY_FIELDS = ("precision", "error_m", "basis", "source", "note")
PLACE_FIELDS = ("id", "name", "name_en", "pinyin", "kind", "geometry_type", "parent", "layer",
                "themes", "inside_haidian", "precision", "basis", "error_m", "source", "note",
                "drawn_as", "aliases")
PLACE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
MAX_TEXT = 4000

Feature = dict[str, Any]


def place_feature(place: Place) -> Feature:
    """A place as the gazetteer files hold it (the inverse of `place_from_feature`)."""
    props: dict[str, Any] = {
        "id": place.id, "name": place.name,
        "aliases": [a.text if a.plans is None else {"text": a.text, "plans": list(a.plans)}
                    for a in place.aliases],
        "name_en": place.name_en, "pinyin": place.pinyin, "kind": place.kind,
        "geometry_type": place.geometry_type, "parent": place.parent, "layer": place.layer,
        "themes": list(place.themes), "inside_haidian": place.inside_haidian,
        "precision": place.precision, "basis": place.basis, "error_m": place.error_m,
        "source": place.source, "note": place.note, "drawn_as": place.drawn_as,
    }
    props.update(place.extra)
    return {"type": "Feature",
            "geometry": mapping(place.geometry) if place.geometry is not None else None,
            "properties": {k: v for k, v in props.items() if v not in (None, "")}}


def check_geometry(raw: Any) -> Feature | None:
    """A GeoJSON geometry in WGS-84 inside Beijing, snapped to the storage grid; None stays
    None (an unlocatable place)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or "type" not in raw:
        raise BadRequest("geometry must be a GeoJSON geometry object (WGS-84) or null")
    try:
        geom = shape(raw)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError,
            shapely.errors.ShapelyError) as error:
        raise BadRequest(f"geometry is not readable GeoJSON ({error})") from None
    if geom.is_empty or not geom.is_valid:
        raise BadRequest("geometry is empty or invalid (self-intersecting rings?)")
    west, south, east, north = BEIJING
    minx, miny, maxx, maxy = geom.bounds
    if not (west <= minx and maxx <= east and south <= miny and maxy <= north):
        raise BadRequest("geometry lies outside Beijing: coordinates must be WGS-84 "
                         "longitude, latitude (convert GCJ-02 or projected input first)")
    return canonical_geometry(mapping(geom))


def _text(value: Any, name: str, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise BadRequest(f"{name} is required")
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadRequest(f"{name} must be text of at most {MAX_TEXT} characters")
    return value.strip() or None


def geometry_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a geometry correction, checked for type; the place check comes later."""
    precision = body.get("precision")
    if precision not in PRECISIONS:
        raise BadRequest(f"precision must be one of {', '.join(PRECISIONS)}")
    basis = body.get("basis")
    if basis is not None and basis not in BASES:
        raise BadRequest(f"basis must be one of {', '.join(BASES)}")
    error_m = body.get("error_m")
    if error_m is not None and (isinstance(error_m, bool) or not isinstance(error_m, int)):
        raise BadRequest("error_m must be whole metres")
    return {"precision": precision, "basis": basis, "error_m": error_m,
            "source": _text(body.get("source"), "source", required=True),
            "note": _text(body.get("note"), "note")}


def place_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The properties of a new place; unknown keys are refused rather than dropped."""
    unknown = set(body) - set(PLACE_FIELDS) - {"geometry"}
    if unknown:
        raise BadRequest(f"unknown field(s) for a new place: {', '.join(sorted(unknown))}")
    pid = body.get("id")
    if not isinstance(pid, str) or not PLACE_ID.fullmatch(pid):
        raise BadRequest("id must be lower-case letters, digits and '-' (e.g. the pinyin)")
    if body.get("kind") not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
    _text(body.get("name"), "name", required=True)
    _text(body.get("source"), "source", required=True)
    return {k: copy.deepcopy(body[k]) for k in PLACE_FIELDS if body.get(k) not in (None, "")}


def alias_fields(body: dict[str, Any]) -> dict[str, Any]:
    text = _text(body.get("text"), "text", required=True)
    plans = body.get("plans")
    if plans is not None and not (isinstance(plans, list) and plans
                                  and all(isinstance(p, str) for p in plans)):
        raise BadRequest("plans must be a non-empty list of plan ids, or absent")
    return {"text": text, "plans": plans}


def apply(feature: Feature | None, kind: str, changes: dict[str, Any],
          geometry: Feature | None, sets_geometry: bool) -> Feature | None:
    """The place's state after a revision (None: the place does not exist)."""
    if kind == "revert":
        state = changes.get("state")
        if state is None:
            return None
        return {"type": "Feature", "geometry": copy.deepcopy(geometry),
                "properties": copy.deepcopy(state)}
    if kind == "place":
        props = {k: v for k, v in changes.items() if v is not None}
        if "geometry_type" not in props and geometry is not None:
            props["geometry_type"] = _geometry_type(geometry["type"])
        return {"type": "Feature", "geometry": copy.deepcopy(geometry), "properties": props}
    if feature is None:
        raise BadRequest(f"no place {changes.get('id', '')!r} to change")
    new = copy.deepcopy(feature)
    props = new["properties"]
    if kind == "alias":
        entry = changes["text"] if not changes.get("plans") else {
            "text": changes["text"], "plans": changes["plans"]}
        props["aliases"] = [*props.get("aliases", []), entry]
    elif kind == "geometry":
        for key in GEOMETRY_FIELDS:
            if changes.get(key) is not None:
                props[key] = changes[key]
            elif key in ("error_m", "basis"):
                props.pop(key, None)  # the precision's default applies
        if changes["precision"] != "area-only":
            props.pop("drawn_as", None)
        if sets_geometry:
            new["geometry"] = copy.deepcopy(geometry)
    else:
        raise BadRequest(f"unknown kind of revision {kind!r}")
    return new


def _geometry_type(geojson_type: str) -> str:
    return {"Point": "point", "MultiPoint": "point", "LineString": "line",
            "MultiLineString": "line"}.get(geojson_type, "polygon")


def check_place(feature: Feature, plan_ids: set[str] | None, where: str) -> Place:
    """The gazetteer's own checks on one entry, as a 400 answer naming what is wrong."""
    try:
        return place_from_feature(feature, where, plan_ids)
    except DataError as error:
        raise BadRequest(error.message) from None


def gazetteer_with(base: Gazetteer, states: dict[str, Feature | None],
                   plan_ids: set[str] | None) -> Gazetteer:
    """The base gazetteer with some places replaced, added or removed (None), checked across
    entries (parents, drawn_as, one place per name per plan)."""
    places: dict[str, Place] = dict(base.places)
    for pid, feature in states.items():
        if feature is None:
            places.pop(pid, None)
        else:
            place = check_place(feature, plan_ids, "revision")
            places[pid] = replace(place, file=base.places[pid].file if pid in base.places
                                  else "revision")
    ordered = list(places.values())
    try:
        check_entries(ordered)
    except DataError as error:
        raise BadRequest(error.message) from None
    return Gazetteer(ordered)


def changed_fields(before: Feature | None, after: Feature | None) -> list[str]:
    """Names of what differs between two states ('geometry' included), for the review page."""
    if before is None or after is None:
        return [] if before is after else ["exists"]
    keys = set(before["properties"]) | set(after["properties"])
    out = sorted(k for k in keys
                 if before["properties"].get(k) != after["properties"].get(k))
    if before.get("geometry") != after.get("geometry"):
        out.insert(0, "geometry")
    return out


def names_key(place: Place) -> tuple[Any, ...]:
    """What the finder and the search index read of a place: when no place's key changes, a
    store can keep its mention index and search index."""
    return (place.id, place.name, place.name_en, place.pinyin, place.kind,
            tuple((a.text, a.plans) for a in place.aliases))


__all__ = ["Alias", "apply", "changed_fields", "check_geometry", "check_place",
           "gazetteer_with", "names_key", "place_feature"]
