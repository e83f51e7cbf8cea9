"""The place finder: every named place in a Chinese text, with exact character offsets.

Chinese has no spaces, so a place is found by dictionary: every name and alias the gazetteer
gives for the document, matched leftmost-longest (中关村软件园 is one place, not 中关村 + 软件园).
Three kinds of knowledge do not fit in a plain dictionary and live in
`data/gazetteer/finder-rules.toml`, as data a planner can read and correct:

- *stop strings*: text that contains a place name but names no place (中关村论坛 is an event,
  云上 followed by 海淀 would otherwise yield 上海);
- *context rules*: a regular expression whose match names a given place (清河 followed by 两岸 is
  the river wherever it is written);
- document scope comes from the gazetteer itself: an alias limited to some plans beats an
  unscoped name in those plans (中关村科学城 in the 2016 plan is the small pre-2017 science city).

All candidates starting at one position compete on length; on equal length a stop string beats a
context rule, which beats a dictionary entry, because the more specific statement wins.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from geo.datafiles import read_toml
from geo.errors import DataError
from geo.gazetteer import Gazetteer, default_gazetteer
from geo.paths import gazetteer_dir

RULES_FILE = "finder-rules.toml"

# How a mention was matched, from weakest to strongest claim on equal length.
HOW_NAME = "name"
HOW_ALIAS = "alias"
HOW_SCOPED = "scoped-alias"
HOW_RULE = "context-rule"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    place_id: str
    name: str
    how: str

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "place_id": self.place_id,
            "name": self.name,
            "how": self.how,
        }


@dataclass(frozen=True)
class StopString:
    text: str
    plans: tuple[str, ...] | None
    reason: str
    example: str | None = None


@dataclass(frozen=True)
class ContextRule:
    pattern: re.Pattern[str]
    place_id: str
    plans: tuple[str, ...] | None
    reason: str
    example: str | None = None


@dataclass(frozen=True)
class FinderRules:
    stops: tuple[StopString, ...]
    rules: tuple[ContextRule, ...]


def _plans(raw: object, where: str, plan_ids: set[str] | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not (isinstance(raw, list) and raw and all(isinstance(p, str) for p in raw)):
        raise DataError(f"{where}: 'plans' must be a non-empty list of plan ids")
    if plan_ids is not None:
        unknown = [p for p in raw if p not in plan_ids]
        if unknown:
            raise DataError(f"{where}: unknown plan id(s) {', '.join(unknown)}")
    return tuple(raw)


def _example(entry: dict, where: str) -> str | None:
    example = entry.get("example")
    if example is not None and not (isinstance(example, str) and example):
        raise DataError(f"{where}: 'example' must be a non-empty string")
    return example


def load_rules(
    path: Path | None = None,
    gazetteer: Gazetteer | None = None,
    plan_ids: set[str] | None = None,
) -> FinderRules:
    """Read and check the rules file; a rule naming an unknown place is an error, not a no-op."""
    path = path or gazetteer_dir() / RULES_FILE
    raw = read_toml(path, optional=True)
    unknown_keys = set(raw) - {"stop", "context"}
    if unknown_keys:
        raise DataError(f"{path.name}: unknown table(s) {', '.join(sorted(unknown_keys))}")
    stops: list[StopString] = []
    for i, entry in enumerate(raw.get("stop", []), start=1):
        where = f"{path.name} [[stop]] #{i}"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: not a table")
        extra = set(entry) - {"text", "plans", "reason", "example"}
        if extra:
            raise DataError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        text = entry.get("text")
        if not isinstance(text, str) or not text:
            raise DataError(f"{where}: 'text' must be a non-empty string")
        if not entry.get("reason"):
            raise DataError(f"{where} ({text}): say why in 'reason'")
        example = _example(entry, where)
        if example is not None and text not in example:
            raise DataError(f"{where} ({text}): the example does not contain the stop string")
        scope = _plans(entry.get("plans"), where, plan_ids)
        stops.append(StopString(text, scope, entry["reason"], example))
    rules: list[ContextRule] = []
    for i, entry in enumerate(raw.get("context", []), start=1):
        where = f"{path.name} [[context]] #{i}"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: not a table")
        extra = set(entry) - {"pattern", "place", "plans", "reason", "example"}
        if extra:
            raise DataError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        pattern, place = entry.get("pattern"), entry.get("place")
        if not isinstance(pattern, str) or not pattern:
            raise DataError(f"{where}: 'pattern' must be a non-empty string")
        if not isinstance(place, str) or not place:
            raise DataError(f"{where}: 'place' must be a place id")
        if not entry.get("reason"):
            raise DataError(f"{where} ({pattern}): say why in 'reason'")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise DataError(f"{where}: bad pattern {pattern!r} ({exc})") from None
        if compiled.match(""):
            raise DataError(f"{where}: pattern {pattern!r} matches the empty string")
        if gazetteer is not None and place not in gazetteer:
            raise DataError(f"{where}: place {place!r} is not in the gazetteer")
        example = _example(entry, where)
        if example is not None and not compiled.search(example):
            raise DataError(f"{where} ({pattern}): the pattern does not match its example")
        scope = _plans(entry.get("plans"), where, plan_ids)
        rules.append(ContextRule(compiled, place, scope, entry["reason"], example))
    return FinderRules(tuple(stops), tuple(rules))


_QUOTES = ("“”", "「」", "『』", '""', "''")


def _unquote(text: str) -> str:
    """An alias written in quotes (“城市客厅”) names the same thing as its inner text; a
    mention's span should not include the punctuation."""
    for pair in _QUOTES:
        if len(text) > 2 and text[0] == pair[0] and text[-1] == pair[1]:
            return text[1:-1]
    return text


def _applies(plans: tuple[str, ...] | None, plan_id: str | None) -> bool:
    return plans is None or (plan_id is not None and plan_id in plans)


# A trie node: child characters, plus the entry ending here as (place_id, how) or a stop marker.
_STOP = "\x00stop"
_Node = dict[str, object]


class _Matcher:
    """The dictionary of one (gazetteer, plan) pair, compiled once into a character trie."""

    def __init__(self, gazetteer: Gazetteer, rules: FinderRules, plan_id: str | None) -> None:
        self.gazetteer = gazetteer
        self.plan_id = plan_id
        entries: dict[str, tuple[str, str]] = {}
        rank = {HOW_NAME: 0, HOW_ALIAS: 0, HOW_SCOPED: 1}
        for place in gazetteer:
            if "[" not in place.name:
                self._claim(entries, place.name, place.id, HOW_NAME, rank)
            for alias in place.aliases:
                if not alias.applies_to(plan_id):
                    continue
                how = HOW_SCOPED if alias.plans else HOW_ALIAS
                self._claim(entries, _unquote(alias.text), place.id, how, rank)
        self.root: _Node = {}
        for text, value in entries.items():
            self._insert(text, value)
        for stop in rules.stops:
            if _applies(stop.plans, plan_id):
                self._insert(stop.text, _STOP)
        self.rules = [r for r in rules.rules if _applies(r.plans, plan_id)]
        self.first_chars = frozenset(k for k in self.root if k != "")
        # the next place a name can start, found in C rather than a character at a time
        self._next_first = re.compile(
            "[" + "".join(re.escape(ch) for ch in sorted(self.first_chars)) + "]"
            if self.first_chars else "(?!)")

    @staticmethod
    def _claim(
        entries: dict[str, tuple[str, str]], text: str, pid: str, how: str, rank: dict[str, int]
    ) -> None:
        # The loader already refuses two claims of equal scope, so a tie here cannot happen
        # with a valid gazetteer; the document-scoped claim wins over the unscoped one.
        old = entries.get(text)
        if old is None or rank[how] > rank[old[1]]:
            entries[text] = (pid, how)

    def _insert(self, text: str, value: object) -> None:
        node = self.root
        for ch in text:
            node = node.setdefault(ch, {})  # type: ignore[assignment]
        # A place claim and a stop string on the same text: the stop string wins.
        if node.get("") != _STOP:
            node[""] = value

    def _longest(self, text: str, i: int) -> tuple[int, object] | None:
        node = self.root
        best: tuple[int, object] | None = None
        j = i
        n = len(text)
        while j < n:
            nxt = node.get(text[j])
            if nxt is None:
                break
            node = nxt  # type: ignore[assignment]
            j += 1
            if "" in node:
                best = (j, node[""])
        return best

    def find(self, text: str) -> list[Mention]:
        ruled: dict[int, tuple[int, str]] = {}
        for rule in self.rules:
            for m in rule.pattern.finditer(text):
                if m.end() > m.start():
                    old = ruled.get(m.start())
                    if old is None or m.end() > old[0]:
                        ruled[m.start()] = (m.end(), rule.place_id)
        out: list[Mention] = []
        i, n = 0, len(text)
        first = self.first_chars
        places = self.gazetteer.places
        ruled_starts = sorted(ruled)
        while i < n:
            if text[i] not in first and i not in ruled:
                # jump to the next character a name starts with, or the next rule's match
                found = self._next_first.search(text, i)
                k = bisect.bisect_left(ruled_starts, i)
                i = min(found.start() if found else n,
                        ruled_starts[k] if k < len(ruled_starts) else n)
                continue
            hit = self._longest(text, i)
            ruling = ruled.get(i)
            if ruling is not None and (hit is None or ruling[0] >= hit[0]):
                if hit is not None and hit[0] == ruling[0] and hit[1] == _STOP:
                    i = hit[0]
                    continue
                end, pid = ruling
                out.append(Mention(i, end, text[i:end], pid, places[pid].label, HOW_RULE))
                i = end
                continue
            if hit is None:
                i += 1
                continue
            end, value = hit
            if value == _STOP:
                i = end
                continue
            pid, how = cast(tuple[str, str], value)
            out.append(Mention(i, end, text[i:end], pid, places[pid].label, how))
            i = end
        return out


def _default_rules() -> FinderRules:
    """The rules file of the data directory in force now, checked against its gazetteer and
    plans; kept once per directory (`PLANMAP_DATA` is read on each call)."""
    from geo.paths import plans_dir

    return _rules_at(gazetteer_dir().resolve(), plans_dir().resolve())


@lru_cache(maxsize=4)
def _rules_at(directory: Path, plans: Path) -> FinderRules:
    from geo.corpus import default_corpus

    # called with the directories default_gazetteer() and default_corpus() resolve right now
    return load_rules(directory / RULES_FILE, gazetteer=default_gazetteer(),
                      plan_ids=set(default_corpus().plans))


def rules_for(gazetteer: Gazetteer, path: Path | None = None) -> FinderRules:
    """The rules that apply to a gazetteer: the checked default rules for the default
    gazetteer; for another one (a test fixture, a planner's working copy, a database-backed
    store's), the rules file read afresh, without the context rules naming places it lacks
    (they cannot apply to it, so they are left out rather than refused)."""
    if path is None and gazetteer is default_gazetteer():
        return _default_rules()
    loaded = load_rules(path)
    return FinderRules(loaded.stops, tuple(r for r in loaded.rules if r.place_id in gazetteer))


_matchers: dict[tuple[int, str | None], tuple[Gazetteer, _Matcher]] = {}


def matcher(
    gazetteer: Gazetteer | None = None,
    plan_id: str | None = None,
    rules: FinderRules | None = None,
) -> _Matcher:
    """The compiled dictionary for a gazetteer and plan. With `rules` given it is built for
    the caller to keep (a store builds its own); without, it is kept here per gazetteer object."""
    gaz = gazetteer or default_gazetteer()
    if rules is not None:
        return _Matcher(gaz, rules, plan_id)
    key = (id(gaz), plan_id)
    cached = _matchers.get(key)
    # Keep the gazetteer itself beside its matcher: id() alone could be reused after a
    # gazetteer is garbage-collected.
    if cached is not None and cached[0] is gaz:
        return cached[1]
    built = _Matcher(gaz, rules_for(gaz), plan_id)
    if len(_matchers) > 32:
        _matchers.clear()
    _matchers[key] = (gaz, built)
    return built


def find_places(
    text: str, plan_id: str | None = None, gazetteer: Gazetteer | None = None
) -> list[Mention]:
    """Every place mention in `text`, in text order; offsets index `text` itself."""
    return matcher(gazetteer, plan_id).find(text)
