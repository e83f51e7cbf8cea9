"""The names a plan uses that the gazetteer lacks, ranked for review by how likely they are places.

The candidates come from the unknown-name detector (`geo.candidates.find_candidates`); this module
adds what a reviewer needs to decide each one quickly: where it stands (the citation and the
sentence of every paragraph naming it), how many other plans use it, and a score. The score is
the detector's own likelihood (its ending, body, length and count, all kept as data in
data/gazetteer/candidate-rules.toml and measured on unseen text, tests/eval), raised a little
for every other plan using the name, by the same file's `other_plan` numbers: one detector, one
ranking. Strings a reviewer dismissed (stop rules) are left out.

`place_entry` turns a reviewed name into a new gazetteer entry (drawn, or area-only inside a
parent place), ready to be proposed as a revision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pypinyin import lazy_pinyin
from shapely.geometry import mapping

from geo.candidate_rules import default_candidate_rules
from geo.candidates import find_candidates
from geo.errors import BadRequest
from geo.gazetteer import Gazetteer, Place
from geo.search import pinyin

MAX_CONTEXTS = 5
# the kind a new place most likely has, by its final word (longest first); else "other"
KIND_BY_SUFFIX: tuple[tuple[str, str], ...] = (
    ("科技园", "industrial-park"), ("产业园", "industrial-park"), ("公园", "park"),
    ("湿地", "water"), ("大街", "road"), ("古镇", "village"), ("路", "road"), ("街", "road"),
    ("桥", "road"), ("河", "water"), ("渠", "water"), ("湖", "water"), ("闸", "water"),
    ("山", "mountain"), ("峪", "mountain"), ("村", "village"), ("庄", "village"),
    ("镇", "town"), ("站", "station"), ("寺", "park"), ("园", "park"), ("大厦", "site"),
    ("中心", "site"), ("基地", "industrial-park"))


class Cited(Protocol):
    """A paragraph with its line and citation (a reader Paragraph or a store DocParagraph)."""

    @property
    def line(self) -> int: ...

    @property
    def citation(self) -> str: ...

    @property
    def text(self) -> str: ...


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


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def unknown_names(plan_id: str, text: str, paragraphs: Sequence[Cited], gazetteer: Gazetteer,
                  dismissed: Iterable[str] = (), others: Mapping[str, str] | None = None,
                  limit: int = 200) -> list[UnknownName]:
    """A plan's candidate names, most likely places first (then most frequent). `others`
    maps other plans' ids to their text, to count where else each name is used."""
    skip = set(dismissed)
    rules = default_candidate_rules()
    per_plan, most = rules.scoring.other_plan, rules.scoring.other_plan_max
    out: list[UnknownName] = []
    for cand in find_candidates(text, plan_id, gazetteer, rules=rules):
        if cand.text in skip or any(s in cand.text for s in skip if len(s) >= 2):
            continue
        contexts = []
        for p in paragraphs:
            k = p.text.find(cand.text)
            if k >= 0:
                contexts.append(Context(p.line, p.citation,
                                        _snippet(p.text, k, k + len(cand.text))))
                if len(contexts) >= MAX_CONTEXTS:
                    break
        elsewhere = {pid: n for pid, other in (others or {}).items()
                     if pid != plan_id and (n := other.count(cand.text))}
        score = min(1.0, cand.score + min(per_plan * len(elsewhere), most))
        out.append(UnknownName(cand.text, cand.count, score, contexts, elsewhere))
    out.sort(key=lambda u: (-u.score, -u.count, u.text))
    return out[:limit]


def guess_kind(name: str) -> str:
    return next((kind for suffix, kind in KIND_BY_SUFFIX if name.endswith(suffix)), "other")


def default_place_id(name: str, gazetteer: Gazetteer) -> str:
    """The name's pinyin run together (as the gazetteer's ids are), numbered if taken."""
    base = re.sub(r"[^a-z0-9]+", "", pinyin(name).lower())[:60] or "place"
    pid, n = base, 2
    while pid in gazetteer:
        pid, n = f"{base}-{n}", n + 1
    return pid


def place_entry(name: str, where: str, *, kind: str | None = None, place_id: str | None = None,
                gazetteer: Gazetteer, geometry: dict[str, Any] | None = None,
                parent: Place | None = None, name_en: str = "", by: str = "") -> dict[str, Any]:
    """A new gazetteer entry for a name found in a plan (`where`: its citation), as the body
    of a new-place revision: drawn (`geometry`, WGS-84, precision approximate) or area-only
    inside `parent` (the parent's geometry, drawn as the parent, as the gazetteer's other
    area-only entries are)."""
    if (geometry is None) == (parent is None):
        raise BadRequest("a new place is either drawn (geometry) or area-only inside a parent "
                         "place (parent), one of the two")
    body: dict[str, Any] = {
        "id": place_id or default_place_id(name, gazetteer), "name": name,
        "kind": kind or guess_kind(name), "aliases": [],
        "pinyin": " ".join(lazy_pinyin(name)),
    }
    if name_en:
        body["name_en"] = name_en
    if parent is None:
        who = f" by {by}" if by else ""
        body.update(geometry=geometry, precision="approximate",
                    source=f"drawn in the planmap review of unknown names{who} after {where}")
        return body
    if parent.geometry is None:
        raise BadRequest(f"{parent.label} is not located: an area-only place needs a parent "
                         "with a geometry")
    body.update(geometry=dict(mapping(parent.geometry)), precision="area-only",
                parent=parent.id, drawn_as=parent.id,
                source=f"area-only: geometry copied from {parent.id!r} ({parent.label})",
                note=f"{where} names it; the text says only that it lies in {parent.label}")
    return body

