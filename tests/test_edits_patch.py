"""The round trip: approved corrections exported as a GeoJSON patch (`planmap edits export`)
and merged into a copy of data/gazetteer/ (`planmap edits apply`), provenance kept in `note`,
only the changed files rewritten, applying twice changing nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from geo.gazetteer import load_gazetteer
from geo.paths import gazetteer_dir
from layers.edits.service import Edits
from webmap.cli import main

PARK = "zhongguancunruanjianyuan"
NODE = "yuyuantankejishangwujiedian"
OUTLINE = {"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                               [116.293, 40.06], [116.27, 40.06],
                                               [116.27, 40.046]]]}


def test_export_then_apply_round_trip(db, people, base_store, tmp_path: Path, capsys) -> None:
    edits = Edits(db, base_store.gazetteer)
    editor, reviewer = people["editor"], people["reviewer"]
    fix = edits.propose_geometry(editor, PARK, {
        "geometry": OUTLINE, "precision": "approximate", "error_m": 60,
        "basis": "hand-placed", "source": "2026 fence survey", "note": "redrawn"}, None,
        "the old outline cut the park in two")
    edits.approve(reviewer, fix["id"], "checked on site")
    new = edits.propose_place(editor, {
        "id": "ceshigongyuan", "name": "测试公园", "kind": "park", "precision": "approximate",
        "source": "survey", "layer": "parks", "parent": "haidianqu",
        "geometry": {"type": "Point", "coordinates": [116.25, 40.02]}})
    edits.approve(reviewer, new["id"])
    alias = edits.propose_alias(editor, NODE, {"text": "玉渊潭节点"}, None)
    edits.approve(reviewer, alias["id"])
    undone = edits.propose_geometry(editor, "yiheyuan", {
        "geometry": None, "precision": "unlocated", "source": "x", "note": "test"}, None)
    edits.approve(reviewer, undone["id"])
    back = edits.revert(editor, "yiheyuan", None, undone["id"])
    edits.approve(reviewer, back["id"])

    patch_path = tmp_path / "patch.geojson"
    url = db.url.render_as_string(hide_password=False)
    assert main(["edits", "export", "-o", str(patch_path), "--database", url]) == 0
    patch = json.loads(patch_path.read_text(encoding="utf-8"))
    by_id = {f["id"]: f for f in patch["features"]}
    assert set(by_id) == {PARK, "ceshigongyuan", NODE}  # the reverted place is as in the files
    park = by_id[PARK]
    assert park["properties"]["planmap:op"] == "update"
    assert park["properties"]["precision"] == "approximate"
    [provenance] = park["properties"]["planmap:provenance"]
    assert provenance["revision"] == fix["id"] and provenance["proposed_by"] == "editor"
    assert provenance["approved_by"] == "reviewer" and "cut the park" in provenance["why"]
    assert by_id["ceshigongyuan"]["properties"]["planmap:op"] == "create"

    folder = tmp_path / "gazetteer"
    shutil.copytree(gazetteer_dir(), folder)
    before = {p.name: p.read_bytes() for p in folder.glob("*.geojson")}
    assert main(["edits", "apply", str(patch_path), "--gazetteer", str(folder)]) == 0
    changed = {p.name for p in folder.glob("*.geojson") if p.read_bytes() != before.get(p.name)}
    park_file = base_store.gazetteer.get(PARK).file.split("#")[0]
    node_file = base_store.gazetteer.get(NODE).file.split("#")[0]
    assert park_file in changed and node_file in changed and len(changed) <= 3
    gazetteer = load_gazetteer(folder)
    place = gazetteer.get(PARK)
    assert place.precision == "approximate" and place.error_m == 60
    assert place.source == "2026 fence survey"
    assert f"planmap revision {fix['id']}" in place.note and "redrawn" in place.note
    assert place.geometry.bounds == (116.27, 40.046, 116.293, 40.06)
    assert [a.text for a in gazetteer.get(NODE).aliases][-1] == "玉渊潭节点"
    assert gazetteer.get("ceshigongyuan").file.split("#")[0] == "parks.geojson"
    assert gazetteer.get("yiheyuan") == base_store.gazetteer.get("yiheyuan")
    # the files stay in the canonical layout: one geometry per line, properties indented
    text = (folder / park_file).read_text(encoding="utf-8")
    assert '   "geometry": {"type":"Polygon","coordinates":[[[116.27,40.046]' in text
    capsys.readouterr()
    assert main(["edits", "apply", str(patch_path), "--gazetteer", str(folder), "--check"]) == 0
    assert "would change 0 file(s)" in capsys.readouterr().err
    assert any(e for e in edits_audit(db) if e["detail"].get("what") == "edits")


def edits_audit(db) -> list[dict]:
    from layers.db import audit

    return audit.entries(db, action="export")


def test_a_patch_that_breaks_the_gazetteer_is_refused(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "gazetteer"
    shutil.copytree(gazetteer_dir(), folder)
    before = {p.name: p.read_bytes() for p in folder.glob("*.geojson")}
    patch = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [116.3, 40.0]},
        "properties": {"id": "bad", "name": "颐和园", "kind": "park", "precision": "approximate",
                       "source": "s", "planmap:op": "create"}}]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(patch), encoding="utf-8")
    assert main(["edits", "apply", str(path), "--gazetteer", str(folder)]) == 2
    assert "alias clash" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.glob("*.geojson")} == before
    path.write_text('{"type": "FeatureCollection", "features": [{"properties": {}}]}')
    assert main(["edits", "apply", str(path), "--gazetteer", str(folder)]) == 2
