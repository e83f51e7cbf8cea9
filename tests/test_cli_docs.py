"""Every `planmap` command, option and argument is documented next to its command's name.

The argparse tree `webmap.cli.build_parser()` builds is walked; for each command, the docs
(README.md and docs/*.md) are cut into units (a paragraph, a table row or a line of a code block)
and the units naming `planmap <command>` must between them show every option string and every
positional argument's name. Adding an option without documenting it fails here.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from webmap.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def doc_units(text: str) -> Iterator[str]:
    """Paragraphs of prose; each table row and each line of a code block on its own."""
    paragraph: list[str] = []
    in_code = False
    for line in text.splitlines():
        fence = line.lstrip().startswith("```")
        if fence or in_code or line.lstrip().startswith("|") or not line.strip():
            if paragraph:
                yield " ".join(paragraph)
                paragraph = []
            if fence:
                in_code = not in_code
            elif line.strip():
                yield line
            continue
        paragraph.append(line)
    if paragraph:
        yield " ".join(paragraph)


UNITS = [unit for path in DOC_FILES for unit in doc_units(path.read_text(encoding="utf-8"))]


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """(command path, the words its docs must show) for every command that runs something: a
    command without subcommands, or one whose subcommands are optional (`planmap plans` lists,
    `planmap plans add` adds)."""
    words: list[str] = []
    runs_alone = True
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            runs_alone = not action.required
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))
        elif isinstance(action, argparse._HelpAction):
            continue
        elif action.option_strings:
            words.extend(action.option_strings)
        else:
            metavar = action.metavar if isinstance(action.metavar, str) else None
            words.append(metavar or action.dest.upper())
    if path and runs_alone:
        yield path, words


COMMANDS = list(commands(build_parser()))


def _word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")


def test_the_walk_finds_the_commands() -> None:
    found = {" ".join(path) for path, _ in COMMANDS}
    assert {"plans", "plans add", "data check", "export", "render", "serve"} <= found
    assert dict((" ".join(p), w) for p, w in COMMANDS)["export"][:2] == ["--layer", "--all"]


@pytest.mark.parametrize(("path", "words"), COMMANDS, ids=lambda v: "-".join(v)
                         if isinstance(v, tuple) else None)
def test_every_option_is_documented_with_its_command(path: tuple[str, ...], words: list[str]
                                                     ) -> None:
    command = _word("planmap " + " ".join(path))
    text = "\n".join(unit for unit in UNITS if command.search(unit))
    assert text, f"`planmap {' '.join(path)}` is not in README.md or docs/*.md"
    missing = [w for w in words if not _word(w).search(text)]
    assert not missing, (f"`planmap {' '.join(path)}`: {missing} not documented beside the "
                         "command in README.md or docs/*.md")
