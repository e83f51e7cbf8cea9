"""Reading a plan or a new document's text: its encoding found, its size bounded.

Planning texts reach us as UTF-8, but a document saved on a Chinese Windows desktop is often
GB18030 (GBK's superset). Strict decoding in that order tells them apart: GB18030 text is almost
never valid UTF-8, and bytes that are neither fail both, so nothing is decoded by guesswork and
a file that is neither is refused in one line. Offsets everywhere index the decoded string, so
the encoding of the file on disk does not move them.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import BadRequest

ENCODINGS = ("utf-8", "gb18030")
MAX_TEXT_BYTES = 64 * 1024 * 1024  # a five-year plan is about 200 KB; 64 MB is a corpus


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of `data`; BadRequest naming `name` when no encoding fits."""
    first_error: UnicodeDecodeError | None = None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    at = f" (bad byte at offset {first_error.start})" if first_error else ""
    raise BadRequest(f"{name}: not UTF-8 or GB18030 text{at}")


def read_bytes(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """At most `limit` bytes of `path`, refusing anything larger (/dev/zero, a disk image)
    before it is held in memory."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise BadRequest(f"{path}: {size / 2**20:.0f} MiB is more than the "
                                 f"{limit >> 20} MiB a text may have")
            data = fh.read(limit + 1)
    except IsADirectoryError:
        raise BadRequest(f"{path}: is a directory, not a text file") from None
    except OSError as exc:
        raise BadRequest(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise BadRequest(f"{path}: longer than the {limit >> 20} MiB a text may have")
    return data


def read_text(path: Path, name: str | None = None, limit: int = MAX_TEXT_BYTES) -> str:
    """The file's text exactly as stored (no newline translation), so offsets match it."""
    return decode(read_bytes(path, limit), name or str(path))[0]
