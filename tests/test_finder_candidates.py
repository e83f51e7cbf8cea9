"""Unresolved candidates on new text: how many of its places the finder finds before and after
the candidates are added to a copy of the gazetteer (the workflow a planner would follow)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from geo.candidates import candidate_entries, find_candidates
from geo.finder import find_places
from geo.gazetteer import Gazetteer, default_gazetteer, load_gazetteer
from geo.paths import gazetteer_dir

GOLD = Path(__file__).parent / "gold"


def _expected(name: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Spans of the listed places. The gazetteer grows while the project is worked on: a place
    listed NEW that has since been entered is expected as that entry."""
    text = (GOLD / name).read_text(encoding="utf-8")
    entered = {n: p.id for p in default_gazetteer() for n in p.names()}
    body = [t for t in (GOLD / "new-texts.tsv").read_text("utf-8").splitlines() if t[:1] != "#"]
    out: list[tuple[int, int, str, str]] = []
    pos = 0
    for row in csv.DictReader(body, delimiter="\t"):
        if row["file"] != name:
            continue
        start = text.index(row["surface"], pos)
        pos = start + len(row["surface"])
        want = row["expected"]
        if want == "NEW":
            want = entered.get(row["surface"], want)
        out.append((start, pos, row["surface"], want))
    return text, out


def _score(text: str, expected: list[tuple[int, int, str, str]], gaz: Gazetteer) -> dict:
    found = {(m.start, m.end): m for m in find_places(text, gazetteer=gaz)}
    right = 0
    for start, end, surface, want in expected:
        m = found.get((start, end))
        if m is None:
            continue
        if want == "NEW":
            right += m.place_id.startswith("candidate-") and gaz.get(m.place_id).name == surface
        else:
            right += m.place_id == want
    return {"places": len(expected), "found": right, "wrong": len(found) - right}


def _with_candidates(tmp_path: Path, text: str, source: str) -> tuple[Gazetteer, int]:
    for path in gazetteer_dir().glob("*.geojson"):
        shutil.copy(path, tmp_path / path.name)
    candidates = find_candidates(text)
    (tmp_path / "candidates.geojson").write_text(
        json.dumps(candidate_entries(candidates, source), ensure_ascii=False), encoding="utf-8"
    )
    return load_gazetteer(tmp_path), len(candidates)


@pytest.mark.parametrize(
    ("name", "min_after", "max_wrong_after"),
    [("new-text.txt", 1.0, 0), ("new-text-2.txt", 0.6, 3)],
)
def test_candidates_before_and_after(
    tmp_path: Path, name: str, min_after: float, max_wrong_after: int
) -> None:
    text, expected = _expected(name)
    before = _score(text, expected, default_gazetteer())
    gaz, n_candidates = _with_candidates(tmp_path, text, f"planmap mentions --unresolved {name}")
    after = _score(text, expected, gaz)
    new = sum(1 for e in expected if e[3] == "NEW")
    print(
        f"\n{name}: {before['places']} place mentions ({new} not in the gazetteer); "
        f"{n_candidates} candidates; found before {before['found']} "
        f"({before['wrong']} wrong), after {after['found']} ({after['wrong']} wrong)"
    )
    assert before["found"] <= before["places"] - new  # the new places cannot be found before
    assert after["found"] > before["found"]
    assert after["found"] >= min_after * after["places"]
    assert after["wrong"] <= max_wrong_after


def test_candidates_skip_known_and_generic_names() -> None:
    names = {
        c.text for c in find_candidates("推进中关村软件园和社区卫生服务中心建设,加快园区道路改造")
    }
    assert names == set()
    names = {c.text for c in find_candidates("在温泉镇温阳路以北,打通永丰路南段")}
    assert names == {"温阳路", "永丰路"}


def test_candidate_entries_load_as_a_gazetteer_file(tmp_path: Path) -> None:
    candidates = find_candidates("沿京密引水渠建设滨水绿道,完善稻香湖周边配套。")
    assert [c.text for c in candidates] == ["京密引水渠", "稻香湖"]
    (tmp_path / "candidates.geojson").write_text(
        json.dumps(candidate_entries(candidates, "test"), ensure_ascii=False), encoding="utf-8"
    )
    gaz = load_gazetteer(tmp_path)
    assert [p.name for p in gaz] == ["京密引水渠", "稻香湖"]
    assert all(p.precision == "unlocated" and p.geometry is None for p in gaz)
