"""The place finder on the traps the plans set: one string naming several places, document
scope, stop strings, and the rules file checked on load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo.corpus import default_corpus
from geo.errors import DataError
from geo.finder import Mention, find_places, load_rules
from geo.gazetteer import default_gazetteer, load_gazetteer
from geo.paths import gazetteer_dir

P13 = "haidian-13th-innovation-core"
P14 = "haidian-14th-fyp"
P19 = "beijing-2019-three-cities-report"


def spans(text: str, plan_id: str | None = None) -> list[tuple[str, str]]:
    return [(m.text, m.place_id) for m in find_places(text, plan_id)]


def line(plan_id: str, number: int) -> str:
    return default_corpus().get(plan_id).text().split("\n")[number - 1]


def test_longest_name_wins() -> None:
    assert spans("依托中关村软件园、翠湖科技园云中心") == [
        ("中关村软件园", "zhongguancunruanjianyuan"),
        ("翠湖科技园云中心", "cuihuyunzhongxin"),
    ]
    assert spans("中关村软件园三期") == [("中关村软件园三期", "zhongguancunruanjianyuansanqi")]
    assert spans("加速公主坟、中关村等重点商圈") == [
        ("公主坟", "gongzhufen"),
        ("中关村", "zhongguancun"),
    ]


def test_offsets_index_the_text_given() -> None:
    for meta in default_corpus():
        text = meta.text()
        mentions = find_places(text, meta.id)
        assert mentions, meta.id
        last = 0
        for m in mentions:
            assert isinstance(m, Mention)
            assert text[m.start : m.end] == m.text
            assert m.start >= last  # in text order, never overlapping
            last = m.end
            assert m.how in {"name", "alias", "scoped-alias", "context-rule"}


def test_scoped_alias_bei_qu_only_in_its_plans() -> None:
    assert spans("充分发挥北区发展纵深", P14) == [("北区", "zhongguancunkexuechengbeiqu")]
    assert find_places("充分发挥北区发展纵深", P14)[0].how == "scoped-alias"
    assert spans("充分发挥北区发展纵深", P19) == []
    assert spans("充分发挥北区发展纵深") == []
    # 南北区域 is 'the north and south areas' in general, not 北区.
    assert spans("加强科学城南北区域联动发展", P14) == [("科学城", "zhongguancunkexuecheng")]


def test_east_and_west_area_mean_future_science_city_halves_in_2019_report() -> None:
    assert spans("东区公立学校二期中小学开工建设", P19) == [("东区", "weilaikexuechengdongqu")]
    assert spans("西区生命园、沙河高教园", P19) == [
        ("西区", "weilaikexuechengxiqu"),
        ("生命园", "zhongguancunshengmingkexueyuan"),
        ("沙河高教园", "shahegaojiaoyuan"),
    ]
    assert spans("东区公立学校", P14) == []
    # 东西区 names both halves at once: no single place.
    assert spans("加强东西区联动", P19) == []


def test_qinghe_river_area_station_and_node() -> None:
    assert "加快清河、西三旗等区域" in line(P13, 400)
    assert spans("加快清河、西三旗等区域", P13) == [("清河", "qinghe-diqu"), ("西三旗", "xisanqi")]
    assert spans("加快清河、西三旗等区域", P14) == [("清河", "qinghe-diqu"), ("西三旗", "xisanqi")]
    assert spans("修复清河、永定河引水渠三大水系", P13)[0] == ("清河", "qinghe")
    assert spans("修复清河、永定河引水渠三大水系", P14) == [
        ("清河", "qinghe"),
        ("永定河引水渠", "yongdingheyinshuiqu"),
    ]
    # 清河两岸 is the river even in the plan where 清河 alone is the area.
    both = find_places("统筹推进清河两岸综合整治提升", P13)
    assert [(m.text, m.place_id, m.how) for m in both] == [("清河", "qinghe", "context-rule")]
    assert spans("充分发挥清河站在服务冬奥", P14) == [("清河站", "qinghezhan")]
    assert spans("以清河火车站客运枢纽为依托", P14) == [("清河火车站客运枢纽", "qinghezhan")]
    node = spans("北下关创新节点、清河创新节点", P14)[-1]
    assert node == ("清河创新节点", "qinghechuangxinjiedian")
    assert spans("朱房和清河四街平房区改造", P14) == [
        ("朱房", "zhufang"),
        ("清河四街", "qinghesijie"),
    ]
    assert spans("四街清河古镇", P14) == [("四街清河古镇", "sijieqingheguzhen")]
    assert spans("推进清河社区卫生服务中心原址重建", P14) == [
        ("清河社区卫生服务中心", "qingheshequweishengfuwuzhongxin")
    ]


def test_zhongguancun_science_city_is_the_small_one_in_2016() -> None:
    text = "聚焦中关村科学城建设,打造万亿级产业集群"
    assert spans(text, P13) == [("中关村科学城", "zhongguancunkexuecheng-2016")]
    assert spans(text, P14) == [("中关村科学城", "zhongguancunkexuecheng")]
    assert spans(text) == [("中关村科学城", "zhongguancunkexuecheng")]
    # longer names keep their own places in 2016 too
    assert spans("中关村科学城北区", P13) == [("中关村科学城北区", "zhongguancunkexuechengbeiqu")]


def test_xueyuanlu_road_and_node() -> None:
    assert spans("研究学院路北延、上地西路北延", P14) == [
        ("学院路", "xueyuanlu"),
        ("上地西路", "shangdixilu"),
    ]
    # 学院路 the area (003 l.257) has no entry of its own yet: it is reported as the road.
    assert ("学院路", "xueyuanlu") in spans(line(P14, 257), P14)
    assert spans("以及学院路创新节点", P14) == [("学院路创新节点", "xueyuanluchuangxinjiedian")]


def test_shangzhuang_and_sujiatuo_are_wetlands_only_in_the_wetland_list() -> None:
    text = "以南沙河为轴线,沿岸新建西玉河、崔家窑、苏家坨、上庄4个核心湿地"
    expected = [
        ("南沙河", "nanshahe"),
        ("西玉河", "xiyuhe"),
        ("崔家窑", "cuijiayao"),
        ("苏家坨", "sujiatuo-shidi"),
        ("上庄", "shangzhuang-shidi"),
    ]
    assert spans(text, P14) == expected
    assert spans(text) == expected  # the context rule works in any text
    assert ("上庄", "shangzhuang-shidi") in spans(line(P14, 466), P14)
    assert spans("探索利用上庄镇的李家坟", P14)[0] == ("上庄镇", "shangzhuangzhen")
    assert spans("推动上庄路建设", P14) == [("上庄路", "shangzhuanglu")]
    assert spans("苏家坨中心医院项目建设", P14) == [("苏家坨中心医院", "sujiatuozhongxinyiyuan")]
    # outside the 14th plan's wetland list the bare strings are the towns (short forms of 上庄镇,
    # 苏家坨镇), also in the list's own words when it is written without the count
    assert spans("上庄发展") == [("上庄", "shangzhuangzhen")]
    assert spans("温泉、苏家坨、上庄、西北旺四镇") == [
        ("温泉", "wenquanzhen"), ("苏家坨", "sujiatuozhen"), ("上庄", "shangzhuangzhen"),
        ("西北旺", "xibeiwangzhen")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("持续办好中关村论坛,打造", []),
        (
            "高水平规划建设中关村论坛永久会址项目",
            [("中关村论坛永久会址", "zhongguancunluntanyongjiuhuizhi")],
        ),
        ("2022年北京冬奥会冬残奥会筹办", []),
        ("全力以赴做好北京2022年冬奥会和冬残奥会", []),
        ("打造高品质“农业中关村”。", []),
        ("打造“云上海教”名片", []),
        ("加大“掌上海淀”智能客户端推广", [("海淀", "haidianqu")]),
        (
            "加强与上海、粤港澳大湾区等",
            [("上海", "shanghai"), ("粤港澳大湾区", "yuegangaodawanqu")],
        ),
        ("聚焦“中知学”核心区域", [("中知学", "zhongzhixue")]),
        ("推动“城市客厅”等重点项目建设", [("城市客厅", "chengshiketing")]),
        ("成为最具国际影响力的城市客厅。", []),
    ],
)
def test_stop_strings(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text, P14) == expected


def test_every_rule_fires_in_the_corpus_or_on_its_example() -> None:
    """A stop string or context rule that never fires is dead weight or a typo; one written
    for other texts carries an example, on which it must do what it says."""
    rules = load_rules(gazetteer=default_gazetteer())
    texts = [m.text() for m in default_corpus()]
    for stop in rules.stops:
        if stop.example is None:
            assert any(stop.text in t for t in texts), stop.text
            continue
        start = stop.example.index(stop.text)
        end = start + len(stop.text)
        inside = [m for m in find_places(stop.example) if m.start < end and start < m.end]
        assert not inside, (stop.text, inside)
    for rule in rules.rules:
        if rule.example is None:
            assert any(rule.pattern.search(t) for t in texts), rule.pattern.pattern
        else:
            found = find_places(rule.example, (rule.plans or (None,))[0])
            assert rule.place_id in {m.place_id for m in found}, rule.pattern.pattern


def test_short_names_have_no_false_substrings_in_the_corpus() -> None:
    """Every one- and two-character name the finder reports was read by hand in context; these
    are the counts per document (see the rules file for the strings excluded)."""
    counts: dict[str, int] = {}
    for meta in default_corpus():
        for m in find_places(meta.text(), meta.id):
            if len(m.text) <= 2 and m.text not in {"海淀", "北京"}:
                counts[m.text] = counts.get(m.text, 0) + 1
    assert counts["上海"] == 3  # 003 l.292, l.642 and 004 l.15; not 云上海教 nor 掌上海淀
    assert counts["北区"] == 5  # 003 l.37 (2), l.348 (2), l.413; not 南北区域
    assert counts["西区"] == 1 and counts["东区"] == 1
    assert counts["清河"] == 3


def _write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "finder-rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[stop]]\ntext = "中关村论坛"\n', "say why"),
        ('[[stop]]\ntext = ""\nreason = "x"\n', "non-empty"),
        ('[[stop]]\ntext = "x"\nreason = "x"\ncolour = "red"\n', "unknown key"),
        ('[[context]]\npattern = "清河("\nplace = "qinghe"\nreason = "x"\n', "bad pattern"),
        ('[[context]]\npattern = "清河"\nplace = "nowhere"\nreason = "x"\n', "not in the gaz"),
        ('[[context]]\npattern = "a*"\nplace = "qinghe"\nreason = "x"\n', "empty string"),
        ('[[context]]\npattern = "清河"\nplace = "qinghe"\nreason = "x"\nplans = ["p9"]\n', "p9"),
        ('[[stops]]\ntext = "x"\n', "unknown table"),
        ('[[stop]]\ntext = "云上"\nreason = "x"\nexample = "掌上"\n', "does not contain"),
        ("[[context]]\npattern = '清河'\nplace = 'qinghe'\nreason = 'x'\nexample = '河'\n", "its"),
        ("[[stop]\n", "finder-rules.toml"),
    ],
)
def test_rules_are_validated_on_load(tmp_path: Path, toml: str, message: str) -> None:
    path = _write_rules(tmp_path, toml)
    with pytest.raises(DataError, match=r"finder-rules\.toml") as info:
        load_rules(path, default_gazetteer(), set(default_corpus().plans))
    assert message in info.value.message


def test_the_shipped_rules_load() -> None:
    rules = load_rules(gazetteer=default_gazetteer(), plan_ids=set(default_corpus().plans))
    assert len(rules.stops) >= 10 and len(rules.rules) >= 3


def test_another_gazetteer_is_used_and_cached_separately(tmp_path: Path) -> None:
    src = json.loads((gazetteer_dir() / "roads.geojson").read_text(encoding="utf-8"))
    features = [f for f in src["features"] if f["properties"]["id"] == "xueyuanlu"]
    features[0]["properties"]["aliases"] = ["学院路北延"]
    features[0]["properties"]["parent"] = None  # its parent is not in this small gazetteer
    features[0]["properties"]["drawn_as"] = None
    (tmp_path / "roads.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    small = load_gazetteer(tmp_path)
    assert spans("研究学院路北延、上地西路北延", None) == [
        ("学院路", "xueyuanlu"),
        ("上地西路", "shangdixilu"),
    ]
    mentions = find_places("研究学院路北延、上地西路北延", gazetteer=small)
    assert [(m.text, m.place_id, m.how) for m in mentions] == [("学院路北延", "xueyuanlu", "alias")]
    # the default gazetteer's matcher is untouched
    assert spans("上地西路")[0][1] == "shangdixilu"


def test_copy_of_gazetteer_directory_finds_the_same(tmp_path: Path) -> None:
    for path in gazetteer_dir().glob("*.geojson"):
        shutil.copy(path, tmp_path / path.name)
    copy = load_gazetteer(tmp_path)
    text = line(P14, 466)
    assert [(m.start, m.place_id) for m in find_places(text, P14, copy)] == [
        (m.start, m.place_id) for m in find_places(text, P14)
    ]
