"""Where the embedded data lives.

The data directory is part of the repository, not of a package, so a planner can open and correct
it in QGIS or a text editor. `PLANMAP_DATA` points elsewhere (a test fixture, another district).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    override = os.environ.get("PLANMAP_DATA")
    return Path(override) if override else PROJECT_ROOT / "data"


def plans_dir() -> Path:
    return data_dir() / "plans"


def gazetteer_dir() -> Path:
    return data_dir() / "gazetteer"


def build_dir() -> Path:
    """Derived output (`planmap build`); never committed."""
    override = os.environ.get("PLANMAP_BUILD")
    return Path(override) if override else PROJECT_ROOT / "build"
