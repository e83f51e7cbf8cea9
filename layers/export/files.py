"""Files around the writers: checking a target before anything is written, zipping a folder."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from geo.errors import BadRequest


def check_target(path: Path) -> None:
    """BadRequest (one line) if `path` cannot be written, before any work is done."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadRequest(f"cannot write {path}: it is a directory")
    if not parent.is_dir():
        raise BadRequest(f"cannot write {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadRequest(f"cannot write {path}: permission denied")


def zip_folder(folder: Path, path: Path) -> None:
    """Every file of `folder` (not subfolders) into the ZIP `path`, in name order."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
