"""A real small disk for full-disk tests: a tmpfs mounted for the test (we run as root, in CI
too), filled until only a little room is left. Nothing about the disk is simulated: writes fail
with ENOSPC from the kernel."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def mount_tmpfs(where: Path, size: str = "3m") -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    assert done.returncode == 0, (
        f"full-disk tests mount a tmpfs and need root: {done.stderr.strip()}")


def fill(where: Path, leave: int) -> None:
    """Take all but `leave` bytes of the file system at `where`."""
    st = os.statvfs(where)
    free = st.f_bfree * st.f_frsize
    (where / "filler").write_bytes(b"\0" * max(0, free - leave))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB file system of its own, unmounted afterwards."""
    mnt = tmp_path / "disk"
    mount_tmpfs(mnt)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
