"""Scoring the finder and the unknown-name detector on texts with a hand-made gold list.

An evaluation set is a folder of excerpts (`<id>.txt`), each with a gold list (`<id>.gold.tsv`:
`surface`, `place`, `note`, in text order; `place` is a gazetteer id or NEW for a place the
gazetteer lacks) and a `sources.tsv` naming where each excerpt comes from. Three numbers answer
"does planmap understand a document it has not seen":

- known-place recall: gold mentions the finder finds with the exact span and the right place;
- recall with candidates: those, plus gold mentions whose exact span the detector proposes as an
  unknown name (a reviewer would see them in the list and turn them into places);
- candidate precision: proposed candidates whose text is a gold mention's surface in that text.

Gold offsets are found by searching each surface after the previous mention's end, so a gold
list must be complete and in order; a surface that is not found is an error naming the row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from geo.candidates import find_candidates
from geo.errors import DataError
from geo.finder import find_places
from geo.gazetteer import Gazetteer, default_gazetteer

NEW = "NEW"


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    surface: str
    place: str  # a gazetteer id, or NEW


@dataclass
class TextScore:
    text_id: str
    gold: int = 0
    known_found: int = 0
    with_candidates: int = 0
    candidates: int = 0
    candidates_right: int = 0
    missed: list[str] = field(default_factory=list)
    wrong_candidates: list[str] = field(default_factory=list)


@dataclass
class SetScore:
    name: str
    texts: list[TextScore]

    def _sum(self, attr: str) -> int:
        return sum(getattr(t, attr) for t in self.texts)

    @property
    def gold(self) -> int:
        return self._sum("gold")

    @property
    def known_recall(self) -> float:
        return self._sum("known_found") / self.gold

    @property
    def recall_with_candidates(self) -> float:
        return self._sum("with_candidates") / self.gold

    @property
    def candidate_precision(self) -> float:
        n = self._sum("candidates")
        return self._sum("candidates_right") / n if n else 1.0

    def summary(self) -> str:
        return (f"{self.name}: {len(self.texts)} texts, {self.gold} gold mentions "
                f"({self._sum('gold') - self._sum('known_found')} not found by the finder); "
                f"known-place recall {self.known_recall:.2f}, "
                f"with candidates {self.recall_with_candidates:.2f}, "
                f"candidate precision {self.candidate_precision:.2f} "
                f"({self._sum('candidates_right')} of {self._sum('candidates')})")

    def as_record(self) -> dict[str, object]:
        """The figures with their counts and every miss, so a recorded run can be read back."""
        return {
            "set": self.name,
            "texts": len(self.texts),
            "gold_mentions": self.gold,
            "known_found": self._sum("known_found"),
            "found_with_candidates": self._sum("with_candidates"),
            "candidates": self._sum("candidates"),
            "candidates_right": self._sum("candidates_right"),
            "known_recall": round(self.known_recall, 4),
            "recall_with_candidates": round(self.recall_with_candidates, 4),
            "candidate_precision": round(self.candidate_precision, 4),
            "per_text": [
                {"id": t.text_id, "gold": t.gold, "known_found": t.known_found,
                 "with_candidates": t.with_candidates, "candidates": t.candidates,
                 "candidates_right": t.candidates_right, "missed": t.missed,
                 "wrong_candidates": t.wrong_candidates}
                for t in self.texts
            ],
        }


def read_gold(text: str, path: Path, gazetteer: Gazetteer | None = None) -> list[GoldMention]:
    """The gold list with offsets; every id must be in the gazetteer (or NEW)."""
    gaz = gazetteer or default_gazetteer()
    lines = [t for t in path.read_text(encoding="utf-8").splitlines() if t and t[0] != "#"]
    out: list[GoldMention] = []
    pos = 0
    for i, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
        surface, place = row.get("surface") or "", row.get("place") or ""
        if not surface or not place:
            raise DataError(f"{path.name} row {i}: needs a surface and a place")
        if place != NEW and place not in gaz:
            raise DataError(f"{path.name} row {i}: {place!r} is not a gazetteer id (or NEW)")
        start = text.find(surface, pos)
        if start < 0:
            raise DataError(f"{path.name} row {i}: {surface!r} not found after offset {pos}")
        pos = start + len(surface)
        out.append(GoldMention(start, pos, surface, place))
    return out


def score_text(text_id: str, text: str, gold: list[GoldMention],
               gazetteer: Gazetteer | None = None) -> TextScore:
    gaz = gazetteer or default_gazetteer()
    found = {(m.start, m.end): m.place_id for m in find_places(text, gazetteer=gaz)}
    candidates = find_candidates(text, gazetteer=gaz)
    proposed = {span for c in candidates for span in c.spans}
    surfaces = {g.surface for g in gold}
    score = TextScore(text_id, gold=len(gold), candidates=len(candidates))
    for g in gold:
        got = found.get((g.start, g.end))
        if got == g.place and g.place != NEW:
            score.known_found += 1
            score.with_candidates += 1
        elif (g.start, g.end) in proposed:
            score.with_candidates += 1
        else:
            how = f"found as {got}" if got else "not found"
            score.missed.append(f"{g.surface} ({g.place}; {how})")
    for c in candidates:
        if c.text in surfaces:
            score.candidates_right += 1
        else:
            score.wrong_candidates.append(f"{c.text} ({c.score:.2f})")
    return score


def score_set(folder: Path, gazetteer: Gazetteer | None = None) -> SetScore:
    """Every `<id>.txt` of the folder that has a gold list (a text without one is an error)."""
    texts = sorted(folder.glob("*.txt"))
    if not texts:
        raise DataError(f"{folder}: no texts (*.txt)")
    scores = []
    for path in texts:
        gold_path = path.with_name(path.stem + ".gold.tsv")
        if not gold_path.exists():
            raise DataError(f"{path.name}: no gold list ({gold_path.name})")
        text = path.read_text(encoding="utf-8")
        scores.append(score_text(path.stem, text, read_gold(text, gold_path, gazetteer),
                                 gazetteer))
    return SetScore(folder.name, scores)
