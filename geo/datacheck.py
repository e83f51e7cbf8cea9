"""One validation of a data folder, shared by `planmap data check`, `planmap serve` and
`/healthz`, so the three never disagree about whether the data is sound.

Every file is read through its loader (schemas in geo.schemas, meaning in the loaders); the
first problem is a DataError of one line naming the file and entry. Packages above geo add the
files they own (layers.toml) with `add_check`, so the check covers them without geo knowing
them. `fingerprint` names the folder's state cheaply (one stat per file), so a long-running
service re-validates only when a file actually changed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from geo import schemas
from geo.areas.spec import load_areas
from geo.candidate_rules import CANDIDATE_RULES_FILE, load_candidate_rules
from geo.corpus import Corpus, load_corpus
from geo.errors import DataError
from geo.finder import RULES_FILE, load_rules
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.reader.builder import load_repairs

Check = Callable[[Path, Corpus, Gazetteer], None]
_CHECKS: dict[str, Check] = {}


def add_check(name: str, check: Check) -> None:
    """Register a further check (a package's own data file), run after geo's own."""
    _CHECKS[name] = check


def validate(directory: Path) -> tuple[Corpus, Gazetteer]:
    """Load and check every data file under `directory`; DataError on the first problem."""
    corpus = load_corpus(directory / "plans")
    for meta in corpus:
        meta.text()  # the encoding: UTF-8 or GB18030, else one line naming the plan
    load_repairs(directory / "plans")
    plan_ids = set(corpus.plans)
    gazetteer = load_gazetteer(directory / "gazetteer", plan_ids=plan_ids)
    load_rules(directory / "gazetteer" / RULES_FILE, gazetteer, plan_ids)
    load_candidate_rules(directory / "gazetteer" / CANDIDATE_RULES_FILE)
    boundaries = directory / "boundaries"
    if (boundaries / "areas.toml").is_file():
        load_areas(boundaries / "areas.toml")
    for path in sorted(boundaries.glob("*.geojson")):
        check_geojson(path)
    for check in _CHECKS.values():
        check(directory, corpus, gazetteer)
    return corpus, gazetteer


def check_geojson(path: Path) -> None:
    """A boundary file: UTF-8 JSON, a FeatureCollection of features (geo.schemas)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path.name}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise DataError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    schemas.check(data, schemas.FEATURE_COLLECTION, path.name)


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every file under `directory`: changes when any file does."""
    out: list[tuple[str, int, int]] = []
    stack = [str(directory)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            out.append((folder, -1, -1))
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    st = entry.stat()
                    out.append((entry.path, st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((entry.path, -1, -1))
    return tuple(sorted(out))
