"""Reading the project's TOML data files (plans, repairs, finder rules, layers, settings).

Each is edited by hand, so a missing file, a syntax slip or a value of the wrong type must become
one DataError naming the file (and entry), never a traceback; every loader reads through here so
they all say it the same way, and the file's schema (geo.schemas) is checked on every read.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from geo import schemas
from geo.errors import DataError


def read_toml(path: Path, *, optional: bool = False) -> dict[str, Any]:
    """The parsed file; `{}` for a missing optional file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except FileNotFoundError:
        if optional:
            return {}
        raise DataError(f"{path}: file missing") from None
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path.name}: {exc}") from None
    schemas.check_toml(data, path.name)
    return data
