"""geo.atomic: the one way planmap writes a file (temp beside the target, fsync, rename)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from disk_fixtures import fill, small_disk  # noqa: F401

from geo import atomic


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("the writer failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    atomic.write_text(target, "new")
    assert target.read_text() == "new" and oct(target.stat().st_mode & 0o777) == "0o644"


def test_disk_full_is_one_line_naming_the_target(small_disk: Path) -> None:  # noqa: F811
    fill(small_disk, 4096)
    target = small_disk / "big.bin"
    with pytest.raises(atomic.WriteFailed) as caught:
        atomic.write_bytes(target, b"x" * 100_000)
    assert caught.value.message == f"disk full writing {target}"
    assert caught.value.disk_full and caught.value.http_status == 507
    assert caught.value.exit_status == 1
    assert sorted(os.listdir(small_disk)) == ["filler"]


def test_a_file_that_fills_the_disk_exactly_is_not_trusted(small_disk: Path) -> None:  # noqa: F811
    """Some writers (GDAL's KML driver) stop at a full disk without an error: a file finished
    with no room left is treated as cut."""
    fill(small_disk, 0)
    with pytest.raises(atomic.WriteFailed, match="disk full"):
        atomic.write_bytes(small_disk / "empty.txt", b"")


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "1").write_text("a")
    (b / "2").write_text("b")
    assert atomic.exchange(a, b)
    assert os.listdir(a) == ["2"] and os.listdir(b) == ["1"]


def test_only_temps_of_ended_processes_are_removed(tmp_path: Path) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    names = [f"{atomic.TEMP_PREFIX}{ended.pid}-build-x",  # ours, process gone: removed
             f"{atomic.TEMP_PREFIX}{os.getpid()}-build-y",  # ours, running: kept
             f"{atomic.TEMP_PREFIX}1-file-z",  # pid 1 runs: kept
             f"{atomic.TEMP_PREFIX}notes",  # no process id: not ours, kept
             "layers"]
    for name in names:
        (tmp_path / name).mkdir()
    removed = atomic.clean_stale(tmp_path)
    assert [p.name for p in removed] == [names[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])


@pytest.mark.parametrize("errno_name,words", [("EACCES", "permission denied"),
                                              ("EROFS", "read-only file system"),
                                              ("ENOSPC", "disk full writing")])
def test_write_errors_read_as_one_line(errno_name: str, words: str) -> None:
    import errno

    exc = OSError(getattr(errno, errno_name), os.strerror(getattr(errno, errno_name)))
    message = atomic.write_error(exc, Path("/srv/out/a.gpkg")).message
    assert words in message and "/srv/out/a.gpkg" in message and "\n" not in message
