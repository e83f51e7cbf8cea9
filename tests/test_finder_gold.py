"""The finder scored against mentions annotated by hand (tests/gold/<plan-id>.tsv).

Each gold file lists every place mention on the lines its header names, with offsets inside the
line. A mention counts as right only with the exact span and the exact place id. The figures are
printed (run with -s to see them) so the closing note can quote them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from geo.corpus import default_corpus
from geo.finder import find_places
from geo.gazetteer import default_gazetteer

GOLD = Path(__file__).parent / "gold"
Mention = tuple[int, int, int, str]  # line, start in line, end in line, place id


def _covered(header: str) -> set[int]:
    match = re.search(r"Covers lines: ([0-9 ,\-]+)", header)
    assert match, f"gold header must say which lines it covers: {header!r}"
    lines: set[int] = set()
    for part in match.group(1).split(","):
        a, _, b = part.strip().partition("-")
        lines.update(range(int(a), int(b or a) + 1))
    return lines


def _read_gold(path: Path) -> tuple[set[int], set[Mention]]:
    text = path.read_text(encoding="utf-8").splitlines()
    comments = [t for t in text if t.startswith("#")]
    body = [t for t in text if not t.startswith("#")]
    covered = _covered(" ".join(comments))
    gold: set[Mention] = set()
    for row in csv.DictReader(body, delimiter="\t"):
        gold.add((int(row["line"]), int(row["start"]), int(row["end"]), row["place_id"]))
    return covered, gold


def _found(plan_id: str, covered: set[int]) -> set[Mention]:
    """Run the finder on the whole document (as the app does) and keep covered lines."""
    text = default_corpus().get(plan_id).text()
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    out: set[Mention] = set()
    line = 0
    for m in find_places(text, plan_id):
        while line + 1 < len(line_starts) and line_starts[line + 1] <= m.start:
            line += 1
        if line + 1 in covered:
            base = line_starts[line]
            out.add((line + 1, m.start - base, m.end - base, m.place_id))
    return out


# Gold files are named after the plan they annotate; other files in tests/gold/ are other data.
GOLD_FILES = sorted(p for p in GOLD.glob("*.tsv") if p.stem in default_corpus().plans)


def test_gold_files_exist_and_are_consistent() -> None:
    assert len(GOLD_FILES) >= 3
    plans = default_corpus().plans
    gazetteer = default_gazetteer()
    for path in GOLD_FILES:
        assert path.stem in plans, path.name
        lines = plans[path.stem].text().split("\n")
        covered, gold = _read_gold(path)
        for line, start, end, pid in gold:
            assert line in covered, (path.name, line)
            assert pid in gazetteer, (path.name, pid)
            assert 0 <= start < end <= len(lines[line - 1]), (path.name, line, start, end)


def test_precision_and_recall_on_gold_mentions() -> None:
    tp = fp = fn = 0
    report: list[str] = []
    errors: list[str] = []
    for path in GOLD_FILES:
        covered, gold = _read_gold(path)
        found = _found(path.stem, covered)
        lines = default_corpus().get(path.stem).text().split("\n")
        t, f, n = len(gold & found), len(found - gold), len(gold - found)
        tp, fp, fn = tp + t, fp + f, fn + n
        report.append(f"{path.stem}: {len(gold)} gold, {len(found)} found, {t} right")
        for kind, items in (("false positive", found - gold), ("missed", gold - found)):
            for line, s, e, pid in sorted(items):
                errors.append(f"{kind}: {path.stem} l.{line} {lines[line - 1][s:e]} -> {pid}")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print("\n" + "\n".join(report))
    print(f"gold mentions {tp + fn}: precision {precision:.4f}, recall {recall:.4f}")
    print("\n".join(errors))
    assert tp + fn >= 300
    assert precision >= 0.97, errors
    assert recall >= 0.95, errors


def _reference_counts() -> dict[str, list[int]]:
    body = [
        t
        for t in (GOLD / "mention-counts.tsv").read_text(encoding="utf-8").splitlines()
        if not t.startswith("#")
    ]
    return {
        row["name"]: [int(row[f"m00{i}"]) for i in range(5)]
        for row in csv.DictReader(body, delimiter="\t")
    }


# The reference table has one row for 中关村科学城; the gazetteer splits off the pre-2017 area,
# which is what the string means in the 2016 plan.
SAME_ROW = {"zhongguancunkexuecheng-2016": "中关村科学城"}
COLUMNS = (
    "hongqi-2024-world-leading-park",
    "beijing-2025-innovation-centre",
    "haidian-13th-innovation-core",
    "haidian-14th-fyp",
    "beijing-2019-three-cities-report",
)


@pytest.fixture(scope="module")
def counted() -> Counter[tuple[str, str]]:
    gazetteer = default_gazetteer()
    counts: Counter[tuple[str, str]] = Counter()
    for plan_id in COLUMNS:
        meta = default_corpus().get(plan_id)
        for m in find_places(meta.text(), plan_id):
            place = gazetteer.get(m.place_id)
            counts[(plan_id, SAME_ROW.get(place.id, place.name))] += 1
    return counts


def test_document_counts_close_to_reference_table(counted: Counter[tuple[str, str]]) -> None:
    reference = _reference_counts()
    lines: list[str] = []
    for col, plan_id in enumerate(COLUMNS):
        expected = sum(v[col] for v in reference.values())
        got = sum(n for (p, _), n in counted.items() if p == plan_id)
        diffs = [
            f"{name} {vals[col]}->{counted[(plan_id, name)]}"
            for name, vals in reference.items()
            if vals[col] != counted[(plan_id, name)]
        ]
        lines.append(f"m00{col} {plan_id}: reference {expected}, found {got}; {diffs or 'same'}")
        assert abs(got - expected) <= max(2, expected * 0.02), lines[-1]
    print("\n" + "\n".join(lines))


def test_every_reference_place_is_found_where_the_table_says(
    counted: Counter[tuple[str, str]],
) -> None:
    """A place the table says a document names must be found there at least once."""
    missing = [
        f"{name} in {plan_id}"
        for name, vals in _reference_counts().items()
        for col, plan_id in enumerate(COLUMNS)
        if vals[col] and not counted[(plan_id, name)]
    ]
    assert not missing
