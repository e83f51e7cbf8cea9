"""Whole-feature writes (OGC API – Features Part 4: create, replace, update, delete) as the
corrections `layers.edits.service.Edits` proposes.

A feature as the OGC API serves it carries the gazetteer entry's own fields and many derived
ones (passages, layers, accuracy words, links). Only the position is corrected this way: the
geometry with its precision, expected error, basis, source and note. A replaced or patched
feature may echo every other field back unchanged (derived fields are ignored), but a change to
one of the entry's other fields (a name, a kind) is refused with the way to make it (an alias,
a new place). Delete takes the place off the maps: no geometry, precision `unlocated`; its entry
and its history stay. A created feature is a new place.

`state(edits, place_id)` reads the change counter and the place's head revision at one moment,
so a caller can make sure the answer it serves was built from that very state.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from geo.errors import BadRequest
from layers.db.models import ChangeCounter
from layers.edits import changes as ch
from layers.edits import views
from layers.edits.service import Edits

POSITION = ch.GEOMETRY_FIELDS  # precision, error_m, basis, source, note
# Fields a client may send that are not the entry's: what the change is for.
COMMENT = "comment"


def state(edits: Edits, place_id: str) -> tuple[int, int | None]:
    """(change counter, the place's head revision) read in one transaction."""
    with edits.db.reader() as session:
        counter = session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1))
        return counter or 0, views.head(session, place_id)


def _feature(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise BadRequest("the body must be a GeoJSON Feature")
    props = body.get("properties")
    if props is not None and not isinstance(props, dict):
        raise BadRequest("the feature's properties must be an object")
    return body


def _refuse_other_changes(current: ch.Feature, props: dict[str, Any]) -> None:
    entry = current["properties"]
    changed = sorted(k for k, v in props.items()
                     if k in entry and k not in POSITION and k != "id" and v != entry[k])
    if changed:
        raise BadRequest(f"{', '.join(changed)} cannot be changed here: only the position "
                         "(geometry, precision, error_m, basis, source, note) is corrected "
                         "through the OGC API; propose an alias or a new place instead")


def comment_of(body: Any) -> str:
    props = body.get("properties") if isinstance(body, dict) else None
    value = (props or {}).get(COMMENT) if isinstance(props, dict) else None
    return value if isinstance(value, str) else ""


def replace_body(current: ch.Feature, body: Any) -> dict[str, Any]:
    """PUT: the whole position as sent (a field left out goes back to its default)."""
    feature = _feature(body)
    if "geometry" not in feature:
        raise BadRequest("a replacing feature needs its geometry (null: cannot be located)")
    props = dict(feature.get("properties") or {})
    _refuse_other_changes(current, props)
    return {"geometry": feature["geometry"], **{k: props.get(k) for k in POSITION}}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def patch_body(current: ch.Feature, patch: Any) -> dict[str, Any]:
    """PATCH (application/merge-patch+json): the position with the patch applied; the geometry
    is changed only when the patch names it (null: cannot be located)."""
    if not isinstance(patch, dict):
        raise BadRequest("the body must be a JSON merge patch (an object)")
    unknown = set(patch) - {"type", "id", "geometry", "properties"}
    if unknown:
        raise BadRequest(f"a feature has no member {', '.join(sorted(unknown))}")
    props_patch = patch.get("properties") or {}
    if not isinstance(props_patch, dict):
        raise BadRequest("properties in a merge patch must be an object")
    _refuse_other_changes(current, {k: v for k, v in props_patch.items() if v is not None})
    position = {k: current["properties"].get(k) for k in POSITION
                if current["properties"].get(k) is not None}
    merged = merge_patch(position, {k: v for k, v in props_patch.items()
                                    if k in POSITION})
    body = {k: merged.get(k) for k in POSITION}
    if "geometry" in patch:
        body["geometry"] = patch["geometry"]
    return body


def delete_body(current: ch.Feature) -> dict[str, Any]:
    """DELETE: off the maps (no geometry, unlocated); the entry's source and note stay."""
    props = current["properties"]
    return {"geometry": None, "precision": "unlocated", "source": props.get("source"),
            "note": props.get("note")}


def create_body(body: Any) -> dict[str, Any]:
    """POST: a new place from a feature (its id as `id` or the feature's own id)."""
    feature = _feature(body)
    props = {k: v for k, v in (feature.get("properties") or {}).items() if k != COMMENT}
    if "id" not in props and isinstance(feature.get("id"), str):
        props["id"] = feature["id"]
    return {**{k: v for k, v in props.items() if k in ch.PLACE_FIELDS},
            "geometry": feature.get("geometry")}
