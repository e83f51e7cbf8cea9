"""New documents in: each format planmap reads (documents written by tests/plan_documents.py),
what the reader makes of them (outline from numbers, styles or font sizes; citations with pages
for PDFs), the metadata read from them, and the files it refuses in one line."""

from __future__ import annotations

import io
import zipfile

import pytest
from plan_documents import (
    DOCX_TITLE,
    GBK_LINES,
    GBK_TITLE,
    HTML_TITLE,
    PDF_TITLE,
    UNKNOWN_LAKE,
    UNKNOWN_ROAD,
    plan_docx,
    plan_gbk,
    plan_html,
    plan_pdf,
    scanned_pdf,
)

from geo.candidate_rules import load_candidate_rules
from geo.errors import BadRequest
from geo.finder import rules_for
from geo.gazetteer import default_gazetteer
from geo.importers import UnreadableDocument, detect_format, import_document
from geo.importers.encoding import decode_text
from geo.importers.metadata import find_date
from geo.importers.model import half_width
from geo.intake import outline, plan_meta, preview, read_upload
from geo.reader import read_plan


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {"pdf": plan_pdf(), "docx": plan_docx(), "html": plan_html(), "text": plan_gbk()}


def _doc(data: bytes, name: str):
    upload = read_upload(data, name)
    return upload, read_plan(plan_meta(upload, {}))


def _headings(nodes: list[dict], depth: int = 0) -> list[tuple[int, str]]:
    out = []
    for n in nodes:
        out.append((depth, n["heading"]))
        out += _headings(n["children"], depth + 1)
    return out


def test_pdf_outline_from_font_sizes_and_citations_with_pages(files) -> None:
    upload, doc = _doc(files["pdf"], "plan.pdf")
    assert upload.imported.source == "pdf" and upload.imported.pages == 2
    assert _headings(outline(doc)) == [
        (0, "(front matter)"), (0, "总体要求"), (1, "规划范围"), (1, "发展目标"),
        (0, "空间布局"), (1, "生态格局"), (1, "交通组织")]
    text = doc.text
    # running heads and page numbers are gone; the title is front matter, once
    assert "- 1 -" not in text and "- 2 -" not in text and text.count(PDF_TITLE) == 1
    # a paragraph wrapped over several lines is one paragraph
    scope = next(p for p in doc.paragraphs if p.text.startswith("本规划范围包括"))
    assert scope.text.endswith("主阵地。") and "\n" not in scope.text
    assert scope.citation == f"《{PDF_TITLE}》总体要求 规划范围 (第1页)"
    assert scope.citation_en.endswith(", p. 1")
    ecology = next(p for p in doc.paragraphs if UNKNOWN_LAKE in p.text)
    assert ecology.citation == f"《{PDF_TITLE}》空间布局 生态格局 (第2页)"
    assert all("页)" in p.citation for p in doc.paragraphs)


def test_pdf_paragraphs_run_over_page_breaks() -> None:
    data = plan_pdf(repeat=3)
    upload, doc = _doc(data, "long.pdf")
    assert upload.imported.pages and upload.imported.pages >= 4
    spans = upload.imported.layout.pages.values()
    assert any(first < last for first, last in spans), "no paragraph continues on a new page"
    crossing = next(p for p in doc.paragraphs if "–" in p.citation)
    first, last = upload.imported.layout.pages[crossing.line]
    assert f"(第{first}–{last}页)" in crossing.citation and last == first + 1
    assert f"pp. {first}–{last}" in crossing.citation_en


def test_docx_outline_from_heading_styles(files) -> None:
    upload, doc = _doc(files["docx"], "plan.docx")
    assert upload.imported.source == "docx"
    assert _headings(outline(doc)) == [
        (0, "(front matter)"), (0, "第一章 发展基础"), (1, "现状与问题"),
        (0, "第二章 重点任务"), (1, "完善交通网络"), (1, "提升公共服务"), (2, "表"),
        (0, "附件")]
    road = next(p for p in doc.paragraphs if UNKNOWN_ROAD in p.text)
    assert road.citation == f"《{DOCX_TITLE}》第二章 完善交通网络 (第{road.line}行)"
    cells = [p.text for p in doc.paragraphs if p.section_labels[-1:] == ("表",)]
    assert cells[:3] == ["指标", "现状", "2027年目标"] and "75%" in cells
    # the unnumbered Heading 1 closes the chapter: 附件 is its sibling, not a child
    assert doc.sections.children[-1].title == "附件"


def test_html_keeps_the_article_and_drops_the_site(files) -> None:
    upload, doc = _doc(files["html"], "plan.html")
    text = doc.text
    for chrome in ("首页", "政务公开", "版权所有", "网站地图", "分享到", "京ICP备", "当前位置"):
        assert chrome not in text, chrome
    assert _headings(outline(doc)) == [
        (0, "一、总体要求"), (1, "(一)指导思想"), (1, "(二)工作目标"),
        (0, "二、主要任务"), (1, "(一)老旧小区改造"), (1, "(二)公共空间提升")]
    renewal = next(p for p in doc.paragraphs if UNKNOWN_ROAD in p.text)
    assert renewal.citation.startswith(f"《{HTML_TITLE}》二、 (一)")
    assert upload.guess.title == HTML_TITLE and upload.guess.date == "2023-09-12"
    assert upload.guess.issuer == "北京市海淀区人民政府"


def test_gbk_text_read_line_for_line(files) -> None:
    upload, doc = _doc(files["text"], "plan-gbk.txt")
    assert upload.imported.encoding == "gb18030" and upload.imported.source == "text"
    assert doc.text.split("\n")[: len(GBK_LINES)] == [half_width(ln) for ln in GBK_LINES]
    assert "（" not in doc.text and "，" not in doc.text
    assert _headings(outline(doc)) == [
        (0, "(front matter)"), (0, "第一章 总则"), (1, "第一节 规划背景"), (2, "一、区位条件"),
        (2, "二、生态价值"), (3, "(1)水系"), (3, "(2)山林"), (1, "第二节 规划目标"),
        (0, "第二章 保护措施")]
    water = next(p for p in doc.paragraphs if UNKNOWN_LAKE in p.text)
    assert water.citation == f"《{GBK_TITLE}》第一章 第一节 二、 (1) (第9行)"
    assert water.citation_en.endswith("ch. 1, sec. 1, item 2, (1), line 9")


@pytest.mark.parametrize("kind", ["pdf", "docx", "html", "text"])
def test_metadata_read_from_each_format(files, kind: str) -> None:
    name = {"pdf": "a.pdf", "docx": "a.docx", "html": "a.html", "text": "a.txt"}[kind]
    upload = read_upload(files[kind], name)
    expected = {"pdf": (PDF_TITLE, "北京市海淀区人民政府", "2025-03-18"),
                "docx": (DOCX_TITLE, "北京市海淀区人民政府办公室", "2024-06-20"),
                "html": (HTML_TITLE, "北京市海淀区人民政府", "2023-09-12"),
                "text": (GBK_TITLE, "北京市海淀区规划和自然资源委员会", "2022-11")}[kind]
    g = upload.guess
    assert (g.title, g.issuer, g.date) == expected
    assert g.kind == "plan" and g.language == "zh-CN"
    assert set(g.found) == {"title", "issuer", "date"}
    defaults = upload.defaults()
    assert defaults["id"] == f"haidian-{expected[2][:4]}-{upload.checksum[:6]}"
    meta = plan_meta(upload, {"title_en": "A test plan"})
    assert meta.short_title == f"《{expected[0]}》" and meta.short_title_en == "A test plan"


@pytest.mark.parametrize("kind", ["pdf", "docx", "html", "text"])
def test_preview_finds_places_and_ranks_unknown_names(files, kind: str) -> None:
    name = {"pdf": "a.pdf", "docx": "a.docx", "html": "a.html", "text": "a.txt"}[kind]
    upload = read_upload(files[kind], name)
    gazetteer = default_gazetteer()
    shown = preview(upload, plan_meta(upload, {}), gazetteer, rules_for(gazetteer))
    assert shown["outline"] and shown["paragraphs"] >= 6
    assert shown["mentions"] >= 4
    found = {p["id"] for p in shown["places"]}
    assert {"beiqinglu", "zhongguancundajie", "wenquanzhen", "sanshanwuyuan"} & found
    unknown = [u["text"] for u in shown["unknown"]]
    assert UNKNOWN_ROAD in unknown or any(UNKNOWN_ROAD in u for u in unknown)
    # ranked by the one detector: a road or lake named once scores the rules file's likelihood
    # of its ending (路, 湖: 0.75), more when repeated or inside a known name
    first = shown["unknown"][0]
    assert first["score"] >= load_candidate_rules().endings["路"]
    assert first["contexts"][0]["citation"].startswith("《")


def test_scanned_pdf_is_refused_in_one_line() -> None:
    with pytest.raises(UnreadableDocument) as caught:
        import_document(scanned_pdf(), "scan.pdf")
    message = caught.value.message
    assert "no text layer: run OCR first" in message and "\n" not in message
    assert caught.value.http_status == 422


def test_other_unreadable_files_say_why() -> None:
    cases = {
        "empty.pdf": b"",
        "broken.pdf": b"%PDF-1.7\nthis is not a PDF",
        "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "slides.pptx": _zip({"ppt/presentation.xml": b"<p/>"}),
        "notes.txt": "正文\x00\x01".encode(),
    }
    for name, data in cases.items():
        with pytest.raises(BadRequest) as caught:
            import_document(data, name)
        assert caught.value.message.startswith(name) and "\n" not in caught.value.message


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_format_is_told_from_the_bytes_before_the_name(files) -> None:
    assert detect_format(files["pdf"], "misnamed.txt") == "pdf"
    assert detect_format(files["docx"], "report") == "docx"
    assert detect_format(files["html"], "page.txt") == "html"
    assert detect_format(files["text"], "plan.txt") == "text"


def test_text_encodings() -> None:
    text = "海淀区中关村科学城北区建设，推进上地。"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("gbk")) == (text, "gb18030")
    assert decode_text("海淀".encode("gbk")) == ("海淀", "gb18030")  # too short to guess
    assert decode_text(text.encode("utf-16")) == (text, "utf-16-le")
    traditional = "臺北市政府都市計畫委員會審議通過之計畫書。"
    assert decode_text(traditional.encode("big5")) == (traditional, "big5")
    with pytest.raises(BadRequest):
        decode_text(b"plan \x80\xff\x80 text")


def test_dates_in_chinese_and_arabic_numerals() -> None:
    assert find_date("北京市海淀区人民政府\n2025年3月18日") == "2025-03-18"
    assert find_date("二〇二四年十二月三十一日") == "2024-12-31"
    assert find_date("2023-09-12 09:30") == "2023-09-12"
    assert find_date("2022年11月") == "2022-11"
    assert find_date("（2021年—2035年）") is None
    assert find_date("1800年1月1日") is None
