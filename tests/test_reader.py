"""The plan reader against the five documents as they are, defects included.

Every count and title here was checked by reading the text files (line numbers as `sed -n 'Np'`
prints them); the facts come from reading the texts (docs/reader.md lists the defects).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from geo.corpus import default_corpus, load_corpus
from geo.errors import DataError, NotFound
from geo.reader import RESIDUE, PlanDoc, Section, cn_number, read_plan


@functools.cache
def plan_doc(plan_id: str) -> PlanDoc:
    """A plan of the default corpus, read once for this test module."""
    return read_plan(default_corpus().get(plan_id))

FYP = "haidian-14th-fyp"
CORE13 = "haidian-13th-innovation-core"
HONGQI = "hongqi-2024-world-leading-park"
CENTRE = "beijing-2025-innovation-centre"
REPORT = "beijing-2019-three-cities-report"
ALL = [FYP, CORE13, HONGQI, CENTRE, REPORT]


def kids(node: Section, kind: str) -> list[Section]:
    return [c for c in node.children if c.kind == kind]


def labels_at(doc: PlanDoc, line: int) -> tuple[str, ...]:
    return doc.paragraph(line).section_labels


# --- 003: the 14th five-year plan ----------------------------------------------------------------

CHAPTERS_003 = [
    (1, "开启现代化建设新征程", 9, 3),
    (2, "高标准服务国家和首都大局", 181, 4),
    (3, "加快建设国际科技创新中心核心区", 221, 6),
    (4, None, None, 6),
    (5, "加快构建高品质新型城市形态", 354, 4),
    (6, "全面推进城市治理现代化建设", 396, 5),
    (7, "全力打造高颜值生态环境", 449, 5),
    (8, None, None, 5),
    (9, "着力建设全国一流的文化强区", 562, 5),
    (10, "全面深化改革和扩大开放", 606, 3),
    (11, "健全规划实施保障措施", 645, 4),
]


def test_003_has_eleven_chapters_with_their_sections() -> None:
    doc = plan_doc(FYP)
    chapters = doc.chapters()
    got = [(c.number, c.name or None, c.line, len(kids(c, "section"))) for c in chapters]
    assert got == CHAPTERS_003
    assert [c.label for c in chapters][:4] == ["第一章", "第二章", "第三章", "第四章"]
    assert chapters[10].label == "第十一章"
    for c in chapters:
        numbers = [s.number for s in kids(c, "section")]
        assert numbers == list(range(1, len(numbers) + 1)), c.heading
    assert sum(len(kids(c, "section")) for c in chapters) == 50


def test_003_missing_headings_are_sections_known_by_position() -> None:
    doc = plan_doc(FYP)
    ch = {c.number: c for c in doc.chapters()}
    missing = [(depth, n) for depth, n in doc.sections.walk() if n.missing]
    where = [(n.label, n.first_line) for _, n in missing]
    assert where == [("第四章", 295), ("第一节", 296), ("第四节", 431), ("第五节", 485),
                     ("第八章", 492)]
    assert ch[4].heading == "第四章 (title missing in source)"
    assert ch[4].title is None and ch[4].line is None
    assert kids(ch[4], "section")[0].missing
    assert kids(ch[6], "section")[3].missing and kids(ch[7], "section")[4].missing
    # the paragraphs after each gap belong to the lost section, not the one before it
    assert labels_at(doc, 295) == ("第四章",)
    assert labels_at(doc, 296) == ("第四章", "第一节")
    assert labels_at(doc, 298) == ("第四章", "第一节", "一、")
    assert labels_at(doc, 431) == ("第六章", "第四节")
    assert labels_at(doc, 430) == ("第六章", "第三节", "四、")
    assert labels_at(doc, 485) == ("第七章", "第五节")
    assert labels_at(doc, 484) == ("第七章", "第四节", "三、")
    assert labels_at(doc, 492) == ("第八章",)
    assert labels_at(doc, 496) == ("第八章", "第一节", "一、")
    assert doc.paragraph(431).section_path[1] == "第四节 (title missing in source)"
    assert doc.warnings == []


def test_every_003_paragraph_has_a_chapter_and_section() -> None:
    doc = plan_doc(FYP)
    chapter_intros = {10, 182, 222, 295, 355, 397, 450, 492, 563, 607, 646}
    body = [p for p in doc.paragraphs if p.line >= 9]
    assert len(body) == len(doc.paragraphs) - 7  # 4 front-matter lines, 3 preface paragraphs
    for p in body:
        assert re.fullmatch(r"第[一二三四五六七八九十]+章", p.section_labels[0]), p.citation
        if p.line in chapter_intros:
            assert len(p.section_labels) == 1, p.citation
        else:
            assert re.fullmatch(r"第[一二三四五六]节", p.section_labels[1]), p.citation
    assert [p.line for p in doc.paragraphs if p.line < 9] == [1, 2, 3, 4, 6, 7, 8]
    assert labels_at(doc, 6) == ("序言",)
    assert labels_at(doc, 4) == ("(front matter)",)


def test_glued_headings_are_split_off() -> None:
    doc = plan_doc(FYP)
    p190 = doc.paragraph(190)
    assert p190.text.endswith("讲好中国故事、北京故事、海淀故事。")
    assert "第二节" not in p190.text
    assert p190.section_labels == ("第二章", "第一节", "三、")
    node = doc.section_at(190)
    assert node is not None and node.title == "第二节 着力提升三山五园首都功能"
    assert labels_at(doc, 191) == ("第二章", "第二节")

    p355 = doc.paragraph(355)
    assert p355.text.endswith("融合协调发展的新型城市形态。")
    assert p355.section_labels == ("第五章",)
    assert doc.section_at(355).title == "第一节 高质量推进分区规划实施"
    assert labels_at(doc, 356) == ("第五章", "第一节")
    heading_text = [doc.text[s.start:s.end] for s in doc.segments
                    if s.kind == "heading" and s.line in (190, 355)]
    assert heading_text == ["第二节 着力提升三山五园首都功能", "第一节 高质量推进分区规划实施"]


def test_003_indicator_table_and_boxes() -> None:
    doc = plan_doc(FYP)
    item4 = kids(kids(doc.chapters()[0], "section")[2], "item")[3]
    assert item4.title == "四、“十四五”发展目标"
    table = kids(item4, "table")[0]
    assert table.title == "“十四五”时期经济社会发展主要指标表" and table.line == 49
    cells = [p.line for p in table.paragraphs]
    assert cells[0] == 50 and cells[-1] == 180
    assert doc.paragraph(59).text == "312.6"
    assert doc.paragraph(64).text == "达到市 级要求"
    assert doc.line_kind(55) == "table rule" and doc.line_kind(70) == "table rule"
    assert doc.paragraph(58).citation == "《海淀区十四五规划纲要》第一章 第三节 四、 表 (第58行)"
    boxes = [n for _, n in doc.sections.walk() if n.kind == "box"]
    assert [(b.line, b.title) for b in boxes] == [
        (299, "专栏: 新一代信息技术产业重点领域"),
        (320, "专栏: 战略性新兴产业重点领域"),
    ]
    box = doc.paragraph(299)
    assert box.text.startswith("人工智能。") and box.text.endswith("打造网络安全创新集群。")
    assert box.citation == "《海淀区十四五规划纲要》第四章 第一节 一、 专栏 (第299行)"
    assert labels_at(doc, 301) == ("第四章", "第一节", "二、")


def test_003_lead_sentences_are_sub_sections_without_labels() -> None:
    doc = plan_doc(FYP)
    p = doc.paragraph(382)
    assert p.citation == "《海淀区十四五规划纲要》第五章 第三节 一、 (第382行)"
    assert p.section_path == ("第五章 加快构建高品质新型城市形态", "第三节 有序推进城市有机更新",
                              "一、分级分类实施城市更新行动", "统筹推进清河两岸综合整治提升")
    item = doc.section_at(379)
    assert [c.title for c in item.children] == [
        "建立市区、街镇多层级城市更新体系", "协同推进京张铁路遗址公园建设",
        "统筹推进清河两岸综合整治提升"]
    # l.41 introduces the goals; 42–48 are the seven lead-sentence goals
    goals = doc.section_at(40)
    assert [p.line for p in goals.paragraphs] == [41]
    assert [c.line for c in kids(goals, "lead")] == list(range(42, 49))


# --- 002: the 13th five-year innovation-core plan ------------------------------------------------


def test_002_numbered_levels() -> None:
    doc = plan_doc(CORE13)
    items = kids(doc.sections, "item")
    assert [i.title for i in items] == [
        "一、发展成就与面临形势", "二、总体思路、基本原则及发展目标",
        "三、主要任务", "四、保障措施"]
    assert [len(kids(i, "subitem")) for i in items] == [2, 3, 8, 4]
    tasks = kids(items[2], "subitem")
    assert [len(kids(s, "point")) for s in tasks] == [6, 5, 4, 5, 3, 3, 5, 3]
    six = kids(tasks[0], "point")[5]
    assert (six.label, six.line) == ("6、", 321)
    assert doc.paragraph(323).citation == (
        "《海淀区“十三五”科技创新中心核心区建设规划》三、 (一) 6、 (第323行)")
    # 1.–6. in (一) are numbered paragraphs: the heading is the paragraph's first sentence
    review = kids(items[0], "subitem")[0]
    points = kids(review, "point")
    assert [(p.line, p.inline) for p in points] == [(42 + 2 * k, True) for k in range(6)]
    assert points[0].title == "1.园区创新驱动发展迈上新台阶"
    assert labels_at(doc, 42) == ("一、", "(一)", "1.")
    # the closing judgement l.66 belongs to (二), not to its point 4.
    assert labels_at(doc, 66) == ("一、", "(二)")
    assert doc.warnings == []


def test_002_table_and_front_matter() -> None:
    doc = plan_doc(CORE13)
    goals = kids(kids(doc.sections, "item")[1], "subitem")[2]
    table = kids(goals, "table")[0]
    assert table.line == 104 and table.title.endswith("规划指标体系")
    assert len(table.paragraphs) == 93  # 5 header cells + 20 rows x 4 + 2 notes + 6 categories
    assert doc.paragraph(120).text == "国家级高新技术企业(家)"
    assert labels_at(doc, 120) == ("二、", "(三)", "表")
    front = kids(doc.sections, "front")[0]
    assert [p.line for p in front.paragraphs] == [1, 5, 7, 11, 23, 25]
    assert doc.line_kind(2) == "residue"  # 浏览数:2003
    assert doc.line_kind(558) == "blank"  # a no-break space
    # the sentence broken across l.414/416 stays two paragraphs and opens no lead section
    point = doc.section_at(412)
    assert [p.line for p in point.paragraphs] == [414, 416] and point.children == []


def test_002_lead_sentences() -> None:
    doc = plan_doc(CORE13)
    principles = doc.section_at(76)
    assert [c.title for c in principles.children] == ["创新引领", "人才为本", "强化协同",
                                                      "全球视野", "改革强基"]
    industries = doc.section_at(331)
    leads = kids(industries, "lead")
    assert [p.line for p in industries.paragraphs] == [333]
    assert leads[0].title == "加快发展智能制造,夯实高端实体经济"
    big_data = next(c for c in leads if c.line == 347)
    assert [p.line for p in big_data.paragraphs] == [347, 349]


# --- 000, 001, 004 -------------------------------------------------------------------------------


def test_000_lead_sentences() -> None:
    doc = plan_doc(HONGQI)
    items = kids(doc.sections, "item")
    assert [i.line for i in items] == [2, 7, 12, 18, 23, 28]
    assert [[c.title for c in i.children] for i in items[:2]] == [
        ["搭建高能级平台体系", "实施高水平攻关行动", "推动高效能成果转化"],
        ["做强塔尖", "壮大塔身", "夯实塔基"]]
    assert [len(kids(i, "lead")) for i in items] == [3, 3, 4, 3, 3, 3]
    # each part's first paragraph is its introduction, not a lead ("文化是重要支点" states)
    assert [i.paragraphs[0].line for i in items] == [3, 8, 13, 19, 24, 29]
    p = doc.paragraph(10)
    assert p.section_path == ("二、构建特色现代化产业体系", "壮大塔身")
    assert p.citation == "《因地制宜发展新质生产力 加快建设世界领先科技园区》二、 (第10行)"
    assert doc.paragraph(1).citation == "《因地制宜发展新质生产力 加快建设世界领先科技园区》(第1行)"
    assert kids(doc.sections, "back")[0].paragraphs[0].line == 33
    assert doc.line_kind(34) == "residue"  # 责任编辑:张少义


def test_001_structure() -> None:
    doc = plan_doc(CENTRE)
    assert doc.line_kind(1) == "residue"  # [ 打印 ]
    assert [p.line for p in kids(doc.sections, "front")[0].paragraphs] == [2, 3, 4]
    items = kids(doc.sections, "item")
    assert [i.number for i in items] == [1, 2, 3, 4, 5, 6]
    assert all(len(i.paragraphs) == 3 and i.children == [] for i in items)  # no sub-headings
    assert [p.line for p in doc.sections.paragraphs] == [5]
    assert kids(doc.sections, "back")[0].paragraphs[0].line == 30


def test_004_structure() -> None:
    doc = plan_doc(REPORT)
    items = kids(doc.sections, "item")
    assert [len(kids(i, "subitem")) for i in items] == [3, 4, 2, 1]
    subs = [s.label for i in items for s in kids(i, "subitem")]
    assert subs == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)"]
    assert doc.warnings == []  # numbered on across 一、…四、, not restarted
    ten = kids(items[3], "subitem")[0]
    assert [c.title[:3] for c in kids(ten, "lead")] == ["第一,", "第二,", "第三,", "第四,"]
    assert doc.paragraph(6).citation == "《“三城一区”审议意见研究处理情况的报告》一、 (二) (第6行)"


# --- every plan ----------------------------------------------------------------------------------


@pytest.mark.parametrize("plan_id", ALL)
def test_spans_tile_the_text(plan_id: str) -> None:
    doc = plan_doc(plan_id)
    text = doc.meta.text()
    assert "".join(text[s.start:s.end] for s in doc.segments) == text
    for a, b in zip(doc.segments, doc.segments[1:], strict=False):
        assert a.end == b.start
    for s in doc.segments:
        piece = text[s.start:s.end]
        if s.kind == "layout":
            assert set(piece) <= set(" \t\n\u3000\xa0|"), (s, piece)
        else:
            assert piece and piece == piece.strip(), s
    paragraphs = [s for s in doc.segments if s.kind == "paragraph"]
    assert [(s.start, s.end) for s in paragraphs] == [(p.start, p.end) for p in doc.paragraphs]
    for p in doc.paragraphs:
        assert p.text == text[p.start:p.end]
        assert p.line == text.count("\n", 0, p.start) + 1
        assert p.id == f"{plan_id}:{p.line}"
        assert p.citation.startswith(doc.meta.short_title) and p.citation.endswith(f"第{p.line}行)")
    tree_lines = sorted(p.line for p in doc.sections.all_paragraphs())
    assert tree_lines == [p.line for p in doc.paragraphs]


@pytest.mark.parametrize("plan_id", ALL)
def test_residue_is_not_a_paragraph(plan_id: str) -> None:
    doc = plan_doc(plan_id)
    junk = ("打印", "浏览数", "qrCode", "扫描查看手机版网站", "扫一扫在手机打开当前页", "责任编辑")
    for p in doc.paragraphs:
        assert not any(p.text.startswith(j) or p.text.startswith("[ " + j) for j in junk), p.id
    for s in doc.segments:
        if s.kind == "residue":
            assert any(rx.match(doc.text[s.start:s.end]) for rx in RESIDUE)
            with pytest.raises(NotFound, match="residue"):
                doc.paragraph(s.line)
    assert doc.warnings == []


def test_residue_lines_found() -> None:
    residue = {pid: [s.line for s in plan_doc(pid).segments if s.kind == "residue"] for pid in ALL}
    assert residue == {FYP: [668], CORE13: [2, 560, 561], HONGQI: [34], CENTRE: [1], REPORT: []}


def test_paragraph_lookup_errors() -> None:
    doc = plan_doc(FYP)
    with pytest.raises(NotFound, match="heading"):
        doc.paragraph(9)
    with pytest.raises(NotFound, match="no line 669"):
        doc.paragraph(669)
    with pytest.raises(NotFound, match="no line 0"):
        doc.paragraph(0)
    assert plan_doc(FYP) is doc
    with pytest.raises(NotFound):
        plan_doc("no-such-plan")


def test_counts_per_plan() -> None:
    counts = {pid: len(plan_doc(pid).paragraphs) for pid in ALL}
    assert counts == {FYP: 442, CORE13: 198, HONGQI: 27, CENTRE: 23, REPORT: 18}


def test_cn_number() -> None:
    assert [cn_number(s) for s in ("一", "十", "十一", "二十", "二十三", "一百")] == [
        1, 10, 11, 20, 23, 100]
    with pytest.raises(ValueError):
        cn_number("甲")


# --- repairs: with and without data --------------------------------------------------------------

SIXTH = """第一章 总则
第一节 目标
一、方向
总则第一段,说明方向。
二、路径
说明路径的段落。
一、新的一节的第一项
没有标题的一节里的第一段。
第二章 实施
实施的段落。
"""


def _sixth_plan(tmp_path: Path, repairs: str | None) -> PlanDoc:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "sixth.txt").write_text(SIXTH, encoding="utf-8")
    (plans / "plans.toml").write_text(
        '[[plan]]\nid = "sixth"\nfile = "sixth.txt"\ntitle = "第六个规划"\n'
        'short_title = "《第六个规划》"\nissuer = "某区"\ntitle_en = "The sixth plan"\n'
        'short_title_en = "Sixth Plan"\nissuer_en = "A district"\ndate = "2030"\nyear = 2030\n'
        'kind = "plan"\nlanguage = "zh-CN"\n',
        encoding="utf-8",
    )
    if repairs is not None:
        (plans / "repairs.toml").write_text(repairs, encoding="utf-8")
    return read_plan(load_corpus(plans).get("sixth"))


def test_restart_without_repair_data_still_gives_a_section(tmp_path: Path) -> None:
    doc = _sixth_plan(tmp_path, None)
    assert len(doc.warnings) == 1 and "第二节 missing" in doc.warnings[0]
    assert labels_at(doc, 8) == ("第一章", "第二节", "一、")
    assert doc.paragraph(8).section_path[1] == "第二节 (title missing in source)"
    assert doc.chapters()[1].title == "第二章 实施"


def test_repair_data_places_the_missing_heading(tmp_path: Path) -> None:
    doc = _sixth_plan(tmp_path, '[[missing]]\nplan = "sixth"\nline = 7\nheading = "第二节"\n')
    assert doc.warnings == []
    assert labels_at(doc, 6) == ("第一章", "第一节", "二、")
    assert labels_at(doc, 8) == ("第一章", "第二节", "一、")


def test_bad_repair_data_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a heading marker"):
        _sixth_plan(tmp_path, '[[missing]]\nplan = "sixth"\nline = 7\nheading = "第二段"\n')


def test_every_plan_in_the_corpus_reads() -> None:
    assert sorted(m.id for m in default_corpus()) == sorted(ALL)
