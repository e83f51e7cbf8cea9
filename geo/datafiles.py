"""Reading the project's TOML data files (plans, repairs, finder rules, layers, settings).

Each is edited by hand, so a missing file or a syntax slip must become one DataError naming the
file, never a traceback; every loader reads through here so they all say it the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from geo.errors import DataError


def read_toml(path: Path, *, optional: bool = False) -> dict[str, Any]:
    """The parsed file; `{}` for a missing optional file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if optional:
            return {}
        raise DataError(f"{path}: file missing") from None
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path.name}: {exc}") from None
