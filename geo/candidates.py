"""Candidate place names a text uses that the gazetteer lacks.

A new document will name roads, villages and parks nobody has entered yet. Chinese place names
mostly end in a small set of generic words (路, 村, 镇, 科技园, 中心 …), so a cheap heuristic
finds most of them: take the run of Chinese characters before such a suffix, cut it after the
last verb or function word (推进, 建设, 和, 的 …) and after a town or district it is qualified by
(温泉镇温阳路 → 温阳路), and drop generic phrases (服务中心, 园区). The result is a list for a
planner to review and add to the gazetteer, not a finding: it is noisy by design, with counts
and a snippet so the real names stand out.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.finder import find_places
from geo.gazetteer import Gazetteer, default_gazetteer


# Longest first: 科技园 must be tried before 园.
def _words(text: str) -> list[str]:
    """Word lists are written as one spaced string: easier to read and edit than quoted items."""
    return text.split()


SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        _words(
            "产业园 科技园 中心 公园 古镇 地区 基地 大厦 大街 小区 广场 湿地 片区 节点 园 寺 山 "
            "村 桥 沟 河 渠 湖 站 街 路 镇"
        ),
        key=len,
        reverse=True,
    )
)

# Where a name cannot continue backwards: verbs and function words of planning prose.
BREAKS: tuple[str, ...] = tuple(
    _words(
        "推进 推动 建设 加快 打造 依托 聚焦 围绕 支持 引导 鼓励 完善 提升 优化 实施 开展 形成 "
        "构建 发展 启动 利用 结合 整治 恢复 改造 串联 联动 沿线 周边 以北 以南 以东 以西 之间 "
        "打通 建成 新建 规划 加强 重点 一批 若干 各类 相关 改善 和 与 及 或 的 在 向 以 对 将 "
        "为 等 是 了 从 到 由 把 于 沿 至 经 同 并 其 办好 做好 保障 控制 织补 更新 强化 突出 "
        "承载 设立 支撑 进一步 增强 激发 统筹 落实 拓展 扎根 探索 获批 获评 编制 组建 释放 集中 "
        "始终 要 占 达 进入 全国 首批 首家 全市 全区 国内 其它 其他 对口 加大 市级 区级 国家级 "
        "示范 服务 保护 修复 连通 贯通"
    )
)

# The suffix's last character starting another word: 路径, 街区, 园区 are not name endings.
NOT_AN_END: frozenset[str] = frozenset(
    _words(
        "区域 园区 园林 地区 山区 山林 山水 心区 村庄 村民 村级 村镇 桥梁 河渠 河湖 河道 河长 "
        "渠道 湖草 站点 街乡 街区 街巷 街道 街镇 路子 路径 路线 路网 路面 镇域 镇级"
    )
)
# A town or district a name is qualified by ends the qualifier: 苏家坨镇前沙涧村 → 前沙涧村.
QUALIFIER_ENDS = ("镇", "乡", "区")

# Places whose name before another name only says where it is (温泉镇温阳路). Not subdistricts:
# their names are the first part of street names (上地十街).
QUALIFIER_KINDS = frozenset({"district", "town"})

# Phrases that end in a suffix but name a kind of thing, not one place.
GENERIC: frozenset[str] = frozenset(
    _words(
        "一带一路 专业园区 中心 主题公园 之路 乐园 乡村 乡镇 交易中心 产业园 产业园区 保留村 "
        "全国科技创新中心 公园 公路 养老服务驿站 养老驿站 出路 创新中心 创新节点 "
        "北京国际科技创新中心 卫生服务中心 卫生服务站 口袋公园 古村 古镇 周边地区 四个中心 园区 "
        "园林 国际交往中心 国际科技创新中心 地区 城中村 城区 城市公园 城镇 基地 大厦 孵化中心 "
        "家园 小区 小镇 山水 山水林田湖 幼儿园 广场 思路 指挥中心 政治中心 数据中心 文化中心 "
        "新型城镇 新路 服务中心 村庄 村镇 果园 枢纽站 校园 核心湿地 森林公园 楼宇 江河 河湖 "
        "河道 活动中心 湖泊 湿地公园 片区 特色园区 特色小镇 生态湿地 田园 研发中心 示范园 "
        "示范村 社区 社区卫生服务中心 科技公园 科技创新中心 科技园 线路 绿水青山 美丽乡村 "
        "老旧小区 节点 花园 融媒体中心 行政村 运营中心 道路 重点地区 重要节点 金山银山 铁路 "
        "集成电路 马路"
    )
)

_RUN = re.compile(r"[\u3400-\u9fffA-Za-z0-9]+")


@dataclass
class Candidate:
    text: str
    count: int = 0
    contexts: list[str] = field(default_factory=list)
    first: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "count": self.count, "context": self.contexts[0]}


_BREAK_RE = re.compile(
    "(?=(" + "|".join(map(re.escape, sorted(BREAKS, key=len, reverse=True))) + "))")


def _cut(prefix: str, whole: bool) -> str | None:
    """The tail of `prefix` after its last break word or qualifier; None when the window
    (`whole` False: it was shortened to the longest name allowed) shows no start of a name."""
    # The end of the last break word: at each place the longest word starting there (a
    # lookahead, so overlapping words are all seen), in one regex scan instead of one rfind a word.
    cut = max((m.start() + len(m.group(1)) for m in _BREAK_RE.finditer(prefix)), default=-1)
    for end in QUALIFIER_ENDS:
        i = prefix.rfind(end)
        if i >= 0 and i + 1 < len(prefix):
            cut = max(cut, i + 1)
    if cut < 0:
        return prefix if whole else None
    return prefix[cut:]


_SUFFIX_RE = re.compile("|".join(map(re.escape, SUFFIXES)))  # longest first, as SUFFIXES


def _spans(run: str, offset: int, max_prefix: int) -> Iterable[tuple[int, int]]:
    """(start, end) of each name-like string ending in a suffix inside one run of characters.

    Suffixes are found left to right, the longest at each place first, each scan resuming after
    the suffix found (a regex alternation in SUFFIXES' order does exactly that, in C)."""
    for found in _SUFFIX_RE.finditer(run):
        i, end = found.start(), found.end()
        suffix = found.group()
        prefix = _cut(run[max(0, i - max_prefix) : i], i <= max_prefix)
        need = 2 if len(suffix) == 1 else 1
        ok = prefix is not None and len(prefix) >= need and not prefix[0].isdigit()
        if ok and run[end - 1 : end + 1] not in NOT_AN_END:
            yield offset + i - len(prefix), offset + end  # type: ignore[arg-type]


def find_candidates(
    text: str,
    plan_id: str | None = None,
    gazetteer: Gazetteer | None = None,
    max_prefix: int = 10,
    context: int = 12,
) -> list[Candidate]:
    """Candidate names in `text` the finder does not already resolve, most frequent first."""
    gaz = gazetteer or default_gazetteer()
    known = {name for place in gaz for name in place.names(plan_id)}
    known |= {place.match_name for place in gaz}
    # The finder's mentions come in text order and never overlap, so the ones near a candidate
    # are found by bisection: the scan stays linear in the text (it was quadratic: every
    # candidate looked at every mention).
    mentions = find_places(text, plan_id, gaz)
    ends = [m.end for m in mentions]
    qualifiers = [m for m in mentions if gaz.get(m.place_id).kind in QUALIFIER_KINDS]
    qualifier_starts = [q.start for q in qualifiers]
    covered = {(m.start, m.end) for m in mentions}
    found: dict[str, Candidate] = {}
    ends_known: dict[str, bool] = {}
    for run in _RUN.finditer(text):
        spans = sorted(_spans(run.group(), run.start(), max_prefix))
        # Of candidates starting at one place keep the longest: 百望山森林公园, not 百望山.
        best: dict[int, int] = {}
        for start, end in spans:
            # A town or district named just before is a qualifier, not part of the name.
            k = bisect.bisect_left(qualifier_starts, start)
            while k < len(qualifiers) and qualifiers[k].start < end:
                q = qualifiers[k]
                if start <= q.start < q.end < end and q.end - start <= max_prefix:
                    start = max(start, q.end)
                k += 1
            if end - start >= 2:
                best[start] = max(best.get(start, 0), end)
        for start, end in best.items():
            name = text[start:end]
            if name in known or name in GENERIC or (start, end) in covered:
                continue
            # Part of a name the finder already resolves (中关村集成电路|设计园), or ending in
            # one (办好中关村): the suffix belonged to that name.
            k = bisect.bisect_right(ends, start)
            crossed = False
            while k < len(mentions) and mentions[k].start < end:
                m = mentions[k]
                if not start <= m.start < m.end <= end:
                    crossed = True
                    break
                k += 1
            if crossed:
                continue
            if name not in ends_known:
                ends_known[name] = any(name[-j:] in known for j in range(2, len(name) + 1))
            if ends_known[name]:
                continue
            cand = found.setdefault(name, Candidate(name, first=start))
            cand.count += 1
            if len(cand.contexts) < 3:
                snippet = text[max(0, start - context) : end + context]
                cand.contexts.append(snippet.replace("\n", " "))
    return sorted(found.values(), key=lambda c: (-c.count, c.first))


def candidate_entries(candidates: Iterable[Candidate], source: str) -> dict[str, object]:
    """Candidates as unlocated gazetteer entries (a GeoJSON FeatureCollection), ready to be
    saved beside the gazetteer files, checked, and given a geometry by a planner."""
    features = []
    for i, cand in enumerate(candidates, start=1):
        features.append(
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "id": f"candidate-{i:03d}",
                    "name": cand.text,
                    "aliases": [],
                    "kind": "other",
                    "precision": "unlocated",
                    "source": source,
                    "note": f"candidate name, not yet checked or located: “{cand.contexts[0]}”",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
