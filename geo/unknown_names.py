"""The names a plan uses that the gazetteer lacks, ranked for review by how likely they are places.

The candidates come from the unknown-name detector (`geo.candidates.find_candidates`); this module
adds what a reviewer needs to decide each one quickly: where it stands (the citation and the
sentence of every paragraph naming it), how many other plans use it, and a score. The score
reads the name itself: a name ending in a word that names a kind of place (路, 村, 湖, 公园 …)
is more likely a place than one ending in 中心 or 基地, which as often name an institution or a
programme; a prefix full of planning vocabulary (创新, 产业, 服务 …) makes it a phrase rather
than a name; a very long candidate is usually a phrase; a name used again, and in other plans,
is more likely a real place. Strings a reviewer dismissed (stop rules) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from geo.candidates import find_candidates
from geo.gazetteer import Gazetteer
from geo.reader import PlanDoc

# How strongly a final word says "this is a place"; anything else ending a candidate: 0.4.
SUFFIX_WEIGHT: dict[str, float] = {
    **dict.fromkeys(("路", "街", "大街", "胡同", "村", "镇", "河", "渠", "湖", "山", "桥", "寺",
                     "沟", "站", "湿地", "公园", "古镇", "岛", "塔", "闸", "泉", "峪", "庄"), 0.85),
    **dict.fromkeys(("园", "科技园", "产业园", "广场", "大厦", "小区", "片区", "地区", "港",
                     "谷"), 0.6),
    **dict.fromkeys(("中心", "基地", "节点"), 0.3),
}
# Words of planning prose: a candidate holding them is more often a phrase than a name.
PHRASE_WORDS: tuple[str, ...] = (
    "创新", "产业", "服务", "发展", "技术", "国际", "全球", "企业", "研发", "研究", "科创",
    "转化", "转移", "孵化", "示范", "高水平", "一流", "特色", "综合", "新型", "现代", "智能",
    "数字", "文化", "人才", "资本", "金融", "总部", "运营", "管理", "应用", "工程", "集群",
    "实践", "体系", "建设", "首都", "城市", "重点", "各类", "各个", "单位", "支援",
)
MAX_CONTEXTS = 5


@dataclass
class Context:
    """A paragraph naming the candidate: its line, citation and a snippet around the name."""

    line: int
    citation: str
    snippet: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "citation": self.citation, "snippet": self.snippet}


@dataclass
class UnknownName:
    text: str
    count: int
    score: float
    contexts: list[Context] = field(default_factory=list)
    other_plans: dict[str, int] = field(default_factory=dict)  # plan id -> occurrences

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "count": self.count, "score": round(self.score, 2),
                "contexts": [c.as_dict() for c in self.contexts],
                "other_plans": dict(self.other_plans)}


def place_likelihood(name: str, count: int = 1, other_plans: int = 0) -> float:
    """A score in 0–1: how likely `name` is a place rather than an institution or a phrase."""
    ending = max((s for s in SUFFIX_WEIGHT if name.endswith(s)), key=len, default="")
    score = SUFFIX_WEIGHT.get(ending, 0.4)
    stem = name[: len(name) - len(ending)] if ending else name
    phrase_hits = sum(1 for w in PHRASE_WORDS if w in stem)
    score *= 0.5 ** phrase_hits
    if len(name) > 8:
        score *= 0.7
    if re.search(r"[0-9A-Za-z]", stem) and not re.search(r"[\u4e00-\u9fff]{2}", stem):
        score *= 0.6
    score += min(0.1, 0.03 * (count - 1)) + min(0.1, 0.05 * other_plans)
    return min(1.0, score)


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def unknown_names(doc: PlanDoc, gazetteer: Gazetteer, dismissed: Iterable[str] = (),
                  others: Mapping[str, str] | None = None, limit: int = 200
                  ) -> list[UnknownName]:
    """The plan's candidate names, most likely places first (then most frequent). `others`
    maps other plans' ids to their text, to count where else each name is used."""
    skip = set(dismissed)
    out: list[UnknownName] = []
    for cand in find_candidates(doc.text, doc.plan_id, gazetteer):
        if cand.text in skip or any(s in cand.text for s in skip if len(s) >= 2):
            continue
        contexts = []
        for p in doc.paragraphs:
            k = p.text.find(cand.text)
            if k >= 0:
                contexts.append(Context(p.line, p.citation,
                                        _snippet(p.text, k, k + len(cand.text))))
                if len(contexts) >= MAX_CONTEXTS:
                    break
        elsewhere = {pid: n for pid, text in (others or {}).items()
                     if pid != doc.plan_id and (n := text.count(cand.text))}
        out.append(UnknownName(cand.text, cand.count,
                               place_likelihood(cand.text, cand.count, len(elsewhere)),
                               contexts, elsewhere))
    out.sort(key=lambda u: (-u.score, -u.count, u.text))
    return out[:limit]
