"""Documents written for the tests, one per format a planner brings: a PDF with a text layer
(fpdf2, with the Debian font fonts-wqy-microhei), a Word .docx (python-docx), a saved web page
with its site's menus and footer, a GBK text file, and a scanned PDF (only an image).

Each names places the gazetteer knows, and two names it does not (锦绣湖路, 云岫湖: made up for
the tests, so no vocabulary will ever hold them), with their own outline: the PDF by font size
only (no numbered headings), the .docx by heading styles, the web page by h2/h3 with numbers,
the text file by 第X章/第X节/一、/（1）.
"""

from __future__ import annotations

import io
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
UNKNOWN_ROAD = "锦绣湖路"
UNKNOWN_LAKE = "云岫湖"

PDF_TITLE = "海淀区北部生态科技绿心专项规划"
PDF_SECTIONS = [
    ("总体要求", [
        ("规划范围", [
            "本规划范围包括中关村科学城北区，涵盖上地信息产业基地、永丰产业基地和翠湖科技园，"
            "规划面积约一百平方公里，是海淀区建设世界领先科技园区的主阵地。",
            f"规划期限为二〇二五年至二〇三五年，重点沿北清路和{UNKNOWN_ROAD}布局创新节点，"
            "形成研发、转化、生产和生活服务相互支撑的空间格局。",
        ]),
        ("发展目标", [
            "到二〇三〇年，北清路创新走廊集聚一批高水平研发机构，永丰产业基地和翠湖科技园形成"
            "具有国际影响力的智能制造和生命健康产业集群，区域创新能力显著提升。",
        ]),
    ]),
    ("空间布局", [
        ("生态格局", [
            f"加强西山永定河文化带保护，推进{UNKNOWN_LAKE}和稻香湖湿地生态修复，建设连通翠湖、"
            "稻香湖和百望山的绿色廊道，让市民在家门口享受山水田园。",
            "推动三山五园地区整体保护，严格控制建设规模，优化公共空间，"
            "统筹文化遗产保护与城市更新。",
        ]),
        ("交通组织", [
            f"完善北清路、{UNKNOWN_ROAD}和上地十街的路网结构，提升轨道交通站点周边步行和自行车"
            "环境，推动职住平衡。",
        ]),
    ]),
]
PDF_SIGNATURE = ("北京市海淀区人民政府", "2025年3月18日")


def _pdf() -> object:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("wqy", fname=str(FONT), collection_font_number=0)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_margins(25, 25, 25)
    return pdf


class _Running:
    """Running head and page number on every page but the first, as printed plans have."""

    def __init__(self, pdf: object, head: str) -> None:
        self.pdf, self.head = pdf, head

    def __call__(self) -> None:
        pdf = self.pdf
        if pdf.page_no() > 1:  # type: ignore[attr-defined]
            pdf.set_y(10)  # type: ignore[attr-defined]
            pdf.set_font("wqy", size=9)  # type: ignore[attr-defined]
            pdf.cell(0, 6, self.head, align="C")  # type: ignore[attr-defined]
        pdf.set_y(-15)  # type: ignore[attr-defined]
        pdf.set_font("wqy", size=9)  # type: ignore[attr-defined]
        pdf.cell(0, 6, f"- {pdf.page_no()} -", align="C")  # type: ignore[attr-defined]


def plan_pdf(repeat: int = 1, pages: int | None = None) -> bytes:
    """The PDF plan: title in 22 pt, headings in 16 and 13 pt without numbers, body in 11 pt
    with first-line indents, a running head and page numbers. `repeat` runs the body that many
    times (numbered 第N轮 in the headings) to make a long plan; `pages` stops at that many."""
    pdf = _pdf()
    footer = _Running(pdf, PDF_TITLE)
    pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font("wqy", size=22)
    pdf.multi_cell(0, 12, PDF_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for round_no in range(1, repeat + 1):
        for k, (head, subs) in enumerate(PDF_SECTIONS):
            if k or round_no > 1:
                pdf.add_page()  # each part starts on a new page
            title = head if repeat == 1 else f"{head}（第{round_no}轮）"
            pdf.set_font("wqy", size=16)
            pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
            for sub, paragraphs in subs:
                pdf.set_font("wqy", size=13)
                pdf.multi_cell(0, 9, sub, new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("wqy", size=11)
                for text in paragraphs:
                    body = text * (8 if repeat > 1 else 1)
                    pdf.multi_cell(0, 7, "\u3000\u3000" + body, new_x="LMARGIN",
                                   new_y="NEXT")
            if pages is not None and pdf.page_no() >= pages:
                break
        if pages is not None and pdf.page_no() >= pages:
            break
    pdf.set_font("wqy", size=11)
    pdf.ln(8)
    for line in PDF_SIGNATURE:
        pdf.multi_cell(0, 7, line, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A scan's stand-in: a page holding only a picture of text-like bars, no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (800, 1100), 255)
    draw = ImageDraw.Draw(image)
    for row in range(60, 1000, 40):
        draw.rectangle((60, row, 740 - (row % 160), row + 14), fill=30)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=210)
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=210)
    return bytes(pdf.output())


DOCX_TITLE = "海淀区西北部创新发展行动方案"


def plan_docx() -> bytes:
    """The Word plan: a Title, Heading 1 chapters with 第X章, an unnumbered Heading 1 (附件),
    unnumbered Heading 2 sections, body paragraphs with 一、 items, and a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = DOCX_TITLE
    document.add_paragraph(DOCX_TITLE, style="Title")
    document.add_paragraph("北京市海淀区人民政府办公室")
    document.add_paragraph("2024年6月20日")
    document.add_heading("第一章 发展基础", level=1)
    document.add_heading("现状与问题", level=2)
    document.add_paragraph("西北部地区包括温泉镇、苏家坨镇和西北旺镇，中关村软件园和永丰产业基地"
                           "已形成一定规模，但公共服务和交通设施仍有短板。")
    document.add_paragraph("一、产业基础较好。中关村软件园集聚软件和信息服务企业，"
                           "翠湖科技园生命健康产业加快发展。")
    document.add_paragraph(f"二、生态本底优良。稻香湖、{UNKNOWN_LAKE}和百望山构成区域生态骨架。")
    document.add_heading("第二章 重点任务", level=1)
    document.add_heading("完善交通网络", level=2)
    document.add_paragraph(f"打通{UNKNOWN_ROAD}与北清路的连接，加密上地地区支路网，"
                           "提升西北旺地区轨道交通接驳水平。")
    document.add_heading("提升公共服务", level=2)
    document.add_paragraph("在温泉镇和苏家坨镇布局一批教育、医疗和文化设施，"
                           "推进三山五园地区文化资源活化利用。")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("指标", "现状", "2027年目标"), ("绿地率", "40%", "45%"),
                             ("轨道站点覆盖率", "60%", "75%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading("附件", level=1)
    document.add_paragraph("重点项目清单另行印发。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HTML_TITLE = "海淀区南部地区城市更新实施方案"
_HTML_PARAGRAPH = ("推动中关村大街沿线老旧楼宇更新，完善学院路地区公共服务配套，"
                   "提升海淀公园和玉渊潭周边慢行环境，打造开放共享的城市客厅。")


def plan_html() -> bytes:
    """A saved page of a government site: menus, breadcrumbs, a share bar and a footer around
    an article with h2 items (一、) and h3 sub-items ((一))."""
    body = "".join(
        f"<h2>{h2}</h2>" + "".join(
            f"<h3>{h3}</h3>" + f"<p>{text}</p>" * 2 for h3, text in subs)
        for h2, subs in (
            ("一、总体要求", [("（一）指导思想", _HTML_PARAGRAPH),
                              ("（二）工作目标", "到2027年，" + _HTML_PARAGRAPH)]),
            ("二、主要任务", [("（一）老旧小区改造", f"沿{UNKNOWN_ROAD}推进老旧小区综合整治，"
                                                   + _HTML_PARAGRAPH),
                              ("（二）公共空间提升", "结合北京大学和清华大学周边环境整治，"
                                                   + _HTML_PARAGRAPH)]),
        ))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{HTML_TITLE}_北京市海淀区人民政府网站</title>
<meta name="ArticleTitle" content="{HTML_TITLE}">
<meta name="PubDate" content="2023-09-12 09:30">
<meta name="ContentSource" content="北京市海淀区人民政府">
</head><body>
<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a>
| <a href="/hdjl/">互动交流</a> | <a href="/bs/">办事服务</a> | 无障碍浏览 | 长者模式</div>
<div class="nav"><ul><li><a href="/a">机构职能</a></li><li><a href="/b">政策文件</a></li>
<li><a href="/c">规划计划</a></li><li><a href="/d">统计信息</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt;
<a href="/zwgk/">政务公开</a> &gt; 规划计划</div>
<div class="article">
<h1>{HTML_TITLE}</h1>
<div class="info">发布时间：2023-09-12 来源：北京市海淀区人民政府 浏览次数：1024</div>
<div class="content">{body}
<p>北京市海淀区人民政府</p><p>2023年9月12日</p></div>
</div>
<div class="share">分享到：微信 微博 QQ空间 [打印本页] [关闭窗口]</div>
<div class="footer"><p>主办：北京市海淀区人民政府 版权所有 京ICP备05000001号</p>
<p>网站标识码：1101080001 京公网安备11010802000001号</p><a href="/map">网站地图</a>
<a href="/contact">联系我们</a></div></body></html>"""
    return page.encode("utf-8")


GBK_TITLE = "海淀区山前地区生态保护规划"
GBK_LINES = [
    GBK_TITLE,
    "北京市海淀区规划和自然资源委员会",
    "2022年11月",
    "第一章 总则",
    "第一节 规划背景",
    "一、区位条件",
    f"山前地区位于海淀区西北部，北至{UNKNOWN_ROAD}，南至颐和园，西至百望山，"
    "包括温泉镇和西北旺镇的部分地区。",
    "二、生态价值",
    f"（1）水系。{UNKNOWN_LAKE}、稻香湖和翠湖湿地构成区域水网。",
    "（2）山林",
    "百望山和凤凰岭山林茂密，是西山永定河文化带的重要组成部分。",
    "第二节 规划目标",
    "到2035年，山前地区生态空间得到系统保护，三山五园地区历史风貌得到整体展现。",
    "第二章 保护措施",
    f"沿{UNKNOWN_ROAD}和北清路建设生态廊道，严格控制上庄镇和苏家坨镇的建设规模。",
]


def plan_gbk() -> bytes:
    """The text plan, in GBK with CRLF line ends (as Notepad on a Chinese Windows saves it)."""
    return "\r\n".join(GBK_LINES).encode("gbk")


def write_all(folder: Path) -> dict[str, Path]:
    """Every test document as a file in `folder`: {format: path}."""
    files = {"pdf": ("plan.pdf", plan_pdf()), "docx": ("plan.docx", plan_docx()),
             "html": ("plan.html", plan_html()), "text": ("plan-gbk.txt", plan_gbk()),
             "scan": ("scan.pdf", scanned_pdf())}
    out = {}
    for key, (name, data) in files.items():
        path = folder / name
        path.write_bytes(data)
        out[key] = path
    return out
