"""What a new document says about itself: title, issuer, date, kind, language.

These fill the upload form and the defaults of `planmap plans add`; the planner corrects them.
Each guess says where it came from, so a wrong one is easy to see. Sources, best first:

- title: the file's own title (Word's title property, the page's title, a PDF's Title) unless it
  is a tool's placeholder; else the lines set as the title (Title style, the largest type on the
  first page, the page's h1); else the first short line.
- date: a full date written in the text's last lines (the signature: 2024年3月15日, also
  二〇二四年三月十五日) or first lines (an issue date), else the file's own date.
- issuer: a line of the front matter or the signature naming a government body (…人民政府,
  …委员会, …局), the body a document number stands for (海政发〔2016〕40号: the district
  government), or a web page's "来源：" line or site name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from geo.importers.model import Imported

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|"
                   r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CN_DATE = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                      r"(?:([一二三四五六七八九十]{1,3})日)?")
_BODY = re.compile(r"^(中共)?[\u4e00-\u9fff]{2,30}(人民政府|人民政府办公室|委员会|办公室|"
                   r"管理委员会|区委|市委|局|厅|政府)$")
_SOURCE = re.compile(r"(?:来源|发布机构|发文机关)[:：]\s*([\u4e00-\u9fff]{2,30})")
# document numbers (发文字号) and the body each stands for
_DOC_NUMBERS = (("海政办发", "北京市海淀区人民政府办公室"), ("海政发", "北京市海淀区人民政府"),
                ("京政办发", "北京市人民政府办公厅"), ("京政发", "北京市人民政府"))
# issuers in English: the bodies that issue most of Haidian's plans
ISSUERS_EN = {
    "北京市海淀区人民政府": "Haidian District People's Government, Beijing",
    "海淀区人民政府": "Haidian District People's Government, Beijing",
    "北京市海淀区人民政府办公室": "General Office of the Haidian District People's Government",
    "中共北京市海淀区委": "CPC Haidian District Committee, Beijing",
    "北京市人民政府": "Beijing Municipal People's Government",
    "北京市人民政府办公厅": "General Office of the Beijing Municipal People's Government",
    "北京市规划和自然资源委员会": "Beijing Municipal Commission of Planning and Natural Resources",
    "中关村科技园区管理委员会": "Zhongguancun Science Park Administrative Committee",
}
KINDS_EN = {"plan": "Plan", "report": "Report", "article": "Article"}
_PLACEHOLDER_TITLE = re.compile(r"^(microsoft word|untitled|无标题|document|文档|新建)",
                                re.IGNORECASE)
_SITE_SUFFIX = re.compile(r"(门户网站|政府网站|网站|官网)$")


@dataclass
class Guess:
    title: str = ""
    issuer: str = ""
    date: str = ""
    kind: str = "plan"
    language: str = "zh-CN"
    found: dict[str, str] = field(default_factory=dict)  # field -> where it was read

    def as_dict(self) -> dict[str, object]:
        return {"title": self.title, "issuer": self.issuer, "date": self.date,
                "kind": self.kind, "language": self.language, "found": dict(self.found)}


def _cn_int(text: str) -> int:
    if all(c in _CN_DIGITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for c in text:
        if c == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _CN_DIGITS[c]
    return total + digit


def find_date(text: str) -> str | None:
    """The first date written in `text`, as YYYY-MM-DD (or YYYY-MM when the day is not given)."""
    candidates: list[tuple[int, tuple[int, int, int | None]]] = []
    for m in _DATE.finditer(text):
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        candidates.append((m.start(), (int(y), int(mo), int(d) if d else None)))
    for m in _CN_DATE.finditer(text):
        candidates.append((m.start(), (_cn_int(m.group(1)), _cn_int(m.group(2)),
                                       _cn_int(m.group(3)) if m.group(3) else None)))
    for _, (y, mo, d) in sorted(candidates):
        if 1949 <= y <= 2100 and 1 <= mo <= 12 and (d is None or 1 <= d <= 31):
            return f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")
    return None


def _issuer(lines: list[str], hints: dict[str, str]) -> tuple[str, str] | None:
    for where, chunk in (("signature", lines[-12:]), ("front matter", lines[:15])):
        for ln in reversed(chunk) if where == "signature" else chunk:
            s = ln.strip().replace(" ", "").replace("\u3000", "")
            if _BODY.match(s):
                return s, where
    head = "\n".join(lines[:20])
    for prefix, body in _DOC_NUMBERS:
        if re.search(prefix + r"[〔\[（(]\d{4}", head):
            return body, f"document number {prefix}〔…〕"
    m = _SOURCE.search(head)
    if m:
        return m.group(1), "source line"
    if hints.get("site"):
        return _SITE_SUFFIX.sub("", hints["site"]), "web site name"
    return None


def _title(imported: Imported, lines: list[str]) -> tuple[str, str] | None:
    hint = imported.hints.get("title", "")
    if hint:
        hint = re.split(r"\s*[_|｜]\s*", hint)[0].strip()
    if hint and not _PLACEHOLDER_TITLE.match(hint) and re.search(r"[\u4e00-\u9fff]", hint):
        return hint, "file properties" if imported.source != "html" else "page title"
    if imported.hints.get("title_text"):
        return imported.hints["title_text"], "title lines"
    for ln in lines[:10]:
        s = ln.strip()
        if 4 <= len(s) <= 60 and "。" not in s and not s.endswith("|"):
            return s, "first line"
    return None


def _kind(title: str) -> str:
    if "报告" in title:
        return "report"
    if re.search(r"规划|纲要|方案|计划|意见|办法|行动|实施|条例|通知", title):
        return "plan"
    return "article"


def guess(imported: Imported) -> Guess:
    lines = [ln for ln in imported.lines if ln.strip()]
    out = Guess()
    title = _title(imported, lines)
    if title:
        out.title, out.found["title"] = title
    issuer = _issuer(lines, imported.hints)
    if issuer:
        out.issuer, out.found["issuer"] = issuer
    for where, chunk in (("signature", lines[-8:]), ("front matter", lines[:12])):
        date = find_date("\n".join(chunk))
        if date:
            out.date, out.found["date"] = date, where
            break
    else:
        if imported.hints.get("file_date"):
            date = find_date(imported.hints["file_date"])
            if date:
                out.date, out.found["date"] = date, "file date"
    out.kind = _kind(out.title)
    text = imported.text[:20000]
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    letters = sum(1 for c in text if c.isalpha())
    out.language = "zh-CN" if letters == 0 or cjk / letters > 0.3 else "en"
    return out


def default_id(year: int | str, checksum: str, title: str) -> str:
    """A plan id for a new document: where, when, and the file's checksum (unique, ASCII)."""
    where = "haidian" if "海淀" in title else "plan"
    return f"{where}-{year}-{checksum[:6]}"


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def english_defaults(plan_id: str, kind: str, date: str, issuer: str) -> dict[str, str]:
    """English fields a planner did not give: a plain label with the id, and the issuer's
    English name when it is one of the usual bodies."""
    label = f"{KINDS_EN.get(kind, 'Document')} of {date or 'unknown date'} ({plan_id})"
    return {"title_en": label, "short_title_en": label,
            "issuer_en": ISSUERS_EN.get(issuer, "issuer not translated")}
