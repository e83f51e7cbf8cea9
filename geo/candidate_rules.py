"""The unknown-name detector's rules, read from `data/gazetteer/candidate-rules.toml` and checked.

The rules are word lists a planner corrects (a verb that should cut a name, a phrase that is no
place), so they live as data beside the finder's rules. Each entry says why it exists and shows
an example; the loader checks that the example really shows the rule, so a list edited by hand
cannot silently stop doing what its reason claims. Every problem is one DataError naming the
file, the table and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.datafiles import read_toml
from geo.errors import DataError
from geo.paths import gazetteer_dir
from geo.vocabulary import KINDS

CANDIDATE_RULES_FILE = "candidate-rules.toml"

# table -> (keys it must have, keys it may have)
_TABLES: dict[str, tuple[set[str], set[str]]] = {
    "ending": ({"words", "score", "reason", "example"}, set()),
    "break": ({"words", "reason", "example"}, set()),
    "not_an_end": ({"words", "reason", "example"}, set()),
    "qualifier": ({"endings", "kinds", "reason", "example"}, set()),
    "generic": ({"words", "reason", "example"}, set()),
    "generic_end": ({"words", "reason", "example"}, set()),
    "generic_pattern": ({"pattern", "reason", "example"}, set()),
    "generic_part": ({"words", "penalty", "reason", "example"}, set()),
}
_SCORE_KEYS = {"propose_at", "max_prefix", "known_inside", "repeated", "repeated_max",
               "long_body", "long_penalty", "other_plan", "other_plan_max"}


@dataclass(frozen=True)
class Scoring:
    propose_at: float
    max_prefix: int
    known_inside: float
    repeated: float
    repeated_max: float
    long_body: int
    long_penalty: float
    other_plan: float
    other_plan_max: float


@dataclass(frozen=True)
class CandidateRules:
    """The lists as the detector uses them; `endings` maps each ending to its score and is
    ordered longest first (科技园 must be tried before 园)."""

    scoring: Scoring
    endings: dict[str, float]
    breaks: tuple[str, ...]
    not_an_end: frozenset[str]
    qualifier_endings: tuple[str, ...]
    qualifier_kinds: frozenset[str]
    generic: frozenset[str]
    generic_ends: tuple[str, ...]
    generic_patterns: tuple[re.Pattern[str], ...]
    generic_parts: dict[str, float]


def _words(entry: dict[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key)
    if not isinstance(value, str) or not value.split():
        raise DataError(f"{where}: {key!r} must be a non-empty string of space-separated words")
    return value.split()


def _number(raw: Any, where: str, *, low: float = 0.0, high: float = 1.0) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        raise DataError(f"{where}: must be a number from {low:g} to {high:g}")
    return float(raw)


def _pattern(entry: dict[str, Any], where: str) -> str:
    pattern = entry.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise DataError(f"{where}: 'pattern' must be a non-empty string")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise DataError(f"{where}: bad pattern {pattern!r} ({exc})") from None
    if compiled.search(""):
        raise DataError(f"{where}: pattern {pattern!r} matches the empty string")
    return pattern


def _check_example(table: str, entry: dict[str, Any], words: list[str], where: str) -> None:
    """The example must show the rule: a name with the ending, a text holding the word, the
    generic string itself, a qualifier followed by the name it qualifies."""
    example = entry["example"]
    if not isinstance(example, str) or not example:
        raise DataError(f"{where}: 'example' must be a non-empty string")
    if table == "generic_pattern":
        ok = bool(re.compile(entry["pattern"]).search(example))
    elif table == "ending":
        ok = any(example.endswith(w) and len(example) > len(w) for w in words)
    elif table == "generic":
        ok = example in words
    elif table == "generic_end":
        ok = any(example.endswith(w) for w in words)
    elif table == "qualifier":
        ok = any(0 <= example.find(w) < len(example) - len(w) for w in words)
    else:
        ok = any(w in example for w in words)
    if not ok:
        raise DataError(f"{where}: the example {example!r} does not show the rule")


def load_candidate_rules(path: Path | None = None) -> CandidateRules:
    """Read and check the rules file; any problem is one DataError naming the entry."""
    path = path or gazetteer_dir() / CANDIDATE_RULES_FILE
    raw = read_toml(path)
    name = path.name
    unknown = set(raw) - set(_TABLES) - {"score"}
    if unknown:
        raise DataError(f"{name}: unknown table(s) {', '.join(sorted(unknown))}")
    score = raw.get("score")
    if not isinstance(score, dict):
        raise DataError(f"{name}: a [score] table is required")
    if set(score) != _SCORE_KEYS:
        missing, extra = _SCORE_KEYS - set(score), set(score) - _SCORE_KEYS
        problem = (f"missing {', '.join(sorted(missing))}" if missing
                   else f"unknown key(s) {', '.join(sorted(extra))}")
        raise DataError(f"{name} [score]: {problem}")
    def fraction(key: str) -> float:
        return _number(score[key], f"{name} [score] {key}")

    def size(key: str) -> int:
        return int(_number(score[key], f"{name} [score] {key}", low=1, high=40))

    scoring = Scoring(propose_at=fraction("propose_at"), max_prefix=size("max_prefix"),
                      known_inside=fraction("known_inside"), repeated=fraction("repeated"),
                      repeated_max=fraction("repeated_max"), long_body=size("long_body"),
                      long_penalty=fraction("long_penalty"), other_plan=fraction("other_plan"),
                      other_plan_max=fraction("other_plan_max"))

    lists: dict[str, list[tuple[list[str], dict[str, Any]]]] = {t: [] for t in _TABLES}
    for table, (required, optional) in _TABLES.items():
        entries = raw.get(table, [])
        if not isinstance(entries, list) or not entries:
            raise DataError(f"{name}: at least one [[{table}]] entry is required")
        for i, entry in enumerate(entries, start=1):
            where = f"{name} [[{table}]] #{i}"
            if not isinstance(entry, dict):
                raise DataError(f"{where}: not a table")
            missing = required - set(entry)
            extra = set(entry) - required - optional
            if missing:
                raise DataError(f"{where}: missing {', '.join(sorted(missing))}")
            if extra:
                raise DataError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
            if not isinstance(entry["reason"], str) or not entry["reason"].strip():
                raise DataError(f"{where}: say why in 'reason'")
            if table == "generic_pattern":
                words = [_pattern(entry, where)]
            else:
                words = _words(entry, "endings" if table == "qualifier" else "words", where)
            _check_example(table, entry, words, where)
            lists[table].append((words, entry))

    endings: dict[str, float] = {}
    for words, entry in lists["ending"]:
        value = _number(entry["score"], f"{name} [[ending]] {words[0]}… score")
        for w in words:
            if w in endings:
                raise DataError(f"{name} [[ending]]: {w!r} is listed twice")
            endings[w] = value
    for words, _ in lists["not_an_end"]:
        bad = [w for w in words if len(w) != 2]
        if bad:
            raise DataError(f"{name} [[not_an_end]]: {bad[0]!r} is not two characters")
    kinds: set[str] = set()
    for _, entry in lists["qualifier"]:
        for kind in _words(entry, "kinds", f"{name} [[qualifier]]"):
            if kind not in KINDS:
                raise DataError(f"{name} [[qualifier]]: unknown kind {kind!r}")
            kinds.add(kind)
    parts: dict[str, float] = {}
    for words, entry in lists["generic_part"]:
        value = _number(entry["penalty"], f"{name} [[generic_part]] {words[0]}… penalty")
        parts.update({w: value for w in words})
    return CandidateRules(
        scoring=scoring,
        endings=dict(sorted(endings.items(), key=lambda kv: -len(kv[0]))),
        breaks=tuple(w for words, _ in lists["break"] for w in words),
        not_an_end=frozenset(w for words, _ in lists["not_an_end"] for w in words),
        qualifier_endings=tuple(w for words, _ in lists["qualifier"] for w in words),
        qualifier_kinds=frozenset(kinds),
        generic=frozenset(w for words, _ in lists["generic"] for w in words),
        generic_ends=tuple(w for words, _ in lists["generic_end"] for w in words),
        generic_patterns=tuple(re.compile(words[0]) for words, _ in lists["generic_pattern"]),
        generic_parts=parts,
    )


def default_candidate_rules() -> CandidateRules:
    """The rules file of the data directory in force now (`PLANMAP_DATA` is read on each call),
    kept once per directory."""
    return _rules_at(gazetteer_dir().resolve())


@lru_cache(maxsize=4)
def _rules_at(directory: Path) -> CandidateRules:
    return load_candidate_rules(directory / CANDIDATE_RULES_FILE)
