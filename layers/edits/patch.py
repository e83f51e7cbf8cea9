"""The round trip to the repository: approved corrections out as a GeoJSON patch, and a patch
merged into data/gazetteer/ files, so corrections are reviewed and versioned like the rest of
the data.

`export_patch` writes one Feature per changed place: its whole corrected entry (properties and
geometry, as in the gazetteer files), `planmap:op` (update, create or delete) and
`planmap:provenance` (each approved revision: who proposed it, who approved it, when, why).
`apply_patch` puts each entry into its file (a new place into the file holding most places of
its kind), appends the provenance to the entry's `note`, checks the result with the gazetteer's
own rules, and writes only the files that change, in the canonical layout, through a temporary
file and a rename. Applying a patch twice changes nothing the second time.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.errors import BadRequest, DataError
from geo.gazetteer import check_entries, place_from_feature
from geo.gazetteer_files import canonical_geometry, dump_collection, write_text_atomic
from layers.edits import views
from layers.edits.service import Edits

OP, PROVENANCE = "planmap:op", "planmap:provenance"


def export_patch(edits: Edits) -> dict[str, Any]:
    """Every place whose approved state differs from the data files, with its provenance."""
    _, states = edits.snapshot()
    with edits.db.reader() as session:
        revisions = views.approved(session)
        names = views.usernames(session, revisions)
    by_place: dict[str, list[dict[str, Any]]] = {}
    for rev in revisions:
        by_place.setdefault(rev.place_id, []).append({
            "revision": rev.id, "kind": rev.kind, "proposed_by": names.get(rev.author_id, ""),
            "proposed_at": views.iso(rev.created_at),
            "approved_by": names.get(rev.reviewer_id or 0, ""),
            "approved_at": views.iso(rev.reviewed_at), "why": rev.comment,
            "review": rev.review_reason})
    features = []
    for pid in sorted(states):
        state, base = states[pid], edits.base_feature(pid)
        if state == base:
            continue  # reverted to what the files say
        op = "delete" if state is None else "create" if base is None else "update"
        shown = state or {"geometry": None, "properties": {"id": pid}}
        features.append({"type": "Feature", "id": pid, "geometry": shown["geometry"],
                         "properties": {**shown["properties"], OP: op,
                                        PROVENANCE: by_place.get(pid, [])}})
    return {"type": "FeatureCollection", "name": "planmap-corrections",
            "planmap:exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "features": features}


def provenance_text(entries: list[dict[str, Any]]) -> str:
    parts = []
    for e in entries:
        why = f": {e['why']}" if e.get("why") else ""
        parts.append(f"planmap revision {e['revision']} ({e['kind']}; proposed by "
                     f"{e['proposed_by']}, approved by {e['approved_by']} on "
                     f"{(e.get('approved_at') or '')[:10]}){why}")
    return "Corrected through " + "; ".join(parts) + "." if parts else ""


def read_patch(path: Path) -> dict[str, Any]:
    try:
        patch = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"{path}: not a readable GeoJSON patch ({error})") from None
    if not isinstance(patch, dict) or patch.get("type") != "FeatureCollection" or not all(
            isinstance(f, dict) and isinstance(f.get("properties"), dict)
            and f["properties"].get(OP) in ("update", "create", "delete")
            for f in patch.get("features", [])):
        raise BadRequest(f"{path}: not a planmap patch (a FeatureCollection whose features "
                         f"carry {OP})")
    return patch


def _entry(feature: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The file entry for a patch feature: existing key order kept, provenance in the note."""
    props = copy.deepcopy(feature["properties"])
    props.pop(OP)
    sentence = provenance_text(props.pop(PROVENANCE, []))
    if sentence:
        note = props.get("note") or ""
        old = existing["properties"].get("note", "") if existing else ""
        marker = sentence.split(" (", 1)[0]
        if marker not in note and marker not in old:
            props["note"] = f"{note} {sentence}".strip()
        elif marker in old and marker not in note:
            props["note"] = old
    order = list(existing["properties"]) if existing else []
    ordered = {k: props[k] for k in order if k in props}
    ordered.update({k: v for k, v in props.items() if k not in ordered})
    geometry = feature.get("geometry")
    return {"type": "Feature",
            "geometry": canonical_geometry(geometry) if geometry else None,
            "properties": ordered}


def apply_patch(patch: dict[str, Any], directory: Path, write: bool = True) -> list[str]:
    """Merge the patch into the gazetteer files of `directory`; returns the files changed
    (or that would change, with write=False)."""
    paths = sorted(directory.glob("*.geojson"))
    if not paths:
        raise BadRequest(f"{directory}: no gazetteer files")
    collections = {p: json.loads(p.read_text(encoding="utf-8")) for p in paths}
    where: dict[str, Path] = {f["properties"]["id"]: p for p, fc in collections.items()
                              for f in fc["features"]}
    for feature in patch["features"]:
        pid, op = feature["properties"].get("id"), feature["properties"][OP]
        if not isinstance(pid, str) or not pid:
            raise BadRequest("a patch feature has no id")
        if op == "delete":
            if pid in where:
                fc = collections[where.pop(pid)]
                fc["features"] = [f for f in fc["features"] if f["properties"]["id"] != pid]
            continue
        path = where.get(pid) or _file_for(collections, feature["properties"].get("kind"),
                                           directory)
        fc = collections.setdefault(path, {"type": "FeatureCollection", "name": path.stem,
                                           "features": []})
        index = next((i for i, f in enumerate(fc["features"])
                      if f["properties"]["id"] == pid), None)
        entry = _entry(feature, fc["features"][index] if index is not None else None)
        if index is None:
            fc["features"].append(entry)
            where[pid] = path
        else:
            fc["features"][index] = entry
    try:
        check_entries([place_from_feature(f, f"{p.name}#{i}")
                       for p, fc in collections.items() for i, f in enumerate(fc["features"])])
    except DataError as error:
        raise BadRequest(f"the patch would make the gazetteer invalid: {error.message}"
                         ) from None
    changed = []
    for path, fc in collections.items():
        text = dump_collection(fc)
        if not path.exists() or text != path.read_text(encoding="utf-8"):
            changed.append(path.name)
            if write:
                write_text_atomic(path, text)
    return changed


def _file_for(collections: dict[Path, dict[str, Any]], kind: object, directory: Path) -> Path:
    """The file holding most places of this kind; other.geojson when none does."""
    counts = Counter(p for p, fc in collections.items() for f in fc["features"]
                     if f["properties"].get("kind") == kind)
    return counts.most_common(1)[0][0] if counts else directory / "other.geojson"
