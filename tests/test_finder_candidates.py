"""Unresolved candidates on new text: how many of its places the finder finds before and after
the candidates are added to a copy of the gazetteer (the workflow a planner would follow)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from geo.candidate_rules import load_candidate_rules
from geo.candidates import candidate_entries, find_candidates
from geo.errors import DataError
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
    names = {c.text for c in find_candidates("在苏家坨镇前沙涧村以北,打通闵庄路南段")}
    assert names == {"前沙涧村", "闵庄路"}


def test_a_short_form_is_part_of_the_name_a_full_unit_name_qualifies() -> None:
    # 温泉镇 before 黑山扈路 says where the road is; 温泉 (the town's short form) begins the
    # name of the sports centre
    got = {c.text for c in find_candidates("在温泉镇黑山扈路以北建设温泉体育中心")}
    assert got == {"黑山扈路", "温泉体育中心"}


def test_candidates_are_ranked_and_phrases_score_low() -> None:
    text = ("打通黑山扈路和闵庄路,建设温泉体育中心和技术创新中心,明确总体思路,"
            "推进“一城三街”建设,新建上庄4个核心湿地,再打通黑山扈路北段")
    ranked = find_candidates(text, min_score=0)
    scores = {c.text: c.score for c in ranked}
    assert [c.score for c in ranked] == sorted(scores.values(), reverse=True)
    assert ranked[0].text == "黑山扈路" and ranked[0].count == 2  # a road, named twice
    assert scores["黑山扈路"] > scores["闵庄路"] > scores["温泉体育中心"] > scores["技术创新中心"]
    # phrases that end like names: a common noun ending, a numbered slogan, a count
    assert not {"总体思路", "一城三街", "上庄4个核心湿地"} & set(scores)
    proposed = {c.text for c in find_candidates(text)}
    assert proposed == {"黑山扈路", "闵庄路", "温泉体育中心"}
    assert all(0 <= c.score <= 1 for c in ranked)
    assert find_candidates(text)[0].as_dict()["score"] == scores["黑山扈路"]


def test_candidate_entries_load_as_a_gazetteer_file(tmp_path: Path) -> None:
    candidates = find_candidates("沿南旱河建设滨水绿道,完善北坞村周边配套。")
    assert [c.text for c in candidates] == ["南旱河", "北坞村"]
    (tmp_path / "candidates.geojson").write_text(
        json.dumps(candidate_entries(candidates, "test"), ensure_ascii=False), encoding="utf-8"
    )
    gaz = load_gazetteer(tmp_path)
    assert [p.name for p in gaz] == ["南旱河", "北坞村"]
    assert all(p.precision == "unlocated" and p.geometry is None for p in gaz)


RULES = Path(__file__).parent.parent / "data" / "gazetteer" / "candidate-rules.toml"


def test_the_rules_file_loads_and_every_example_shows_its_rule() -> None:
    rules = load_candidate_rules(RULES)
    assert next(iter(rules.endings)) in {"产业园", "科技园"}  # longest endings are tried first
    assert rules.endings["路"] > rules.endings["中心"]
    assert 0 < rules.scoring.propose_at < 1
    assert "town" in rules.qualifier_kinds and "街道" in rules.qualifier_endings


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('example = "一城三街"', 'example = "城三街"'),
         r"\[\[generic_pattern\]\] #1: the example '城三街' does not show the rule"),
        (('example = "后厂村路"', 'example = "后厂村路口"'), r"\[\[ending\]\] #1: the example"),
        (('example = "社区卫生服务中心"', 'example = "卫生中心"'),
         r"\[\[generic\]\] #1: the example"),
        (("propose_at = 0.5", "propose_at = 1.5"), r"\[score\] propose_at: must be a number"),
        (("propose_at = 0.5", "threshold = 0.5"), r"\[score\]: missing propose_at"),
        (('pattern = "[0-9', 'pattern = "(?P<x[0-9'), r"\[\[generic_pattern\]\] #2: bad pattern"),
        (('kinds = "district town subdistrict"', 'kinds = "district township"'),
         r"unknown kind 'township'"),
        (("[[not_an_end]]\nwords = \"", "[[not_an_end]]\nwords = \"街道口 "),
         r"'街道口' is not two"),
        (("[[break]]\nwords", "[[break]]\nwhy = 1\nwords"), r"\[\[break\]\] #1: unknown key"),
        (("\n[score]\n", "\n[scores]\nx = 1\n[score]\n"), r"unknown table\(s\) scores"),
    ],
)
def test_a_bad_rules_file_is_one_line_naming_the_entry(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = RULES.read_text(encoding="utf-8")
    assert change[0] in text, change[0]
    path = tmp_path / "candidate-rules.toml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        load_candidate_rules(path)
    assert "\n" not in str(info.value)


def test_a_missing_reason_is_refused(tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8")
    path = tmp_path / "candidate-rules.toml"
    start = text.index("\n[[qualifier]]\n")
    reason = text.index("reason = ", start)
    path.write_text(text[:reason] + "reason = \" \"\n" + text[text.index("\n", reason) + 1:],
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"\[\[qualifier\]\] #1: say why in 'reason'"):
        load_candidate_rules(path)
