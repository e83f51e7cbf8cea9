"""`planmap plans`, `outline` and `cite`, through the real entry point."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

from geo.corpus import default_corpus
from geo.reader import PlanDoc, read_plan
from webmap.cli import main


@functools.cache
def plan_doc(plan_id: str) -> PlanDoc:
    """A plan of the default corpus, read once for this test module."""
    return read_plan(default_corpus().get(plan_id))

FYP = "haidian-14th-fyp"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse: --help, usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_plans_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "plans")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["id", "year", "paragraphs", "characters", "title"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert list(rows) == [  # date order
        "haidian-13th-innovation-core", "beijing-2019-three-cities-report", FYP,
        "hongqi-2024-world-leading-park", "beijing-2025-innovation-centre"]
    fyp = rows[FYP]
    assert fyp[1] == "2021" and int(fyp[2]) == len(plan_doc(FYP).paragraphs) == 442
    assert int(fyp[3]) == sum(len(p.text) for p in plan_doc(FYP).paragraphs)
    assert fyp[4].startswith("北京市海淀区国民经济和社会发展第十四个五年规划")
    # the numeric columns line up (right-aligned to the same column)
    ends = {line.index(rows[k][3]) + len(rows[k][3]) for k, line in zip(rows, lines[1:],
                                                                         strict=True)}
    assert len(ends) == 1


def test_plans_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plans", "--json")
    data = json.loads(out)
    assert status == 0 and len(data) == 5
    by_id = {d["id"]: d for d in data}
    assert by_id["hongqi-2024-world-leading-park"]["paragraphs"] == 27
    assert by_id[FYP]["year"] == 2021 and by_id[FYP]["file_characters"] > by_id[FYP]["characters"]


def test_outline_of_the_14th_plan(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "outline", FYP)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert "11 chapters, 50 sections" in lines[0]
    chapters = [ln for ln in lines if ln.startswith("第") and "章" in ln.split()[0]]
    assert len(chapters) == 11
    assert chapters[0].startswith("第一章 开启现代化建设新征程  (137 paragraphs, l.9)")
    assert chapters[3] == "第四章 (title missing in source)  (35 paragraphs, from l.295)"
    assert chapters[7] == "第八章 (title missing in source)  (52 paragraphs, from l.492)"
    missing = [ln.strip() for ln in lines if "title missing" in ln]
    assert missing == [
        "第四章 (title missing in source)  (35 paragraphs, from l.295)",
        "第一节 (title missing in source)  (7 paragraphs, from l.296)",
        "第四节 (title missing in source)  (5 paragraphs, from l.431)",
        "第五节 (title missing in source)  (4 paragraphs, from l.485)",
        "第八章 (title missing in source)  (52 paragraphs, from l.492)",
    ]
    assert "  第二节 着力提升三山五园首都功能  (5 paragraphs, l.190)" in lines
    assert "      专栏: 新一代信息技术产业重点领域  (1 paragraph, l.299)" in lines
    # lead sentences only with --leads
    assert not any("统筹推进清河两岸综合整治提升" in ln for ln in lines)
    _, with_leads, _ = run(capsys, "outline", FYP, "--leads")
    assert "      统筹推进清河两岸综合整治提升  (1 paragraph, l.382)" in with_leads.splitlines()


def test_outline_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "outline", "hongqi-2024-world-leading-park", "--json", "--leads")
    tree = json.loads(out)
    assert status == 0 and tree["paragraphs"] == 27 and tree["warnings"] == []
    first = tree["sections"][0]
    assert first["label"] == "一、" and first["paragraphs"] == 4
    assert [c["title"] for c in first["children"]] == ["搭建高能级平台体系", "实施高水平攻关行动",
                                                      "推动高效能成果转化"]


def test_cite(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "cite", FYP, "382")
    assert status == 0 and err == ""
    citation, text = out.rstrip("\n").split("\n")
    assert citation == "《海淀区十四五规划纲要》第五章 第三节 一、 (第382行)"
    assert text.startswith("统筹推进清河两岸综合整治提升。") and text.endswith("创新活力城区。")
    status, out, _ = run(capsys, "cite", "beijing-2019-three-cities-report", "29", "--json")
    data = json.loads(out)
    assert data["id"] == "beijing-2019-three-cities-report:29"
    assert data["section_labels"] == ["四、", "(十)"]
    assert data["text"].startswith("第一,加快推进")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cite", "no-such-plan", "3"], "unknown plan id 'no-such-plan'"),
        (["outline", "no-such-plan"], "unknown plan id 'no-such-plan'"),
        (["cite", FYP, "abc"], "LINE must be a whole number, got 'abc'"),
        (["cite", FYP, "0"], "LINE must be 1 or more"),
        (["cite", FYP, "9999"], "has lines 1–668; there is no line 9999"),
        (["cite", FYP, "9"], "line 9 of haidian-14th-fyp is a heading (第一章 开启现代化建设新征"),
        (["cite", "haidian-13th-innovation-core", "3"], "is blank"),
        (["cite", "haidian-13th-innovation-core", "560"], "is web-page residue"),
        (["cite", FYP, "70"], "is a table rule"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("planmap: error: ")
    assert message in err


@pytest.mark.parametrize("command", ["plans", "outline", "cite"])
def test_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    status, out, _ = run(capsys, command, "--help")
    assert status == 0 and out.startswith(f"usage: planmap {command}")
    assert "--json" in out


def test_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "cite", FYP)
    assert status == 2 and err.count("\n") == 1 and "LINE" in err


@pytest.mark.slow
def test_real_process_exit_status() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "webmap.cli", "cite", FYP, "9"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("planmap: error: line 9 of haidian-14th-fyp is a heading")
