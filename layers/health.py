"""Is the data behind a store still sound? The answer `/healthz` gives, cheaply.

The store validated its data when it was built; files edited afterwards (a planner fixing an
entry on the server, a half-copied update) are what a health check must notice, because the next
restart will read them. `DataWatch` keeps the last answer with the folder's fingerprint (one stat
per file) and re-validates only when a file changed; a caller arriving while another re-validates
gets the last answer instead of waiting, so the check never stalls under load. Every file is
validated once at the first question (the store reads some, such as the district boundaries,
only when a map first needs them), and `planmap serve` waits for that answer before it serves.
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
    """The health of one data folder, re-validated when (and only when) a file changes.

    `problem()` never waits: when the folder changed it starts a re-validation in a thread and
    answers with the last result meanwhile (so a load balancer's probe never stalls behind a
    second of validation); `problem(wait=True)` validates now (`planmap serve` before it
    serves)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._fingerprint: object = None  # nothing validated yet
        self._problem: str | None = None

    def _validate(self, now: object) -> None:
        try:
            self._problem = problem(self.directory)
            self._fingerprint = now
        finally:
            self._lock.release()

    def problem(self, wait: bool = False) -> str | None:
        now = datacheck.fingerprint(self.directory)
        if now == self._fingerprint:
            return self._problem
        if not self._lock.acquire(blocking=wait):
            return self._problem  # being re-validated: the last answer stands meanwhile
        if now == self._fingerprint:  # validated while this caller waited for the lock
            self._lock.release()
            return self._problem
        if wait:
            self._validate(now)
        else:
            threading.Thread(target=self._validate, args=(now,), daemon=True,
                             name="planmap-data-check").start()
        return self._problem
