"""Candidate place names a text uses that the gazetteer lacks, ranked by how likely they are places.

A new document will name roads, villages and parks nobody has entered yet. Chinese place names
mostly end in a small set of generic words (路, 村, 镇, 科技园, 中心 …), so a cheap heuristic
finds most of them: take the run of Chinese characters before such an ending, cut it after the
last verb or function word (推进, 建设, 和, 的 …) and after a town or district it is qualified by
(温泉镇温阳路 → 温阳路), and drop generic phrases (服务中心, 园区).

Planning prose is full of strings built the same way that name functions, not places (技术创新
中心, 国际消费中心), so each candidate gets a likelihood score: the ending's own likelihood (a 路 is
nearly always a road; a 中心 rarely a place), more when the name holds a known place (温泉体育中心)
or recurs, less when its body is made of function words or runs long. Only candidates scoring at
least the file's `propose_at` are proposed, best first. The words and numbers are data
(`data/gazetteer/candidate-rules.toml`, see geo.candidate_rules) so a reviewer's "this is no
place" can become a rule with its reason.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from geo.candidate_rules import CandidateRules, default_candidate_rules
from geo.finder import Mention, find_places
from geo.gazetteer import Gazetteer, default_gazetteer

_RUN = re.compile(r"[\u3400-\u9fffA-Za-z0-9]+")


@dataclass
class Candidate:
    text: str
    count: int = 0
    contexts: list[str] = field(default_factory=list)
    first: int = 0
    # how likely the string names a place (0–1), from the ending, the body and the count
    score: float = 0.0
    # (start, end) of every occurrence in the text
    spans: list[tuple[int, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "count": self.count, "score": self.score,
                "context": self.contexts[0]}


@lru_cache(maxsize=8)
def _break_re(breaks: tuple[str, ...]) -> re.Pattern[str]:
    """At each place the longest break word starting there (a lookahead, so overlapping words
    are all seen): one regex scan instead of one rfind a word."""
    return re.compile("(?=(" + "|".join(map(re.escape, sorted(breaks, key=len, reverse=True)))
                      + "))")


@lru_cache(maxsize=8)
def _ending_re(endings: tuple[str, ...]) -> re.Pattern[str]:
    """The endings in the rules' order (longest first): found left to right, the longest at
    each place first, each scan resuming after the ending found, as a loop over them would."""
    return re.compile("|".join(map(re.escape, endings)))


def _cut(prefix: str, whole: bool, rules: CandidateRules) -> str | None:
    """The tail of `prefix` after its last break word or qualifier; None when the window
    (`whole` False: it was shortened to the longest name allowed) shows no start of a name."""
    found = _break_re(rules.breaks).finditer(prefix)
    cut = max((m.start() + len(m.group(1)) for m in found), default=-1)
    for end in rules.qualifier_endings:
        i = prefix.rfind(end)
        if i >= 0 and i + len(end) < len(prefix):
            cut = max(cut, i + len(end))
    if cut < 0:
        return prefix if whole else None
    return prefix[cut:]


def _spans(run: str, offset: int, rules: CandidateRules) -> Iterator[tuple[int, int, str]]:
    """(start, end, ending) of each name-like string inside one run of characters."""
    max_prefix = rules.scoring.max_prefix
    for found in _ending_re(tuple(rules.endings)).finditer(run):
        i, end, ending = found.start(), found.end(), found.group()
        prefix = _cut(run[max(0, i - max_prefix) : i], i <= max_prefix, rules)
        need = 2 if len(ending) == 1 else 1
        ok = prefix is not None and len(prefix) >= need and not prefix[0].isdigit()
        if ok and run[end - 1 : end + 1] not in rules.not_an_end:
            yield offset + i - len(prefix), offset + end, ending  # type: ignore[arg-type]


def _generic(name: str, rules: CandidateRules) -> bool:
    """A kind of thing or a phrase, not one place."""
    return (name in rules.generic or name.endswith(rules.generic_ends)
            or any(p.search(name) for p in rules.generic_patterns))


def _score(name: str, ending: str, inside: list[Mention], start: int,
           rules: CandidateRules) -> float:
    """The likelihood of one occurrence, before the count is known."""
    s = rules.scoring
    body = name[: len(name) - len(ending)]
    score = rules.endings[ending]
    if inside:
        # what follows the last known place: 河北|地区, 核心区|中心 are a place and a common noun
        tail = name[max(m.end for m in inside) - start :]
        if _generic(tail, rules):
            return 0.0
        # a known place with a whole word beside it (圆明园两园 is two gardens, not a name)
        if len(name) - len(tail) != len(body) - 1:
            score += s.known_inside
    lead = max((m.end - start for m in inside if m.start == start), default=0)
    if not lead:
        score -= max((p for w, p in rules.generic_parts.items() if w in body), default=0.0)
    # the length of what the name adds to the place it starts with (北清路|人工智能|产业园)
    if len(body) - lead > s.long_body:
        score -= s.long_penalty
    return score


def find_candidates(
    text: str,
    plan_id: str | None = None,
    gazetteer: Gazetteer | None = None,
    max_prefix: int | None = None,
    context: int = 12,
    min_score: float | None = None,
    rules: CandidateRules | None = None,
) -> list[Candidate]:
    """Candidate names in `text` the finder does not already resolve, most likely first.

    `min_score` (default: the rules file's `propose_at`) leaves out the unlikely ones; 0 lists
    everything the endings find. `max_prefix` overrides the rules file's longest name body."""
    gaz = gazetteer or default_gazetteer()
    rules = rules or default_candidate_rules()
    if max_prefix is not None:
        rules = replace(rules, scoring=replace(rules.scoring, max_prefix=max_prefix))
    threshold = rules.scoring.propose_at if min_score is None else min_score
    known = {name for place in gaz for name in place.names(plan_id)}
    known |= {place.match_name for place in gaz}
    # The finder's mentions come in text order and never overlap, so the ones near a candidate
    # are found by bisection: the scan stays linear in the text.
    mentions = find_places(text, plan_id, gaz)
    ends = [m.end for m in mentions]
    qualifiers = [m for m in mentions if gaz.get(m.place_id).kind in rules.qualifier_kinds
                  and m.text.endswith(rules.qualifier_endings)]
    qualifier_starts = [q.start for q in qualifiers]
    covered = {(m.start, m.end) for m in mentions}
    limit = rules.scoring.max_prefix
    found: dict[str, Candidate] = {}
    scores: dict[str, float] = {}
    ends_known: dict[str, bool] = {}
    for run in _RUN.finditer(text):
        # Of candidates starting at one place keep the longest: 百望山森林公园, not 百望山.
        best: dict[int, tuple[int, str]] = {}
        for start, end, ending in sorted(_spans(run.group(), run.start(), rules)):
            # A town or district named just before is a qualifier, not part of the name.
            k = bisect.bisect_left(qualifier_starts, start)
            while k < len(qualifiers) and qualifiers[k].start < end:
                q = qualifiers[k]
                if start <= q.start < q.end < end and q.end - start <= limit:
                    start = max(start, q.end)
                k += 1
            long_enough = end - start >= 2 and end - start > len(ending)
            if long_enough and (start not in best or end > best[start][0]):
                best[start] = (end, ending)
        for start, (end, ending) in best.items():
            name = text[start:end]
            if name in known or _generic(name, rules) or (start, end) in covered:
                continue
            # Part of a name the finder already resolves (中关村集成电路|设计园), or ending in
            # one (办好中关村): the ending belonged to that name.
            k = bisect.bisect_right(ends, start)
            near = []
            while k < len(mentions) and mentions[k].start < end:
                near.append(mentions[k])
                k += 1
            if any(not start <= m.start < m.end <= end for m in near):
                continue
            if name not in ends_known:
                ends_known[name] = any(name[-j:] in known for j in range(2, len(name) + 1))
            if ends_known[name]:
                continue
            inside = near  # every mention overlapping the name lies inside it
            score = _score(name, ending, inside, start, rules)
            cand = found.setdefault(name, Candidate(name, first=start))
            scores[name] = max(scores.get(name, 0.0), score)
            cand.count += 1
            cand.spans.append((start, end))
            if len(cand.contexts) < 3:
                snippet = text[max(0, start - context) : end + context]
                cand.contexts.append(snippet.replace("\n", " "))
    s = rules.scoring
    out = []
    for name, cand in found.items():
        bonus = min(s.repeated * (cand.count - 1), s.repeated_max)
        cand.score = round(min(1.0, max(0.0, scores[name] + bonus)), 2)
        if cand.score >= threshold:
            out.append(cand)
    return sorted(out, key=lambda c: (-c.score, -c.count, c.first))


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
