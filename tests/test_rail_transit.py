"""Rail transit from OpenStreetMap: the stations and lines in the gazetteer, their ODbL credit
wherever they are shown, the roads drawn over them and the anchors that keep all of it in place."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.anchors import Anchor, check_anchors, load_anchors
from geo.crs import GK117, project
from geo.errors import DataError
from geo.finder import find_places
from geo.gazetteer import default_gazetteer, load_gazetteer
from geo.osm_rail import CREDIT, Extract, OsmRoute, OsmStation, build, romanise, station_name
from geo.paths import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
# The lines the plans name (and 昌平线, which 学院路 and 清河 lie on), by gazetteer id.
NAMED_LINES = ("ditie13haoxian", "16haoxian", "ditie17haoxian", "19haoxian",
               "youguidianchexijiaoxian", "6haoxian", "changpingxian")


def metres(a, b) -> float:
    return project(a, GK117).distance(project(b, GK117))


# ------------------------------------------------------------------ the data


def test_stations_and_lines_are_places_with_their_credit() -> None:
    gaz = default_gazetteer()
    stations = [p for p in gaz if p.kind == "station"]
    assert len(stations) > 250
    for p in stations:
        assert p.file.startswith("stations.geojson"), p.id
        assert (p.basis, p.error_m, p.precision) == ("osm-rail", 30, "approximate"), p.id
        assert p.attribution == CREDIT and p.licence == "ODbL-1.0", p.id
        assert p.geometry is not None and p.geometry.geom_type in ("Point", "MultiPoint")
    lines = [p for p in gaz if p.file.startswith("rail-transit.geojson")]
    assert {p.id for p in lines} >= set(NAMED_LINES)
    for p in lines:
        assert (p.kind, p.basis, p.precision, p.attribution) == ("rail", "osm-rail",
                                                                 "approximate", CREDIT)
        # drawn through its stations: every one within 50 m
        for sid in p.extra["stations"]:
            assert metres(p.geometry, gaz.get(sid).geometry) <= 50, (p.id, sid)
    # our own data carries no credit
    assert gaz.get("beiqinglu").attribution == ""


def test_line_16_runs_to_beianhe_and_13_to_xizhimen() -> None:
    gaz = default_gazetteer()
    line16 = gaz.get("16haoxian").geometry
    assert metres(line16.boundary.geoms[0], gaz.get("beianhezhan").geometry) < 1
    assert len(gaz.get("16haoxian").extra["stations"]) == 30
    line13 = gaz.get("ditie13haoxian").geometry
    assert metres(line13.boundary.geoms[0], gaz.get("xizhimenzhan").geometry) < 1


def test_beiqinglu_and_the_roads_over_lines_pass_their_stations() -> None:
    gaz = default_gazetteer()
    road = gaz.get("beiqinglu").geometry
    for sid in ("wenyangluzhan", "daoxianghuluzhan", "tundianzhan"):
        assert metres(road, gaz.get(sid).geometry) <= 100, sid
    for sid in ("qinghuadongluxikouzhan", "liudaokouzhan"):
        assert metres(gaz.get("qinghuadonglu").geometry, gaz.get(sid).geometry) <= 100, sid


def test_the_finder_and_the_search_find_stations() -> None:
    found = find_places("在西二旗站和西二旗地铁站之间，清河火车站以北")
    assert [(m.text, m.place_id) for m in found] == [
        ("西二旗站", "xierqizhan"), ("西二旗地铁站", "xierqizhan"), ("清河火车站", "qinghezhan")]
    from layers.store import default_store

    # the area 西二旗 first, then its station
    assert [r["id"] for r in default_store().search("西二旗")[:2]] == ["xierqi", "xierqizhan"]
    assert "xierqizhan" in [r["id"] for r in default_store().search("xierqi")[:2]]


def test_reference_errata_are_corrected_and_no_data_cites_the_old_values() -> None:
    rows = {r["name"]: r for r in csv.DictReader(
        (DATA / "reference" / "points.tsv").open(encoding="utf-8"), delimiter="\t")}
    assert (rows["北宫门站"]["lat"], rows["北宫门站"]["lon"]) == ("40.0011928", "116.2713671")
    assert (rows["西二旗站"]["lat"], rows["西二旗站"]["lon"]) == ("40.0517165", "116.3001813")
    old = re.compile(r"40\.002373|116\.277647|40\.053034|116\.306295")
    construction = DATA / "boundaries" / "construction.geojson"
    for path in [*(DATA / "gazetteer").glob("*.geojson"), construction]:
        assert not old.search(path.read_text(encoding="utf-8")), path.name


def test_anchors_hold() -> None:
    checks = check_anchors(default_gazetteer())
    assert len(checks) > 300
    assert [c for c in checks if not c.ok] == []


# ------------------------------------------------------------------ anchors as data


def _anchor_file(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "anchors"
    folder.mkdir(exist_ok=True)
    (folder / "a.tsv").write_text("place\tanchor\twithin_m\tnote\n" + body, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("body", "message"), [
    ("beiqinglu\twenyangluzhan\tfar\tx\n", r"a\.tsv row 1: 'within_m' must be a number"),
    ("beiqinglu\t\t10\tx\n", r"'place' and 'anchor' are required"),
    ("beiqinglu\twenyangluzhan\t-5\tx\n", r"between 0 and 50000"),
])
def test_a_bad_anchor_row_is_one_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_anchors(_anchor_file(tmp_path, body))


@pytest.mark.parametrize(("row", "message"), [
    (Anchor("nosuchplace", "wenyangluzhan", 10, "", "x row 1"), r"place 'nosuchplace' is not"),
    (Anchor("beiqinglu", "nosuchstation", 10, "", "x row 1"), r"anchor 'nosuchstation' is not"),
    (Anchor("beiqinglu", "point:nowhere", 10, "", "x row 1"), r"no reference point 'nowhere'"),
    (Anchor("beiqinglu", "stations", 10, "", "x row 1"), r"lists no 'stations'"),
])
def test_an_anchor_naming_nothing_is_one_line(row: Anchor, message: str) -> None:
    with pytest.raises(DataError, match=message):
        check_anchors(default_gazetteer(), [row], {})


def test_a_place_moved_away_from_its_anchor_fails_data_check(tmp_path: Path) -> None:
    folder = _anchor_file(tmp_path, "beiqinglu\tbeianhezhan\t100\tthe terminus\n"
                                    "beiqinglu\tpoint:西二旗站\t100\tnot on the road\n")
    checks = check_anchors(default_gazetteer(), load_anchors(folder))
    assert [c.ok for c in checks] == [True, False]
    assert checks[1].distance_m > 2000

    from geo.cli_data import data_report, render_text
    report = data_report(default_gazetteer(), [], checks)
    assert report["ok"] is False and report["anchors_failed"] == 1
    text = render_text(report)
    assert "FAR beiqinglu 北清路 → 西二旗站" in text
    assert "FAILED: 1 place(s) farther from an anchor than allowed" in text


def test_data_check_prints_error_bands_and_anchor_distances() -> None:
    out = subprocess.run([sys.executable, "-m", "webmap.cli", "data", "check"],
                         capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr
    assert "entries by expected error" in out.stdout
    assert "≤ 50 m" in out.stdout
    assert re.search(r"anchors: \d+ distances, 0 farther than allowed", out.stdout)
    assert "beiqinglu 北清路 (≤ 100 m): 北安河站 0 温阳路站 0" in out.stdout


# ------------------------------------------------------------------ credits


def test_a_file_credit_needs_a_known_licence(tmp_path: Path) -> None:
    src = json.loads((DATA / "gazetteer" / "roads.geojson").read_text(encoding="utf-8"))
    (tmp_path / "roads.geojson").write_text(json.dumps({**src, "attribution": "© someone"}),
                                            encoding="utf-8")
    with pytest.raises(DataError, match=r"roads\.geojson: attribution needs a known 'licence'"):
        load_gazetteer(tmp_path)
    (tmp_path / "roads.geojson").write_text(json.dumps({**src, "licence": "ODbL-1.0"}),
                                            encoding="utf-8")
    with pytest.raises(DataError, match=r"needs the 'attribution' text"):
        load_gazetteer(tmp_path)


def test_the_store_names_the_credits_of_the_data_in_use() -> None:
    from layers.store import default_store

    store = default_store()
    (credit,) = store.attributions()
    assert credit.text == CREDIT and credit.licence == "ODbL-1.0"
    assert set(credit.files) == {"stations.geojson", "rail-transit.geojson"}
    assert store.attributions(["beiqinglu", "yiheyuan"]) == []
    assert store.attributions(["16haoxian"])[0].files == ("rail-transit.geojson",)
    assert store.place_record("xierqizhan")["attribution"] == CREDIT


def test_exports_credit_openstreetmap(tmp_path: Path) -> None:
    from layers.export.run import export
    from layers.store import default_store

    store = default_store()
    export(store, ["transport"], "geojson", "wgs84", tmp_path / "t.geojson")
    doc = json.loads((tmp_path / "t.geojson").read_text(encoding="utf-8"))
    assert CREDIT in doc["attribution"] and CREDIT in doc["description"]
    export(store, ["transport"], "csv", "wgs84", tmp_path / "t.csv")
    assert CREDIT in (tmp_path / "t.csv.README.txt").read_text(encoding="utf-8")
    # a layer of our own data alone carries no credit
    export(store, ["nodes"], "geojson", "wgs84", tmp_path / "n.geojson")
    assert "attribution" not in json.loads((tmp_path / "n.geojson").read_text(encoding="utf-8"))


def test_figure_note_credits_openstreetmap_for_the_basemap_rail() -> None:
    from layers.figures import furniture
    from layers.figures.content import gather
    from layers.figures.spec import FigureSpec
    from layers.store import default_store

    content = gather(default_store(), FigureSpec(layers=("nodes",), lang="zh"))
    assert CREDIT in furniture.note(content, "zh")
    assert "Open data: " + CREDIT in furniture.note(content, "en")


def test_the_atlas_config_carries_the_credits() -> None:
    from webmap import create_app

    app = create_app({"DATABASE_URL": "none"})
    html = app.test_client().get("/").get_data(as_text=True)
    config = json.loads(html.split("window.Planmap.init(")[1].split(", ", 1)[1].rsplit(");", 1)[0])
    assert "© OpenStreetMap contributors, ODbL" in config["attributions"]


def test_the_basemap_labels_stations() -> None:
    from layers.store import default_store

    stations = [f for f in default_store().basemap_features() if f.role == "station"]
    assert len(stations) > 250
    assert all(f.label_at is not None for f in stations)


# ------------------------------------------------------------------ the import


def _extract() -> Extract:
    stations = {
        "r1": OsmStation("r1", "西二旗", 116.3001813, 40.0517165),
        "r2": OsmStation("r2", "西二旗", 116.3002813, 40.0517165),  # the other line's stop area
        "r3": OsmStation("r3", "上地", 116.3140843, 40.0317646),
        "r4": OsmStation("r4", "北京西站", 116.3147, 39.8947),
        "r9": OsmStation("r9", "天津", 117.2, 39.13),  # outside the districts
    }
    routes = {"r100": OsmRoute("r100", "地铁 13号线: 西二旗 -> 上地", ("r1", "r3"), "#F9E700"),
              "r101": OsmRoute("r101", "地铁 4号线/大兴线: 北京西站 -> 西二旗", ("r4", "r2"), "")}
    return Extract(stations, routes, "OpenStreetMap via test fixture")


def _data(tmp_path: Path, config: str) -> Path:
    data = tmp_path / "data"
    (data / "reference").mkdir(parents=True)
    (data / "boundaries").mkdir()
    (data / "gazetteer").mkdir()
    (data / "boundaries" / "beijing-districts.geojson").write_bytes(
        (DATA / "boundaries" / "beijing-districts.geojson").read_bytes())
    (data / "gazetteer" / "roads.geojson").write_bytes(
        (DATA / "gazetteer" / "roads.geojson").read_bytes())
    (data / "reference" / "osm-rail.toml").write_text(config, encoding="utf-8")
    return data


CONFIG = """
[import]
districts = ["海淀区", "丰台区"]
[[line]]
id = "line13"
name = "测试13号线"
name_en = "Test Line 13"
route = "r100"
prepend = ["r4"]
note = "a test."
"""


def test_the_import_writes_stations_and_lines_with_their_credit(tmp_path: Path) -> None:
    texts = build(_data(tmp_path, CONFIG), _extract())
    stations = json.loads(texts["stations.geojson"])
    lines = json.loads(texts["rail-transit.geojson"])
    assert stations["attribution"] == lines["attribution"] == CREDIT
    by_id = {f["properties"]["id"]: f for f in stations["features"]}
    assert set(by_id) == {"xierqizhan", "shangdizhan", "beijingxizhan"}  # not 天津
    xeq = by_id["xierqizhan"]
    assert xeq["geometry"]["type"] == "MultiPoint"  # two stop areas, both kept
    assert xeq["properties"]["name"] == "西二旗站"
    assert xeq["properties"]["aliases"] == ["西二旗地铁站"]
    assert xeq["properties"]["name_en"] == "Xi'erqi Station"
    assert xeq["properties"]["lines"] == ["13号线", "4号线"]
    (line,) = lines["features"]
    assert line["properties"]["stations"] == ["beijingxizhan", "xierqizhan", "shangdizhan"]
    assert line["geometry"]["coordinates"][0] == [116.3147, 39.8947]
    # the files load as gazetteer files
    (tmp_path / "out").mkdir()
    for name, text in texts.items():
        (tmp_path / "out" / name).write_text(text, encoding="utf-8")
    gaz = load_gazetteer(tmp_path / "out")
    assert gaz.get("line13").attribution == CREDIT
    # a rerun writes the same bytes
    assert build(tmp_path / "data", _extract()) == texts


def test_the_import_refuses_a_name_clash(tmp_path: Path) -> None:
    config = CONFIG + '\n[station."上地"]\nid = "shangdi-test"\nname = "北清路"\n'
    with pytest.raises(DataError, match=r"OSM station '上地' \(r3\): '北清路' already names "
                                        r"'beiqinglu'"):
        build(_data(tmp_path, config), _extract())
    with pytest.raises(DataError, match=r"unknown key\(s\) colour"):
        build(_data(tmp_path / "b", CONFIG + 'colour = "red"\n'), _extract())


def test_station_names() -> None:
    assert station_name("西二旗") == "西二旗站"
    assert station_name("北京西站") == "北京西站"
    assert romanise("朝阳") == "Chaoyang"
    assert romanise("西二旗") == "Xi'erqi"
