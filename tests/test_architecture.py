"""The rules of docs/developing.md that code review alone would let slip: dependencies point one
way (webmap → layers → geo), webmap reaches data only through the store, and no module grows
past the size a newcomer can read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "layers", "webmap")
# what each package may not import (directly or as a submodule)
FORBIDDEN = {
    "geo": ("layers", "webmap", "flask", "folium", "branca", "jinja2", "werkzeug"),
    "layers": ("webmap", "flask", "folium", "branca", "werkzeug"),
}
MAX_LINES = 450
MAX_ATLAS_LINES = 250


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependencies_point_one_way(package: str) -> None:
    wrong = {str(p.relative_to(ROOT)): sorted(imported(p) & set(FORBIDDEN[package]))
             for p in modules(package)}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_webmap_reaches_data_only_through_the_store() -> None:
    pattern = re.compile(r"default_corpus\(\)|default_gazetteer\(\)|getattr\(store\b")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in modules("webmap")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []


def test_no_module_is_too_long_to_read() -> None:
    long = {str(p.relative_to(ROOT)): n for pkg in PACKAGES for p in modules(pkg)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    atlas = {str(p.relative_to(ROOT)): n
             for p in sorted((ROOT / "webmap" / "static" / "atlas").glob("*.js"))
             if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_ATLAS_LINES}
    assert long == {} and atlas == {}
