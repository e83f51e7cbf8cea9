"""Finding a place by what a person types: one index for the atlas search, the API, the OGC `q`
and `planmap geocode`, so the same words find the same place everywhere.

A place answers to its name, its label (清河（地区）), its aliases, its English name, its pinyin
(given or derived), the initials of that pinyin (`zgc` → 中关村) and its id. Typed text and keys
are compared in one normal form (`fold`): traditional characters made simplified (OpenCC's
t2s data, so 頤和園 meets 颐和园), NFKC, case-folded, without spaces or punctuation, so
"Bei Qing", "beiqing" and "北清" meet the keys they should. Ranking: exact before prefix before
substring; within a class, names before aliases before English, pinyin, initials and ids; then
the place the plans name most. Only when none of those match do close spellings count
("fuzzy": 颐和圆 → 颐和园, "summer palce"); and when even those fail, `nearest` offers the
names that come closest, so a person who typed a name the gazetteer lacks still gets somewhere.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import opencc
from pypinyin import Style, lazy_pinyin

from geo.gazetteer import Gazetteer, Place

_FOLD = re.compile(r"[\s'’·\-_.,()（）\[\]【】]+")
MATCH_CLASSES = ("exact", "prefix", "substring", "fuzzy")
_T2S = opencc.OpenCC("t2s")
# Close spellings: a typed key at least this long, at least this similar (difflib ratio) to a
# name, counts as a fuzzy match; `nearest` accepts less, since it only suggests.
FUZZY_MIN_LENGTH = 3
FUZZY_CUTOFF = 0.6
NEAREST_CUTOFF = 0.3
INITIALS_RANK = 6


def fold(text: str) -> str:
    """Search normal form: simplified characters, NFKC, case-folded, no spaces or punctuation
    ("Bei Qing" → "beiqing", "頤和園" → "颐和园")."""
    simplified = _T2S.convert(unicodedata.normalize("NFKC", text))
    return _FOLD.sub("", simplified.casefold())


def pinyin(text: str) -> str:
    """Toneless pinyin of a Chinese string, run together ("北清路" → "beiqinglu")."""
    return "".join(lazy_pinyin(text))


def initials(text: str) -> str:
    """The first letters of a Chinese string's pinyin, other characters kept ("中关村" → "zgc",
    "地铁13号线" → "dt13hx"): what people type for a long name they know."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))


def _similarity(a: str, b: str) -> float:
    """How alike two folded strings are: difflib's ratio, or for short Chinese names the share
    of characters they have in common (西小口 and 西直门 share one of three)."""
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    if a.isascii() or b.isascii():
        return ratio
    common = len(set(a) & set(b)) / max(len(set(a)), len(set(b)))
    return max(ratio, common)


@dataclass(frozen=True)
class Key:
    folded: str
    place_id: str
    shown: str  # the string as the gazetteer writes it, shown as "matched"
    rank: int  # 0 name, 1 label, 2 alias, 3 scoped alias, 4 English, 5 pinyin, 6 initials, 7 id


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
    yield place.id, 7


class PlaceIndex:
    """Every string each place answers to, folded once; built per gazetteer (and per store)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        best: dict[tuple[str, str], Key] = {}
        for place in gazetteer:
            for text, rank in _keys(place):
                forms = [(fold(text), rank)]
                if rank <= 3:
                    forms.append((fold(pinyin(text)), max(rank, 5)))
                    forms.append((fold(initials(text)), INITIALS_RANK))
                for folded, r in forms:
                    if not folded:
                        continue
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
            elif key in k.folded and k.rank != INITIALS_RANK:  # "gc" inside "zgc" is noise
                cls = 2
            else:
                continue
            self._keep(best, Hit(k.place_id, MATCH_CLASSES[cls], k.shown, k.rank))
        if not best and len(key) >= FUZZY_MIN_LENGTH:
            return self._closest(key, FUZZY_CUTOFF, limit, weight, difflib_only=True)
        return self._ranked(best, limit, weight)

    def nearest_hits(self, q: str, n: int = 5,
                     weight: Callable[[str], int] | None = None) -> list[Hit]:
        """The places whose names come closest to `q`, closest first: suggestions for a miss."""
        return self._closest(fold(q), NEAREST_CUTOFF, n, weight, difflib_only=False)

    def _closest(self, key: str, cutoff: float, n: int, weight: Callable[[str], int] | None,
                 *, difflib_only: bool) -> list[Hit]:
        """Fuzzy hits, most alike first, then by rank and weight."""
        best: dict[str, Hit] = {}
        score: dict[str, float] = {}
        for k, s in self._close(key, cutoff, difflib_only=difflib_only):
            if s > score.get(k.place_id, -1.0):
                score[k.place_id] = s
                best[k.place_id] = Hit(k.place_id, "fuzzy", k.shown, k.rank)
        w = weight or (lambda pid: 0)
        order = sorted(best.values(), key=lambda h: (-round(score[h.place_id], 2), h.rank,
                                                     -w(h.place_id), h.place_id))
        return order[: max(0, n)]

    def _close(self, key: str, cutoff: float, *, difflib_only: bool) -> list[tuple[Key, float]]:
        """Keys of names, aliases, English names and pinyin at least `cutoff` alike to `key`."""
        if not key:
            return []
        out = []
        for k in self._keys:
            if k.rank > 5:
                continue
            matcher = difflib.SequenceMatcher(None, key, k.folded)
            if matcher.real_quick_ratio() < cutoff and difflib_only:
                continue
            s = matcher.ratio() if difflib_only else _similarity(key, k.folded)
            if s >= cutoff:
                out.append((k, s))
        return out

    @staticmethod
    def _keep(best: dict[str, Hit], hit: Hit) -> None:
        old = best.get(hit.place_id)
        if old is None or (MATCH_CLASSES.index(hit.match), hit.rank) < (
                MATCH_CLASSES.index(old.match), old.rank):
            best[hit.place_id] = hit

    def _ranked(self, best: dict[str, Hit], limit: int,
                weight: Callable[[str], int] | None) -> list[Hit]:
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
        """Names close to `q`, for "did you mean" when nothing matches (the CLI's message)."""
        return list(dict.fromkeys(h.matched for h in self.nearest_hits(q, n)))

    def _name(self, place_id: str) -> str:
        return self.gazetteer.get(place_id).name
