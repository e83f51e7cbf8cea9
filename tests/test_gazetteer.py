"""The gazetteer loader refuses bad data with a message naming the entry.

Each test writes a small gazetteer into tmp_path (never the real one) with exactly one fault and
checks that the error names the file, the entry and the fault, so a planner editing a file in QGIS
learns what to fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.errors import DataError
from geo.gazetteer import load_gazetteer
from geo.gazetteer_files import sync

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[116.30, 39.98], [116.31, 39.98], [116.31, 39.99], [116.30, 39.99],
                     [116.30, 39.98]]],
}


def entry(pid: str, **props: object) -> dict:
    geometry = props.pop("geometry", SQUARE)
    base: dict[str, object] = {
        "id": pid, "name": f"地方{pid}", "aliases": [], "kind": "zone",
        "geometry_type": "polygon", "precision": "schematic", "source": "test fixture",
        "note": "",
    }
    base.update(props)
    return {"type": "Feature", "geometry": geometry, "properties": base}


def write(directory: Path, features: list[dict], name: str = "zones.geojson") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return directory


def load_error(directory: Path) -> str:
    with pytest.raises(DataError) as info:
        load_gazetteer(directory)
    return info.value.message


def test_a_good_small_gazetteer_loads(tmp_path: Path) -> None:
    gaz = load_gazetteer(write(tmp_path, [entry("a"), entry("b", parent="a")]))
    assert [p.id for p in gaz] == ["a", "b"]
    assert gaz.get("b").parent == "a"


def test_unknown_kind_names_the_entry(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry("good"), entry("odd", kind="planet")]))
    assert "'odd'" in message and "unknown kind 'planet'" in message
    assert "zones.geojson" in message


@pytest.mark.parametrize("missing", ["source", "kind", "precision", "name"])
def test_missing_required_property(tmp_path: Path, missing: str) -> None:
    feature = entry("nosource")
    feature["properties"][missing] = ""
    message = load_error(write(tmp_path, [feature]))
    assert "'nosource'" in message and f"missing '{missing}'" in message


def test_invalid_geometry_is_explained(tmp_path: Path) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[116.30, 39.98], [116.31, 39.99],
                                                  [116.31, 39.98], [116.30, 39.99],
                                                  [116.30, 39.98]]]}
    message = load_error(write(tmp_path, [entry("bowtie", geometry=bowtie)]))
    assert "'bowtie'" in message and "invalid geometry" in message
    assert "Self-intersection" in message


def test_empty_geometry(tmp_path: Path) -> None:
    empty = {"type": "Polygon", "coordinates": []}
    message = load_error(write(tmp_path, [entry("hollow", geometry=empty)]))
    assert "'hollow'" in message and "empty geometry" in message


def test_unreadable_geometry(tmp_path: Path) -> None:
    broken = {"type": "Polygon", "coordinates": [[[116.3]]]}
    message = load_error(write(tmp_path, [entry("broken", geometry=broken)]))
    assert "'broken'" in message and "geometry" in message


def test_wrong_geometry_type(tmp_path: Path) -> None:
    point = {"type": "Point", "coordinates": [116.3, 39.98]}
    message = load_error(write(tmp_path, [entry("dot", geometry=point)]))
    assert "'dot'" in message and "geometry is Point" in message and "'polygon'" in message


def test_projected_coordinates_are_refused(tmp_path: Path) -> None:
    metres = {"type": "Point", "coordinates": [443000.0, 4427000.0]}
    message = load_error(write(tmp_path, [entry("metres", geometry=metres,
                                                geometry_type="point")]))
    assert "'metres'" in message and "WGS-84" in message


def test_null_geometry_must_be_unlocated_with_a_reason(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry("ghost", geometry=None)]))
    assert "'ghost'" in message and "no geometry" in message
    silent = entry("silent", geometry=None, precision="unlocated", note="")
    message = load_error(write(tmp_path / "b", [silent]))
    assert "'silent'" in message and "why" in message


def test_area_only_needs_drawn_as_and_note(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry("vague", precision="area-only")]))
    assert "'vague'" in message and "drawn_as" in message


def test_area_only_site_keeps_its_own_geometry_type(tmp_path: Path) -> None:
    """A building drawn as the area it lies in is still a point-like thing: the copied polygon
    is accepted without pretending the building is an area."""
    gaz = load_gazetteer(write(tmp_path, [
        entry("area"),
        entry("lab", geometry_type="point", precision="area-only", drawn_as="area",
              note="the text names no site inside the area"),
    ]))
    assert gaz.get("lab").geometry_type == "point"
    assert gaz.get("lab").geometry.equals(gaz.get("area").geometry)


@pytest.mark.slow
def test_real_gazetteer_is_in_step_and_in_canonical_layout() -> None:
    """RFC 7946 right-hand rule, 6-decimal coordinates, one layout, and area-only copies equal
    to their areas: `planmap data sync --check` would change nothing."""
    copied, rewritten = sync(write=False)
    assert not copied, f"stale area-only copies (run planmap data sync): {copied}"
    assert not rewritten, f"files not in canonical layout (run planmap data sync): {rewritten}"


def test_sync_recopies_a_redrawn_area_and_orients_rings(tmp_path: Path) -> None:
    clockwise = {"type": "Polygon", "coordinates": [[[116.30, 39.98], [116.30, 39.99],
                                                     [116.31, 39.99], [116.31, 39.98],
                                                     [116.30, 39.98]]]}
    write(tmp_path, [
        entry("area", geometry=clockwise),
        entry("lab", geometry=SQUARE, geometry_type="point", precision="area-only",
              drawn_as="area", note="no site given"),
    ])
    path = tmp_path / "zones.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"][0]["geometry"]["coordinates"][0][2][0] = 116.32  # the area is redrawn wider
    path.write_text(json.dumps(fc), encoding="utf-8")  # ...and the copy is now stale
    copied, rewritten = sync(tmp_path)
    assert copied == ["lab"] and rewritten == ["zones.geojson"]
    gaz = load_gazetteer(tmp_path)
    assert gaz.get("lab").geometry.equals(gaz.get("area").geometry)
    assert gaz.get("area").geometry.exterior.is_ccw
    assert sync(tmp_path) == ([], [])  # a second run changes nothing


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    write(tmp_path, [entry("twice")], "zones.geojson")
    write(tmp_path, [entry("twice", name="另一个")], "admin.geojson")
    message = load_error(tmp_path)
    assert "'twice'" in message and "duplicate id" in message


def test_alias_clash_names_both_entries(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry("one", aliases=["北区"]),
                                          entry("two", aliases=["北区"])]))
    assert "alias clash" in message and "北区" in message
    assert "one" in message and "two" in message


def test_scoped_aliases_may_share_a_string_in_different_plans(tmp_path: Path) -> None:
    gaz = load_gazetteer(write(tmp_path, [
        entry("north", aliases=[{"text": "北区", "plans": ["p1"]}]),
        entry("east", aliases=[{"text": "北区", "plans": ["p2"]}]),
    ]))
    assert len(gaz) == 2
    message = load_error(write(tmp_path / "clash", [
        entry("north", aliases=[{"text": "北区", "plans": ["p1"]}]),
        entry("east", aliases=[{"text": "北区", "plans": ["p1"]}]),
    ]))
    assert "alias clash" in message and "p1" in message


def test_unknown_parent(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry("child", parent="nowhere")]))
    assert "'child'" in message and "parent 'nowhere'" in message


def test_not_json_names_the_file(tmp_path: Path) -> None:
    tmp_path.joinpath("zones.geojson").write_text("{not json", encoding="utf-8")
    message = load_error(tmp_path)
    assert "zones.geojson" in message and "not valid JSON" in message
