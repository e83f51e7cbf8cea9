"""Finding a place by what a person types: one index for the atlas search, the API, the OGC `q`
and `planmap geocode`, so the same words find the same place everywhere.

A place answers to its name, its label (清河（地区）), its aliases, its English name, its pinyin
(given or derived) and its id. Typed text and keys are compared in one normal form (`fold`):
NFKC, case-folded, without spaces or punctuation, so "Bei Qing", "beiqing" and "北清" meet the
keys they should. Ranking: exact before prefix before substring; within a class, names before
aliases before English, pinyin and ids; then the place the plans name most.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from geo.gazetteer import Gazetteer, Place

_FOLD = re.compile(r"[\s'’·\-_.,()（）\[\]【】]+")
MATCH_CLASSES = ("exact", "prefix", "substring")


def fold(text: str) -> str:
    """Search normal form: NFKC, case-folded, no spaces or punctuation ("Bei Qing" → "beiqing")."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).casefold())


def pinyin(text: str) -> str:
    """Toneless pinyin of a Chinese string, run together ("北清路" → "beiqinglu")."""
    return "".join(lazy_pinyin(text))


@dataclass(frozen=True)
class Key:
    folded: str
    place_id: str
    shown: str  # the string as the gazetteer writes it, shown as "matched"
    rank: int  # 0 name, 1 label, 2 alias, 3 scoped alias, 4 English, 5 pinyin, 6 id


@dataclass(frozen=True)
class Hit:
    place_id: str
    match: str  # one of MATCH_CLASSES
    matched: str
    rank: int


def _keys(place: Place) -> Iterable[tuple[str, int]]:
    if "[" not in place.name:
        yield place.name, 0
    yield place.label, 1
    yield place.match_name, 1
    for alias in place.aliases:
        yield alias.text, 2 if alias.plans is None else 3
    if place.name_en:
        yield place.name_en, 4
    if place.pinyin:
        yield place.pinyin, 5
    yield place.id, 6


class PlaceIndex:
    """Every string each place answers to, folded once; built per gazetteer (and per store)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        best: dict[tuple[str, str], Key] = {}
        for place in gazetteer:
            for text, rank in _keys(place):
                forms = [fold(text)]
                if rank <= 3:
                    forms.append(fold(pinyin(text)))
                for i, folded in enumerate(forms):
                    if not folded:
                        continue
                    r = rank if i == 0 else max(rank, 5)
                    old = best.get((folded, place.id))
                    if old is None or r < old.rank:
                        best[(folded, place.id)] = Key(folded, place.id, text, r)
        self._keys: list[Key] = sorted(best.values(), key=lambda k: (k.folded, k.rank))
        self._exact: dict[str, list[Key]] = {}
        for key in self._keys:
            self._exact.setdefault(key.folded, []).append(key)

    def search(self, q: str, limit: int = 10,
               weight: Callable[[str], int] | None = None) -> list[Hit]:
        """Places matching `q`, best first. `weight` (e.g. mention count) breaks ties within a
        match class and rank, most first."""
        key = fold(q)
        if not key:
            return []
        best: dict[str, Hit] = {}
        for k in self._keys:
            if k.folded == key:
                cls = 0
            elif k.folded.startswith(key):
                cls = 1
            elif key in k.folded:
                cls = 2
            else:
                continue
            hit = Hit(k.place_id, MATCH_CLASSES[cls], k.shown, k.rank)
            old = best.get(k.place_id)
            if old is None or (cls, k.rank) < (MATCH_CLASSES.index(old.match), old.rank):
                best[k.place_id] = hit
        w = weight or (lambda pid: 0)
        order = sorted(best.values(), key=lambda h: (
            MATCH_CLASSES.index(h.match), h.rank, -w(h.place_id), "[" in self._name(h.place_id),
            len(h.place_id), h.place_id))
        return order[: max(0, limit)]

    def lookup(self, name: str, weight: Callable[[str], int] | None = None) -> Hit | None:
        """The one place a name stands for: the best exact match, else the best prefix match
        (`beiqing` → 北清路), else None. On equal rank the unqualified entry wins, so "qing he"
        is the river, not 清河[地区]."""
        hits = self.search(name, limit=1, weight=weight)
        if hits and hits[0].match in ("exact", "prefix"):
            return hits[0]
        return None

    def nearest(self, q: str, n: int = 5) -> list[str]:
        """Close spellings of names the index holds, for "did you mean" when nothing matches."""
        key = fold(q)
        if not key:
            return []
        shown: dict[str, str] = {}
        for k in self._keys:
            if k.rank <= 5:
                shown.setdefault(k.folded, k.shown)
        close = difflib.get_close_matches(key, list(shown), n=n, cutoff=0.5)
        return list(dict.fromkeys(shown[c] for c in close))

    def _name(self, place_id: str) -> str:
        return self.gazetteer.get(place_id).name
