"""`planmap geocode`, `planmap places`, `planmap mentions` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.corpus import default_corpus
from geo.finder import find_places
from geo.gazetteer import KINDS, PRECISIONS, default_gazetteer
from webmap.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_geocode_one_name_is_a_feature(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "geocode", "北清路")
    assert status == 0
    feature = json.loads(out)
    assert feature["type"] == "Feature"
    assert feature["id"] == "beiqinglu"
    props = feature["properties"]
    assert set(props) == {"id", "name", "name_en", "kind", "precision", "source", "parent", "note"}
    assert props["name"] == "北清路" and props["kind"] == "road"
    place = default_gazetteer().get("beiqinglu")
    if place.geometry is None:
        assert feature["geometry"] is None and props["precision"] == "unlocated"
    else:
        assert feature["geometry"]["type"] in {"LineString", "MultiLineString"}


def test_geocode_several_names_keep_order_and_accept_alias_english_pinyin_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gaz = default_gazetteer()
    river = gaz.get("qinghe")
    asks = ["中关村软件园", "IC PARK", "清河[地区]", "zhongguancunkexuechengbeiqu", "北区"]
    expected = [
        "zhongguancunruanjianyuan",
        "zhongguancunjichengdianlushejiyuan",
        "qinghe-diqu",
        "zhongguancunkexuechengbeiqu",
        "zhongguancunkexuechengbeiqu",
    ]
    if river.name_en:
        asks.append(river.name_en.upper())
        expected.append("qinghe")
    if river.pinyin:
        asks.append(river.pinyin)  # 'qing he' is also the area's pinyin: the river wins
        expected.append("qinghe")
    status, out, _ = run(capsys, "geocode", *asks)
    assert status == 0
    fc = json.loads(out)
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == expected


@pytest.mark.parametrize("typed", ["beiqing", "Bei Qing", "北清", "beiqinglu"])
def test_geocode_finds_what_the_atlas_search_finds(
    capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    status, out, _ = run(capsys, "geocode", typed)
    assert status == 0
    assert json.loads(out)["id"] == "beiqinglu"


def test_geocode_unknown_name_names_nearest_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "geocode", "颐和圆", "颐和园")
    assert status == 1
    fc = json.loads(out)
    missing, found = fc["features"]
    assert missing["geometry"] is None
    assert "颐和园" in missing["properties"]["error"]
    assert "颐和园" in missing["properties"]["nearest"]
    assert found["id"] == "yiheyuan"

    status, out, _ = run(capsys, "geocode", "zzzzqqqq")
    assert status == 1
    assert "no place named 'zzzzqqqq'" in json.loads(out)["properties"]["error"]


def test_places_lists_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "places", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["count"] == len(default_gazetteer()) == len(data["places"])
    assert sum(data["by_kind"].values()) == data["count"]
    assert sum(data["by_precision"].values()) == data["count"]
    assert set(data["by_kind"]) <= set(KINDS)

    status, out, _ = run(capsys, "places", "--kind", "water", "--json")
    water = json.loads(out)
    assert status == 0 and water["places"]
    assert {p["kind"] for p in water["places"]} == {"water"}

    status, out, _ = run(capsys, "places", "--kind", "road")
    assert status == 0
    assert (
        "北清路" in out
        and f"road {len([p for p in default_gazetteer() if p.kind == 'road'])}" in out
    )


@pytest.mark.parametrize("bad", [["--kind", "lake"], ["--precision", "exact"]])
def test_places_unknown_filter_exits_2(capsys: pytest.CaptureFixture[str], bad: list[str]) -> None:
    status, out, err = run(capsys, "places", *bad)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "unknown" in err
    assert ("road" in err) if bad[0] == "--kind" else all(p in err for p in PRECISIONS)


def test_mentions_json_offsets_index_the_file_as_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # CRLF line ends and a BOM stay in the text: offsets count them as the file holds them.
    raw = "\ufeff加快中关村软件园建设。\r\n北区完善功能,统筹推进清河两岸综合整治。\n"
    path = tmp_path / "draft.txt"
    path.write_bytes(raw.encode("utf-8"))
    status, out, _ = run(capsys, "mentions", str(path), "--plan", "haidian-14th-fyp", "--json")
    assert status == 0
    rows = json.loads(out)
    assert [(r["text"], r["place_id"]) for r in rows] == [
        ("中关村软件园", "zhongguancunruanjianyuan"),
        ("北区", "zhongguancunkexuechengbeiqu"),
        ("清河", "qinghe"),
    ]
    for r in rows:
        assert raw[r["start"] : r["end"]] == r["text"]
        assert set(r) == {"start", "end", "text", "place_id", "name"}
    # without the plan, 北区 is no known place
    status, out, _ = run(capsys, "mentions", str(path), "--json")
    assert [r["text"] for r in json.loads(out)] == ["中关村软件园", "清河"]


def test_mentions_of_a_plan_file_match_the_finder(capsys: pytest.CaptureFixture[str]) -> None:
    meta = default_corpus().get("beijing-2019-three-cities-report")
    status, out, err = run(capsys, "mentions", str(meta.path), "--plan", meta.id)
    assert status == 0
    lines = out.strip().split("\n")
    expected = find_places(meta.text(), meta.id)
    assert len(lines) == len(expected) and f"{len(expected)} mentions" in err
    first = lines[0].split("\t")
    assert first[2] == expected[0].text and first[3] == expected[0].place_id


def test_mentions_unresolved(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    path.write_text("推动黑山扈路沿线城市更新,打通黑山扈路和闵庄路,完善北坞村周边。", "utf-8")
    status, out, _ = run(capsys, "mentions", str(path), "--unresolved", "--json")
    assert status == 0
    got = {c["text"]: c for c in json.loads(out)}
    assert set(got) == {"黑山扈路", "闵庄路", "北坞村"}
    assert got["黑山扈路"]["count"] == 2 and "黑山扈路" in got["黑山扈路"]["context"]
    status, out, _ = run(capsys, "mentions", str(path), "--unresolved")
    assert status == 0 and out.splitlines()[0].split()[:2] == ["2", "黑山扈路"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"\xff\xfe\x00a", [], "not UTF-8"),
        (None, [], "cannot read"),
        ("中关村".encode(), ["--plan", "no-such-plan"], "unknown plan id"),
    ],
)
def test_mentions_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: bytes | None,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / "in.txt"
    if content is not None:
        path.write_bytes(content)
    status, out, err = run(capsys, "mentions", str(path), *args)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_mentions_of_a_directory_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(capsys, "mentions", str(tmp_path))
    assert status == 2 and "directory" in err
