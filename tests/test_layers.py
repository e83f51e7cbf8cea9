"""Layer definitions, the layer store and `planmap build`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from layers_fixtures import PLACES, fixture_store, make_data_dir
from shapely.geometry import shape

from geo.errors import BadRequest, DataError, NotFound
from geo.gazetteer import Gazetteer
from geo.search import fold
from layers.build import build
from layers.definitions import (
    check_references,
    load_definitions,
)
from layers.protocol import PlanStore
from layers.store import FEATURE_PROPERTIES, LayerStore, default_store
from layers.styles import feature_style

ROOT = Path(__file__).resolve().parent.parent
LAYERS_TOML = ROOT / "data" / "layers.toml"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("layers-data"))


@pytest.fixture(scope="module")
def store(data: Path) -> LayerStore:
    return fixture_store(data)


# ------------------------------------------------------------------ definitions


def _write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = LAYERS_TOML.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "layers.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "parks"\n', 'id = "parks"\ncolour = "#ff0000"\n',
         "'parks'): unknown field(s) colour"),
        ('kinds = ["industrial-park"]', 'kinds = ["factory"]', "'parks'): unknown kind 'factory'"),
        ('id = "parks"\ngroup = "thematic"\ntheme = "innovation"',
         'id = "parks"\ngroup = "thematic"\ntheme = "industry"', "'parks'): unknown theme"),
        ('color = "#c2410c"', 'color = "orange"', "'parks'): style color 'orange'"),
        ('color = "#c2410c"', 'color = "#c2410"', "is not a #rrggbb colour"),
        ('id = "nodes"', 'id = "parks"', "'parks'): duplicate id (also layer 2)"),
        ('defined_by = "haidian-14th-fyp:188"\n', "", "'yizhou-yilang'): defined_by must be"),
        ('themes = ["parks"]', 'themes = ["factories"]', "unknown place theme 'factories'"),
        ('fill_opacity = 0.25\nweight = 2\ndash_array = "5 4"',
         'fill_opacity = 1.5\nweight = 2\ndash_array = "5 4"', "fill_opacity 1.5"),
        ('id = "zones"', 'id = "plan-zones"', "reserved for per-plan layers"),
    ],
)
def test_definitions_refuse_bad_entries(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _write_variant(tmp_path, old, new)
    with pytest.raises(DataError) as err:
        load_definitions(path)
    assert message in err.value.message
    assert "layers.toml" in err.value.message


def test_definitions_cross_checked_against_gazetteer(tmp_path: Path, store: LayerStore) -> None:
    path = _write_variant(tmp_path, '"zhongzhixue", "cuihukejiyuan"', '"zhongzhixue", "nowhere"')
    defs = load_definitions(path)
    with pytest.raises(DataError, match="'guoji-rencai-shequ': 'nowhere' is not a gazetteer id"):
        check_references(defs, store.gazetteer, store.corpus)


def test_defined_by_must_be_a_paragraph(tmp_path: Path, store: LayerStore) -> None:
    path = _write_variant(tmp_path, "haidian-14th-fyp:188", "haidian-14th-fyp:99999")
    with pytest.raises(DataError, match="'yizhou-yilang': defined_by haidian-14th-fyp:99999"):
        LayerStore(store.corpus, store.gazetteer, load_definitions(path))


def test_real_definitions_load_with_required_layers() -> None:
    defs = load_definitions(LAYERS_TOML)
    ids = {layer.id for layer in defs.layers}
    assert {"zones", "parks", "nodes", "heritage", "ecology", "renewal", "transport", "services",
            "institutions", "regional"} <= ids
    structures = {layer.title["zh"] for layer in defs.layers if layer.group == "structure"}
    assert {"一轴一廊", "十字廊道", "三城一区", "一核两翼", "八个创新节点", "清河七大节点",
            "一轴四核多河渠", "一区两轴三循环", "三山五园", "两带", "国际人才社区"} <= structures


def test_dash_only_where_geometry_is_not_surveyed() -> None:
    parks = next(la for la in load_definitions(LAYERS_TOML).layers if la.id == "parks")
    assert feature_style(parks.style, "approximate")["dash_array"] == parks.style["dash_array"]
    assert feature_style(parks.style, "schematic")["dash_array"]
    assert feature_style(parks.style, "surveyed")["dash_array"] is None
    assert feature_style(parks.style, "surveyed")["color"] == parks.style["color"]


# ------------------------------------------------------------------ store


def test_layers_in_order_with_per_plan_layers(store: LayerStore) -> None:
    groups = [layer.group for layer in store.layers]
    assert groups == sorted(groups, key=["thematic", "structure", "plan"].index)
    plan_layers = [la.id for la in store.layers if la.group == "plan"]
    assert plan_layers == [f"plan-{p.id}" for p in store.corpus]
    with pytest.raises(NotFound):
        store.layer("no-such-layer")


def test_structure_layers_cite_their_defining_paragraph(store: LayerStore) -> None:
    layer = store.layer("bage-chuangxin-jiedian")
    assert layer.defined_by is not None
    assert layer.defined_by.startswith("《海淀区十四五规划纲要》")
    assert "第353行" in layer.defined_by
    # members come in the order the definition lists them
    assert store.member_ids("bage-chuangxin-jiedian") == [
        "yuyuantankejishangwujiedian", "qinghechuangxinjiedian"]


def test_feature_collection_contract(store: LayerStore) -> None:
    fc = store.feature_collection("plan-haidian-14th-fyp")
    assert fc["type"] == "FeatureCollection"
    assert fc["features"]
    for f in fc["features"]:
        assert f["id"] == f["properties"]["id"]
        assert list(f["properties"]) == list(FEATURE_PROPERTIES)
        assert f["geometry"] is not None
        assert "haidian-14th-fyp" in f["properties"]["plans"]
        shape(f["geometry"])  # valid GeoJSON geometry
    ids = [f["id"] for f in fc["features"]]
    assert set(ids) <= set(PLACES) | {p.id for p in store.gazetteer if p.geometry is not None}
    assert len(ids) == len(set(ids))


def test_passages_carry_citation_offsets_and_time_order(store: LayerStore) -> None:
    passages = store.place_record("qinghe")["passages"]
    assert passages
    keys = [(store.corpus.get(p["plan_id"]).date, p["line"]) for p in passages]
    assert keys == sorted(keys)
    for p in passages:
        assert set(p) == {"plan_id", "plan_title", "year", "date", "line", "section", "citation",
                          "citation_en", "text", "mentions"}
        assert f"第{p['line']}行" in p["citation"]
        assert p["citation_en"].endswith(f", line {p['line']}")
        for start, end in p["mentions"]:
            assert "清河" in p["text"][start:end]
        # the passage is the paragraph on the cited line
        meta = store.corpus.get(p["plan_id"])
        assert meta.text().splitlines()[p["line"] - 1].strip().endswith(p["text"].strip()[-20:])


def test_unlocated_places_stay_in_records_not_on_maps(store: LayerStore) -> None:
    unlocated = [p.id for p in store.gazetteer if p.geometry is None and p.id in
                 store.plan_places("haidian-14th-fyp")]
    assert unlocated, "the fixture leaves most places unlocated"
    pid = unlocated[0]
    record = store.place_record(pid)
    assert record["located"] is False and record["geometry"] is None
    assert record["passages"] and record["layers"] == []
    on_map = {f["id"] for la in store.layers for f in store.features(la.id)}
    assert pid not in on_map
    assert store.stats["unlocated"] == sum(1 for p in store.gazetteer if p.geometry is None)


def test_place_record_lists_layers_and_counts(store: LayerStore) -> None:
    record = store.place_record("beiqinglu")
    assert {"transport", "yizhou-yilang", "plan-haidian-14th-fyp"} <= set(record["layers"])
    # headings hold mentions too, but never more than the passages
    assert record["mention_count"] >= sum(len(p["mentions"]) for p in record["passages"]) > 0
    assert record["first_year"] == min(record["years"])
    assert record["last_year"] == max(record["years"])
    with pytest.raises(NotFound):
        store.place_record("atlantis")


def test_plan_places(store: LayerStore) -> None:
    places = store.plan_places("haidian-14th-fyp")
    assert "beiqinglu" in places and "qinghe" in places
    with pytest.raises(NotFound):
        store.plan_places("no-such-plan")


@pytest.mark.parametrize("q", ["beiqing", "北清", "Bei Qing", "BEIQINGLU", "北清路"])
def test_search_finds_beiqing_road(store: LayerStore, q: str) -> None:
    results = store.search(q)
    assert results[0]["id"] == "beiqinglu" or "beiqinglu" in [r["id"] for r in results[:3]]
    assert all(set(r) >= {"id", "name", "match", "mention_count", "located"} for r in results)


@pytest.mark.parametrize(("q", "pid"), [("qinghuadaxue", "qinghuadaxue"),
                                        ("ic park", "zhongguancunjichengdianlushejiyuan"),
                                        ("yiheyuan", "yiheyuan"), ("颐和园", "yiheyuan")])
def test_search_pinyin_aliases(store: LayerStore, q: str, pid: str) -> None:
    assert store.search(q)[0]["id"] == pid


def test_search_english_names(store: LayerStore) -> None:
    named = [p for p in store.gazetteer if p.name_en]
    assert named, "the gazetteer has English names"
    place = max(named, key=lambda p: len(p.name_en))
    assert place.id in [r["id"] for r in store.search(place.name_en.upper(), limit=50)]


def test_search_ranks_exact_before_prefix_before_substring(store: LayerStore) -> None:
    results = store.search("清河", limit=50)
    ranks = [("exact", "prefix", "substring").index(r["match"]) for r in results]
    assert ranks == sorted(ranks)
    assert results[0]["match"] == "exact"
    within = [r["mention_count"] for r in results if r["match"] == "prefix"]
    assert within == sorted(within, reverse=True)
    assert store.search("清河", limit=2) == results[:2]
    with pytest.raises(BadRequest):
        store.search("  ")


def test_fold() -> None:
    assert fold("Bei Qing-Lu") == "beiqinglu"
    assert fold("ＩＣ ＰＡＲＫ") == "icpark"


def test_store_implements_the_contract(store: LayerStore) -> None:
    assert isinstance(store, PlanStore)
    assert [m.id for m in store.plans()] == [m.id for m in store.corpus]
    assert store.plan("haidian-14th-fyp").year == 2021
    with pytest.raises(NotFound):
        store.plan("no-such-plan")
    assert store.theme_title("innovation", "en") == store.definitions.themes["innovation"]["en"]
    assert store.theme_title("no-such-theme", "zh") == "no-such-theme"
    kinds = {f.role for f in store.basemap_features()}
    assert store.basemap_features() is store.basemap_features()  # kept on the instance
    assert {"district", "haidian"} <= kinds


def test_plan_document_is_the_one_finder_pass(store: LayerStore) -> None:
    """The plan page's paragraphs and mention spans come from the same pass as the passages."""
    doc = store.plan_document("haidian-14th-fyp")
    assert doc.meta.id == "haidian-14th-fyp"
    assert [p.line for p in doc.paragraphs] == sorted(p.line for p in doc.paragraphs)
    assert doc.outline and doc.outline[0].depth == 0
    spans = {(p.line, m.place_id) for p in doc.paragraphs for m in p.mentions}
    for p in doc.paragraphs:
        assert "".join(piece for piece, _ in p.segments()) == p.text
        for m in p.mentions:
            assert p.text[m.start:m.end]
    for pid in ("qinghe", "beiqinglu"):
        lines = {x["line"] for x in store.place_record(pid)["passages"]
                 if x["plan_id"] == "haidian-14th-fyp"}
        assert lines and lines == {line for line, q in spans if q == pid}
    with pytest.raises(NotFound):
        store.plan_document("no-such-plan")


def test_version_is_a_content_hash(data: Path, store: LayerStore, tmp_path: Path) -> None:
    again = fixture_store(data)
    assert again.version == store.version and len(store.version) == 20
    assert default_store().version != store.version
    places = [p if p.id != "beiqinglu" else replace(p, name="北清路(改)")
              for p in store.gazetteer]
    changed = LayerStore(store.corpus, Gazetteer(places), store.definitions)
    assert changed.version != store.version


def test_store_from_a_data_directory(data: Path, store: LayerStore) -> None:
    """Everything from one directory, the basemap included: this copy has no boundaries/, so
    the basemap is the gazetteer's located lines and the content hash differs."""
    own = LayerStore.from_directory(data)
    assert own.layer_ids() == store.layer_ids()
    assert own.place_record("beiqinglu") == store.place_record("beiqinglu")
    assert {f.role for f in own.basemap_features()} <= {"water", "rail", "road"}
    assert "haidian" in {f.role for f in store.basemap_features()}
    assert own.version != store.version


def test_search_keywords_carry_aliases_and_pinyin(store: LayerStore) -> None:
    words = store.search_keywords("beiqinglu")
    assert "beiqinglu" in words  # derived from 北清路 when the gazetteer gives no pinyin
    place = store.gazetteer.get("zhongguancunkexuechengbeiqu")
    assert {a.text for a in place.aliases} <= set(store.search_keywords(place.id))
    with pytest.raises(NotFound):
        store.search_keywords("atlantis")


def test_defaults_follow_planmap_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`PLANMAP_DATA` is read at call time, and the cached defaults are kept per directory."""
    from geo.corpus import default_corpus
    from geo.gazetteer import default_gazetteer

    real = default_corpus()
    other = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "plans", other / "plans")
    shutil.copytree(ROOT / "data" / "gazetteer", other / "gazetteer")
    toml = other / "plans" / "plans.toml"
    text = toml.read_text(encoding="utf-8")
    head, first, *_ = text.split("\n[[plan]]\n")
    toml.write_text(f"{head}\n[[plan]]\n{first}", "utf-8")  # the first plan only
    monkeypatch.setenv("PLANMAP_DATA", str(other))
    one = default_corpus()
    assert [m.id for m in one] == ["hongqi-2024-world-leading-park"]
    assert default_corpus() is one
    with pytest.raises(DataError, match="unknown plan"):
        default_gazetteer()  # checked against this directory's one plan
    monkeypatch.delenv("PLANMAP_DATA")
    assert default_corpus() is real


# ------------------------------------------------------------------ real data


def test_every_real_layer_builds() -> None:
    """The checked-in data: every layer yields a valid collection, whatever is located yet."""
    real = default_store()
    assert len(real.layers) >= 12 + 11 + len(real.corpus)
    for layer in real.layers:
        fc = real.feature_collection(layer.id)
        for f in fc["features"]:
            assert shape(f["geometry"]).is_valid
            assert list(f["properties"]) == list(FEATURE_PROPERTIES)
        if layer.group == "structure":
            assert layer.defined_by and "行)" in layer.defined_by
    assert real.stats["mentions"] > 1000
    assert real.stats["located"] + real.stats["unlocated"] == len(real.gazetteer)


# ------------------------------------------------------------------ build


def _planmap(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webmap.cli", *args], capture_output=True, text=True, env=env,
        cwd=ROOT, timeout=120,
    )


def test_build_writes_layers_and_reuses_unchanged_output(data: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PLANMAP_DATA": str(data), "PLANMAP_BUILD": str(tmp_path / "b")}
    out = tmp_path / "layers"
    first = _planmap(["build", "--out", str(out)], env)
    assert first.returncode == 0, first.stderr
    assert "build: reading plans" in first.stderr  # a progress line per stage
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["layers"]:
        fc = json.loads((out / entry["file"]).read_text(encoding="utf-8"))
        assert len(fc["features"]) == entry["features"]
    parks = json.loads((out / "parks.geojson").read_text(encoding="utf-8"))
    assert "zhongguancunruanjianyuan" in {f["id"] for f in parks["features"]}
    places = json.loads((out / "places.json").read_text(encoding="utf-8"))
    assert places["beiqinglu"]["name"] == "北清路"
    assert manifest["stats"]["unlocated"] > 0
    stamp = (out / "manifest.json").stat().st_mtime_ns

    second = _planmap(["build", "--out", str(out), "--quiet"], env)
    assert second.returncode == 0 and second.stderr == "" and second.stdout == ""
    assert (out / "manifest.json").stat().st_mtime_ns == stamp



def test_build_notices_changed_inputs(data: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANMAP_DATA", str(data))
    out = tmp_path / "layers"
    lines: list[str] = []
    first = build(out, progress=lines.append, store_factory=lambda: fixture_store(data))
    assert not first.reused and any("unlocated kept out of map layers" in x for x in lines)
    again = build(out, store_factory=lambda: fixture_store(data))
    assert again.reused
    toml = data / "layers.toml"
    original = toml.read_text(encoding="utf-8")
    try:
        toml.write_text(original.replace("产业园区", "产业园区(改)", 1), encoding="utf-8")
        third = build(out, store_factory=lambda: fixture_store(data))
        assert not third.reused
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert any(entry["title"]["zh"] == "产业园区(改)" for entry in manifest["layers"])
    finally:
        toml.write_text(original, encoding="utf-8")


def test_build_refuses_a_file_as_out_dir(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    from webmap.cli import main

    assert main(["build", "--out", str(target), "--quiet"]) == 2
