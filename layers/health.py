"""Is the data behind a store still sound? The answer `/healthz` gives, cheaply.

The store validated its data when it was built; files edited afterwards (a planner fixing an
entry on the server, a half-copied update) are what a health check must notice, because the next
restart will read them. `DataWatch` keeps the last answer with the folder's fingerprint (one stat
per file) and re-validates only when a file changed; a caller arriving while another re-validates
gets the last answer instead of waiting, so the check never stalls under load. The first
question validates every file once (the store reads some, such as the district boundaries, only
when a map first needs them), so `planmap serve` can refuse broken data before it serves.
"""

from __future__ import annotations

import threading
from pathlib import Path

from geo import datacheck
from geo.corpus import Corpus
from geo.errors import DataError
from geo.gazetteer import Gazetteer
from layers.basemap import basemap_features
from layers.definitions import check_references, load_definitions


def _check_layers(directory: Path, corpus: Corpus, gazetteer: Gazetteer) -> None:
    check_references(load_definitions(directory / "layers.toml"), gazetteer, corpus)
    basemap_features(gazetteer, directory)  # the store reads it on the first map, not at start


datacheck.add_check("layers.toml", _check_layers)


def problem(directory: Path) -> str | None:
    """The one-line problem of the data folder, or None when every file is sound."""
    try:
        datacheck.validate(directory)
    except DataError as exc:
        return exc.message
    return None


class DataWatch:
    """The health of one data folder, re-validated when (and only when) a file changes."""

    def __init__(self, directory: Path, known_good: bool = False) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._fingerprint = datacheck.fingerprint(directory) if known_good else None
        self._problem: str | None = None

    def problem(self) -> str | None:
        now = datacheck.fingerprint(self.directory)
        if now == self._fingerprint:
            return self._problem
        if not self._lock.acquire(blocking=False):
            return self._problem  # another thread is re-validating: the last answer stands
        try:
            self._problem = problem(self.directory)
            self._fingerprint = now
            return self._problem
        finally:
            self._lock.release()
