"""The defined areas are rebuilt from data/boundaries/areas.toml, reproducibly and in one command.

The first tests run the real derivation: into a temp folder it must reproduce the committed
files byte for byte, and moving a construction line must carry through to every area and every
area-only copy with `planmap data derive` alone. The rest run small definition files against the
real extracts, to show each kind of mistake is refused with one line naming the file and entry.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from geo.areas import derive_files, out_of_date, write_files
from geo.areas.inputs import read_seats
from geo.areas.shapes import band, geojson
from geo.areas.spec import load_areas
from geo.crs import area_km2
from geo.errors import DataError
from geo.gazetteer import load_gazetteer
from geo.gazetteer_files import is_canonical, sync
from geo.paths import PROJECT_ROOT
from webmap.cli import main

DATA = PROJECT_ROOT / "data"
REAL_TOML = (DATA / "boundaries" / "areas.toml").read_text(encoding="utf-8")
TEXTS = REAL_TOML[:REAL_TOML.index("\n[admin.")]  # the header and [texts]
INPUTS = ("beijing-districts.geojson", "regions-context.geojson", "construction.geojson",
          "haidian-township-points.tsv")


@pytest.fixture(scope="module")
def derived() -> dict[Path, str]:
    return derive_files(DATA)


def test_derivation_reproduces_the_committed_files(derived: dict[Path, str]) -> None:
    assert {str(p) for p in derived} == {
        "gazetteer/admin.geojson", "gazetteer/zones.geojson", "gazetteer/regions.geojson",
        "gazetteer/corridors.geojson", "boundaries/derived.geojson"}
    stale = out_of_date(derived, DATA)
    assert not stale, f"committed files differ from the definitions (planmap data derive): {stale}"


def test_derive_out_writes_the_same_bytes_and_check_sees_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["data", "derive", "--out", str(out)]) == 0
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert [str(p) for p in written] == [
        "boundaries/derived.geojson", "gazetteer/admin.geojson", "gazetteer/corridors.geojson",
        "gazetteer/regions.geojson", "gazetteer/zones.geojson"]  # no temp files left behind
    for rel in written:
        assert (out / rel).read_bytes() == (DATA / rel).read_bytes(), rel
    capsys.readouterr()
    assert main(["data", "derive", "--check", "--out", str(out)]) == 0
    assert "5 of 5 derived files up to date" in capsys.readouterr().out
    zones = out / "gazetteer" / "zones.geojson"
    text = zones.read_text(encoding="utf-8")
    changed = re.sub(r"Measures [\d.]+ km²", "Measures 0.0 km²", text, count=1)
    assert changed != text  # the 北区 note states its measured area
    zones.write_text(changed, encoding="utf-8")
    assert main(["data", "derive", "--check", "--out", str(out)]) == 1
    report = capsys.readouterr().out
    assert f"out of date: {zones}" in report and "4 of 5" in report


def test_written_geometries_are_canonical_for_data_sync(derived: dict[Path, str]) -> None:
    for rel, text in derived.items():
        for f in json.loads(text)["features"]:
            assert is_canonical(shape(f["geometry"])), (rel, f["properties"])


def test_ring_start_does_not_change_the_bytes() -> None:
    """An overlay may start a ring at any vertex, differently in another GEOS version; the
    written form must not depend on it (the committed files once did, and no rerun matched)."""
    ring = [(116.30, 39.98), (116.32, 39.98), (116.32, 39.99), (116.31, 39.995),
            (116.30, 39.99)]
    written = {json.dumps(geojson(shapely.Polygon(ring[i:] + ring[:i]))) for i in range(5)}
    written |= {json.dumps(geojson(shapely.Polygon(list(reversed(ring)))))}
    assert len(written) == 1
    line = shapely.LineString(ring)
    assert tuple(geojson(line)["coordinates"][0]) == (116.30, 39.98)  # lines keep direction


@pytest.mark.parametrize("westward", [True, False])
def test_band_offsets_are_north_and_south_whichever_way_the_line_runs(westward: bool) -> None:
    """北清路 is drawn west → east in roads.geojson; a band once assumed east → west and put
    its 1000 m on the south side. Re-anchored lines may be drawn either way."""
    road = shapely.LineString([(116.16, 40.07), (116.29, 40.07)])
    strip = band(road.reverse() if westward else road, 1000, 170)
    across = shapely.LineString([(116.22, 39.9), (116.22, 40.2)]).intersection(strip)
    _, south, _, north = across.bounds
    assert (north - 40.07) * 111_000 == pytest.approx(1000, rel=0.01)
    assert (40.07 - south) * 111_000 == pytest.approx(170, rel=0.02)
    assert area_km2(strip) == pytest.approx(1.17 * 11.07, rel=0.02)


def test_the_beiqinglu_band_lies_where_its_definition_says(derived: dict[Path, str]) -> None:
    corridors = {f["properties"]["id"]: f for f in
                 json.loads(derived[Path("gazetteer/corridors.geojson")])["features"]}
    road = json.loads((DATA / "gazetteer" / "roads.geojson").read_text(encoding="utf-8"))
    line = shape(next(f for f in road["features"]
                      if f["properties"]["id"] == "beiqinglu")["geometry"])
    strip = shape(corridors["beiqinglu-gongnengjujudai"]["geometry"])
    x = 116.22
    across = shapely.LineString([(x, 39.9), (x, 40.2)])
    road_y = across.intersection(line).y
    _, south, _, north = across.intersection(strip).bounds
    assert north - road_y > 0.008 > road_y - south  # ~1000 m north, ~170 m south


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PLANMAP_DATA folder with its own copy of the gazetteer and boundaries."""
    (tmp_path / "plans").symlink_to(DATA / "plans")
    (tmp_path / "layers.toml").symlink_to(DATA / "layers.toml")  # data check reads every file
    (tmp_path / "reference").symlink_to(DATA / "reference")
    shutil.copytree(DATA / "gazetteer", tmp_path / "gazetteer")
    shutil.copytree(DATA / "boundaries", tmp_path / "boundaries")
    monkeypatch.setitem(os.environ, "PLANMAP_DATA", str(tmp_path))
    return tmp_path


def test_moving_a_construction_line_is_one_command(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The next change re-anchors lines: moving the 百望山 cut 500 m north must move the north
    and south areas and every entry drawn as them, with nothing else to run."""
    path = data_copy / "boundaries" / "construction.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    cut = next(f for f in fc["features"] if f["properties"]["key"] == "beiqu-cut")
    cut["geometry"]["coordinates"] = [[x, y + 0.0045] for x, y in cut["geometry"]["coordinates"]]
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    before = load_gazetteer(DATA / "gazetteer")

    assert main(["data", "derive"]) == 0
    out = capsys.readouterr().out
    assert "re-copied" in out and "zhongguancunruanjiancheng" in out  # industrial-parks.geojson

    gaz = load_gazetteer(data_copy / "gazetteer")
    north, south = (gaz.get("zhongguancunkexuechengbeiqu").geometry,
                    gaz.get("zhongguancunkexuechengnanbudiqu").geometry)
    old_north = area_km2(before.get("zhongguancunkexuechengbeiqu").geometry)
    assert 2 < old_north - area_km2(north) < 20
    assert area_km2(north.intersection(south)) < 0.01
    assert abs(area_km2(north) + area_km2(south) - area_km2(gaz.get("haidianqu").geometry)) < 0.05
    assert f"{area_km2(north):.1f} km²" in gaz.get("zhongguancunkexuechengbeiqu").note
    assert gaz.get("zhongguancunruanjiancheng").geometry.equals(north)
    assert sync(data_copy / "gazetteer", write=False) == ([], [])
    assert main(["data", "derive", "--check"]) == 0
    assert main(["data", "check"]) == 0  # still within the published figures


# -- small definition files against the real extracts -----------------------------------------

def feature(pid: str, kind: str = "zone", **props: object) -> dict:
    return {"type": "Feature", "geometry": None, "properties": {
        "id": pid, "name": pid, "aliases": [], "kind": kind, "precision": "unlocated",
        "source": "test", "layer": "zones", "themes": ["test"], "note": "not drawn yet", **props}}


def small_data(root: Path, entries: str, files: dict[str, list[dict]] | None = None) -> Path:
    (root / "boundaries").mkdir(parents=True)
    for name in INPUTS:
        (root / "boundaries" / name).symlink_to(DATA / "boundaries" / name)
    (root / "boundaries" / "areas.toml").write_text(TEXTS + "\n" + entries, encoding="utf-8")
    (root / "gazetteer").mkdir()
    for stem, features in (files or {}).items():
        (root / "gazetteer" / f"{stem}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return root


def one_line_error(root: Path) -> str:
    with pytest.raises(DataError) as info:
        derive_files(root)
    message = info.value.message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("entry", "expected"), [
    ('kind = "polygon"', "unknown kind 'polygon'"),
    ('kind = "district"\ndistrict = "海淀区"\nseat = "温泉地区"', "'seat' is not used by kind"),
    ('kind = "cut"\ndistrict = "海淀区"\nline = "beiqu-cut"\nsource = "x"', "needs 'keep'"),
    ('kind = "district"\ndistrict = "海淀区"\nnote = "{area:.1f}"', "unknown placeholder {area}"),
    ('kind = "district"\ndistrict = "海淀区"\nnote = "{area_km2:.1q}"', "Unknown format code"),
    ('kind = "district"\ndistrict = "海淀区"\nsource = "{extract"', "source: expected '}'"),
    ('kind = "band"\nline = "x"\nnorth_m = -5\nsouth_m = 1\nclip = "海淀区"\nsource = "s"',
     "'north_m' must be a distance"),
    ('kind = "construction"\nconstruction = "cbd"\nprecision = "area-only"', "area-only"),
    ('kind = "construction"\nconstruction = "cbd"\nprecision = "exact"', "unknown precision"),
    ('kind = "line"\nparts = [{ construction = "qinghe-river" }]', "give 'clip'"),
    ('kind = "union"\nsource = "s"', "needs districts, townships or constructions"),
    ('kind = "cut"\ndistrict = "海淀区"\nline = "beiqu-cut"\nkeep = "north"\nsource = "s"',
     "'keep' must be one of"),
    ('kind = "district"\ndistrict = "海淀区"\ncreate = { name = "甲" }', "'create' must give"),
])
def test_a_bad_definition_is_refused_naming_the_entry(
    tmp_path: Path, entry: str, expected: str
) -> None:
    root = small_data(tmp_path, f'[zones.lab]\nname_en = "Lab"\n{entry}\n',
                      {"zones": [feature("lab")]})
    message = one_line_error(root)
    assert message.startswith("areas.toml: [zones.lab")
    assert expected in message


def test_texts_and_sections_are_checked(tmp_path: Path) -> None:
    broken = TEXTS.replace('area_only_source = "copy of the geometry of entry {drawn_as!r}"',
                           'area_only_source = "copy of {target}"')
    path = tmp_path / "areas.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DataError, match=r"\[texts\] area_only_source: unknown placeholder"):
        load_areas(path)
    path.write_text(TEXTS + '\n[zones.a]\nkind = "district"\ndistrict = "海淀区"\nname_en = "A"'
                    '\n[regions.a]\nkind = "district"\ndistrict = "海淀区"\nname_en = "A"\n',
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"\[regions.a\] is also defined in \[zones\]"):
        load_areas(path)
    path.write_text(TEXTS + '\n[derived.a]\nkind = "union"\nname = "甲"\nname_en = "A"\n'
                    'districts = ["海淀区"]\nsource = "s"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"'name_en' is not written to derived\.geojson"):
        load_areas(path)


@pytest.mark.parametrize(("entry", "expected"), [
    ('kind = "construction"\nconstruction = "no-such-line"', "no feature 'no-such-line' in "
     "construction.geojson"),
    ('kind = "district"\ndistrict = "海淀"', "no district '海淀'"),
    ('kind = "township"\nseat = "温泉镇"', "no seat '温泉镇'"),
    ('kind = "context"\nkey = "mars"', "no feature 'mars' in regions-context.geojson"),
    ('kind = "area-only"\ndrawn_as = "nowhere"', "drawn_as 'nowhere' is not a drawn entry"),
    ('kind = "rest"\ndistrict = "海淀区"\nminus = "lab"\nsource = "s"', "depends on itself"),
    ('kind = "construction"\nconstruction = "beiqu-cut"', "is a line: use kind 'line'"),
    ('kind = "line"\nparts = [{ entry = "nowhere" }]', "entry 'nowhere' has no geometry"),
    ('kind = "district"\ndistrict = "海淀区"\nsource = "{construction[nope]}"',
     "no feature 'nope' in construction.geojson"),
])
def test_a_definition_that_does_not_fit_the_inputs_is_refused(
    tmp_path: Path, entry: str, expected: str
) -> None:
    root = small_data(tmp_path, f'[zones.lab]\nname_en = "Lab"\n{entry}\n',
                      {"zones": [feature("lab")]})
    message = one_line_error(root)
    assert message.startswith("areas.toml: [zones.lab]"), message
    assert expected in message


def test_every_entry_of_a_written_file_needs_a_definition(tmp_path: Path) -> None:
    root = small_data(tmp_path, '[zones.lab]\nkind = "district"\ndistrict = "海淀区"\n'
                      'name_en = "Lab"\n', {"zones": [feature("lab"), feature("stray")]})
    assert "zones.geojson entry 'stray' has no definition" in one_line_error(root)
    root = small_data(tmp_path / "2", '[zones.lab]\nkind = "district"\ndistrict = "海淀区"\n'
                      'name_en = "Lab"\n', {"zones": []})
    assert "[zones.lab] is not in zones.geojson" in one_line_error(root)


def test_a_missing_entry_is_created_and_filled(tmp_path: Path) -> None:
    root = small_data(tmp_path, '[zones.core]\nkind = "district"\ndistrict = "海淀区"\n'
                      'name_en = "Core"\n'
                      '[zones.xiqu]\nkind = "construction"\nconstruction = "zgc-xiqu"\n'
                      'name_en = "West Area"\nparent = "core"\nnote = "{area_km2:.2f} km²"\n'
                      'create = { name = "中关村西区", pinyin = "zhong guan cun xi qu", '
                      'kind = "zone" }\n', {"zones": [feature("core")]})
    texts = derive_files(root)
    fc = json.loads(texts[Path("gazetteer/zones.geojson")])
    core, xiqu = fc["features"]
    assert core["properties"]["precision"] == "surveyed"
    assert core["properties"]["aliases"] == [] and core["properties"]["themes"] == ["test"]
    props = xiqu["properties"]
    assert (props["name"], props["pinyin"], props["kind"]) == ("中关村西区",
                                                                "zhong guan cun xi qu", "zone")
    assert props["layer"] == "zones" and props["parent"] == "core"
    assert props["precision"] == "schematic" and props["geometry_type"] == "polygon"
    assert props["source"].startswith("data/boundaries/construction.geojson#zgc-xiqu: placed")
    assert props["note"] == f"{area_km2(shape(xiqu['geometry'])):.2f} km²"


def test_lines_copy_the_drawn_entry_and_fall_back_to_construction(tmp_path: Path) -> None:
    road = json.loads((DATA / "gazetteer" / "roads.geojson").read_text(encoding="utf-8"))
    beiqinglu = next(f for f in road["features"] if f["properties"]["id"] == "beiqinglu")
    entries = ('[corridors.axis]\nkind = "line"\nname_en = "Axis"\nclip = "海淀区"\n'
               'parts = [{ entry = "beiqinglu", construction = "beiqinglu" }]\n'
               '[corridors.zone]\nkind = "area-only"\ndrawn_as = "sanshanwuyuan"\n'
               'name_en = "Zone"\n'
               '[corridors.zone.fallback]\nkind = "construction"\nconstruction = '
               '"sanshanwuyuan"\nclip = "海淀区"\nname_en = "Zone"\nnote = "{area_km2:.0f}"\n'
               '[derived.sanshanwuyuan]\nkind = "construction"\nname = "三山五园地区"\n'
               'construction = "sanshanwuyuan"\nclip = "海淀区"\nunless_entry = "sanshanwuyuan"\n')
    corridors = {"corridors": [feature("axis", "corridor"), feature("zone", "corridor")]}
    drawn = derive_files(small_data(tmp_path / "drawn", entries,
                                    {**corridors, "roads": [beiqinglu]}))
    axis, zone = json.loads(drawn[Path("gazetteer/corridors.geojson")])["features"]
    assert axis["geometry"] == beiqinglu["geometry"]
    assert axis["properties"]["source"].startswith("copy of entry 'beiqinglu' (roads.geojson")
    assert zone["properties"]["precision"] == "schematic"  # no 三山五园 entry: the fallback
    assert zone["properties"]["drawn_as"] is None
    assert json.loads(drawn[Path("boundaries/derived.geojson")])["features"][0]["geometry"] \
        == zone["geometry"]

    bare = derive_files(small_data(tmp_path / "bare", entries, corridors))
    axis = json.loads(bare[Path("gazetteer/corridors.geojson")])["features"][0]
    assert axis["properties"]["source"].startswith("data/boundaries/construction.geojson"
                                                   "#beiqinglu: ")
    assert shape(axis["geometry"]).geom_type in ("LineString", "MultiLineString")


def test_township_seats_are_checked_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "seats.tsv"
    header = "# comment\ncode\tname\tlat\tlon\tsource\n"
    path.write_text(header + "110108026\t温泉地区\t116.19\t40.04\tswapped\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"seats.tsv line 3: .*outside Beijing"):
        read_seats(path)
    path.write_text(header + "110108026\t温泉地区\t40.04\t116.19\t\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 3: needs a 9-digit code, a name and a source"):
        read_seats(path)
    seats = read_seats(DATA / "boundaries" / "haidian-township-points.tsv")
    assert len({s.name for s in seats}) == 29


def test_a_bad_definition_exits_1_and_a_bad_out_folder_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = small_data(tmp_path, '[zones.lab]\nkind = "nothing"\nname_en = "Lab"\n',
                      {"zones": [feature("lab")]})
    monkeypatch.setitem(os.environ, "PLANMAP_DATA", str(root))
    assert main(["data", "derive"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[zones.lab]" in err and "unknown kind" in err
    assert main(["data", "derive", "--out", str(root / "boundaries" / "areas.toml")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_write_files_replaces_only_what_changed(tmp_path: Path) -> None:
    texts = {Path("gazetteer/a.geojson"): "one\n", Path("boundaries/b.geojson"): "two\n"}
    assert write_files(texts, tmp_path) == list(texts)
    assert write_files(texts, tmp_path) == []
    texts[Path("gazetteer/a.geojson")] = "three\n"
    assert write_files(texts, tmp_path) == [Path("gazetteer/a.geojson")]
    assert (tmp_path / "gazetteer" / "a.geojson").read_text(encoding="utf-8") == "three\n"
    assert not [p for p in tmp_path.rglob(".*")]
