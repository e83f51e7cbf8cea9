"""Every file planmap writes goes through here: a temporary file beside the target, flushed and
fsynced, renamed into place only when complete.

A reader (a GIS client, nginx serving a build, the download cache) therefore sees the old file
or the new one, never half of one, and a failed write leaves nothing behind. An OSError becomes
one `WriteFailed` line naming the target ("disk full writing PATH"), which the CLI prints and
exits on and the web answers as 507/503 JSON.

Temporary names carry our prefix and the writing process's id, so a later run can tell the
leftovers of a killed process (prefix ours, process gone) from anything else in the folder, and
remove only those.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import PlanmapError

TEMP_PREFIX = ".planmap-tmp-"


class WriteFailed(PlanmapError):
    """A write that could not complete; nothing was left at the target."""

    http_status = 503
    exit_status = 1
    code = "WriteFailed"

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full
        if disk_full:
            self.http_status = 507
            self.code = "InsufficientStorage"


def write_error(exc: OSError, target: Path | str) -> WriteFailed:
    """The one line a user reads for an OSError raised while writing `target`."""
    target = Path(target)
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return WriteFailed(f"disk full writing {target}", disk_full=True)
    if code in (errno.EACCES, errno.EPERM):
        return WriteFailed(f"cannot write {target}: permission denied")
    if code == errno.EROFS:
        return WriteFailed(f"cannot write {target}: read-only file system")
    if code in (errno.ENOTDIR, errno.EEXIST):
        blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return WriteFailed(f"cannot write {target}: {blocker} is a file, not a folder")
    if code == errno.ENOENT:
        if target.parent.is_dir():
            return WriteFailed(f"cannot write {target}: {target.parent} takes no new files")
        return WriteFailed(f"cannot write {target}: folder {target.parent} does not exist")
    if code == errno.EFBIG:
        return WriteFailed(f"cannot write {target}: file too large for this file system")
    return WriteFailed(f"cannot write {target}: {exc.strerror or exc}")


def failed(exc: Exception, target: Path | str, folder: Path) -> WriteFailed:
    """The one line for any error of a writer (GDAL reports a full disk as its own error
    types, with messages such as "Failed to commit transaction"): a full disk is named as such
    whatever the writer said. Call it before the temporary `folder` is removed."""
    if _disk_full(folder):
        return WriteFailed(f"disk full writing {target}", disk_full=True)
    if isinstance(exc, OSError):
        return write_error(exc, target)
    # GDAL removes its journal or half-written file before it reports, so the disk has room
    # again when we look; a writer failing with almost no room left ran out of it.
    if _free_bytes(folder) < LOW_SPACE:
        return WriteFailed(f"disk full writing {target}", disk_full=True)
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return WriteFailed(f"cannot write {target}: {first_line}")


LOW_SPACE = 32 * 1024 * 1024


def _free_bytes(path: Path) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return LOW_SPACE
    if st.f_blocks == 0:
        return LOW_SPACE
    return (st.f_bfree if os.geteuid() == 0 else st.f_bavail) * st.f_frsize


def _disk_full(path: Path) -> bool:
    """True when the file system holding `path` has no block left for this process.

    Some writers (GDAL's KML driver among them) stop at a full disk without reporting it; a
    file finished on a disk with nothing left may be cut, so it is treated as a failed write.
    A file that exactly filled the disk is refused too, which costs nothing: the next write
    would fail anyway."""
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    if st.f_blocks == 0:  # pseudo file systems report no size at all
        return False
    free = st.f_bfree if os.geteuid() == 0 else st.f_bavail
    return free == 0


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a crash after it keeps the new name)."""
    try:
        _fsync_path(folder)
    except OSError as exc:  # some file systems cannot fsync a directory; the data is synced
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise


def sync_file(path: Path, target: Path | None = None) -> None:
    """fsync a finished file and check the disk did not fill up under it."""
    _fsync_path(path)
    if _disk_full(path.parent):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target or path))


def _temp_name(kind: str) -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{kind}-"


def commit(tmp: Path, target: Path) -> None:
    """Sync `tmp` (a complete file in target's folder) and rename it over `target`."""
    tmp, target = Path(tmp), Path(target)
    try:
        sync_file(tmp, target)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(exc, target) from None


@contextmanager
def atomic_path(target: Path | str, mode: int = 0o644) -> Iterator[Path]:
    """A fresh temporary path in target's folder for the caller to write; on a clean exit it is
    synced and renamed over `target`, on any error removed (an OSError becomes WriteFailed)."""
    target = Path(target)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=_temp_name("file"),
                                    suffix=target.suffix)
        os.close(fd)
    except OSError as exc:
        raise write_error(exc, target) from None
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(exc, target) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    commit(tmp, target)


def write_bytes(target: Path | str, data: bytes, mode: int = 0o644) -> None:
    with atomic_path(target, mode) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def write_text(target: Path | str, text: str, mode: int = 0o644) -> None:
    with atomic_path(target, mode) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def temp_dir(parent: Path, kind: str, target: Path | None = None) -> Path:
    """A private folder in `parent` named so a later run can recognise it if we are killed;
    an error names `target` (what the folder is for), else `parent`."""
    try:
        return Path(tempfile.mkdtemp(prefix=_temp_name(kind), dir=parent))
    except OSError as exc:
        raise write_error(exc, target or parent) from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


def stale_temps(parent: Path, prefix: str = TEMP_PREFIX) -> list[Path]:
    """Our temporary files and folders in `parent` whose writing process has ended."""
    out: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return out
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            out.append(entry)
    return out


def clean_stale(parent: Path, prefix: str = TEMP_PREFIX) -> list[Path]:
    """Remove what killed planmap processes left in `parent`; returns what was removed."""
    removed = stale_temps(parent, prefix)
    for entry in removed:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return removed


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False when the
    system or file system cannot, so the caller falls back to two renames."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
