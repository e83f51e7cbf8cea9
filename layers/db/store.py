"""A PlanStore over the data files with the database's approved corrections applied.

The data files are the base (a `LayerStore`); the approved revisions override their places.
Every answer comes from an in-memory `LayerStore` built over the corrected gazetteer, so reads
cost what they cost with the file store. What keeps it current across processes is the change
counter each approval increments: each process reads it at most once per `check_seconds` (one
indexed single-row read), and on PostgreSQL also LISTENs for the NOTIFY an approval sends at
commit, so a change starts the rebuild at once. The rebuild runs in a background thread while
the previous snapshot goes on serving; it keeps the plans' documents and the mention index when
no name changed (`LayerStore.revised`), which makes it a few hundredths of a second.

Plans added at run time (layers.db.plans) and the stop rules of the unknown-names review are
read with the corrections: when they change, the store is rebuilt with them in its corpus and
its finder rules (the plans already read are not read again), so the finder runs on the new plan
at once and, after a new place or alias is approved, on every plan again.

A request should read one snapshot throughout (`current()`), so its pages and its cache keys
agree; the PlanStore methods here delegate to the snapshot of the moment.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from geo.corpus import Corpus, PlanMeta
from geo.errors import PlanmapError
from geo.finder import FinderRules, StopString
from geo.gazetteer import Gazetteer
from layers.basemap import BasemapFeature
from layers.db.engine import Database
from layers.db.errors import Unavailable
from layers.db.plans import PlanIntake
from layers.definitions import Definitions, LayerDef
from layers.edits.service import NOTIFY_CHANNEL, Edits
from layers.protocol import PlanDocument
from layers.store import LayerStore

log = logging.getLogger(__name__)


class DatabaseStore:
    def __init__(self, db: Database, base: LayerStore, check_seconds: float = 1.0,
                 background: bool = True) -> None:
        self.db = db
        self.base = base
        self.edits = Edits(db, base.gazetteer, set(base.corpus.plans))
        self.intake = PlanIntake(db, set(base.corpus.plans))
        self._plans_key: tuple[Any, ...] | None = None
        self.check_seconds = check_seconds
        self.background = background
        self._current = base
        self._counter = -1
        self._checked = 0.0
        self._build_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._building = False
        self._again = False
        self._listener_pid: int | None = None
        self._stopped = threading.Event()
        self._warned = 0.0
        self.last_build: dict[str, Any] = {}
        self.refresh()

    # ------------------------------------------------------------------ freshness

    def current(self) -> LayerStore:
        """The snapshot to answer from now; starts a rebuild when the database has moved on."""
        self._ensure_listener()
        now = time.monotonic()
        if now - self._checked >= self.check_seconds:
            self._checked = now
            try:
                counter = self.edits.counter()
            except Unavailable:
                if now - self._warned > 60:
                    self._warned = now
                    log.warning("database unreachable: serving the last known data")
                return self._current
            if counter != self._counter:
                self._schedule()
        return self._current

    def refresh(self) -> bool:
        """Rebuild now if the database has changed since the last build; True if it did."""
        with self._build_lock:
            started = time.perf_counter()
            counter, states = self.edits.snapshot()
            if counter == self._counter:
                return False
            plans, stops, known = self.intake.snapshot()
            # aliases may name any stored plan (a withdrawn one stays a known id)
            self.edits.plan_ids = set(self.base.corpus.plans) | known
            gazetteer = self.edits.gazetteer(states)
            previous = self._current
            key = (tuple(sorted((m.id, m.extra.get("checksum")) for m in plans)), stops)
            if key != self._plans_key and (plans or stops or self._plans_key is not None):
                built = LayerStore(Corpus([*self.base.corpus, *plans]), gazetteer,
                                   self.base.definitions, rules=self._rules(gazetteer, stops),
                                   basemap_dir=self.base.basemap_dir,
                                   documents={**self.base._docs, **previous._docs},
                                   source_dir=self.base.source_dir)
            elif previous is not self.base or states:
                built = previous.revised(gazetteer, rules=self._rules(gazetteer, stops))
            else:
                built = self.base
            self._plans_key = key
            self._current, self._counter = built, counter
            self.last_build = {"counter": counter, "seconds": time.perf_counter() - started,
                               "changed_places": len(states),
                               "at": time.time()}
            return built is not previous

    def _rules(self, gazetteer: Gazetteer, stops: tuple[StopString, ...]) -> FinderRules:
        """The data files' finder rules with the review's stop strings; context rules naming
        places the corrected gazetteer lacks are left out (they cannot apply)."""
        base = self.base.rules
        return FinderRules((*base.stops, *stops),
                           tuple(r for r in base.rules if r.place_id in gazetteer))

    def refresh_soon(self) -> None:
        """After a change made by this process: rebuild now, in the background."""
        self._checked = time.monotonic()
        self._schedule()

    def _schedule(self) -> None:
        if not self.background:
            self.refresh()
            return
        with self._state_lock:
            if self._building:
                self._again = True
                return
            self._building = True
        threading.Thread(target=self._build_loop, name="planmap-store-rebuild",
                         daemon=True).start()

    def _build_loop(self) -> None:
        while True:
            try:
                self.refresh()
            except PlanmapError as error:  # keep serving the last good snapshot
                log.error("rebuilding the store after a change failed: %s", error.message)
            with self._state_lock:
                if not self._again:
                    self._building = False
                    return
                self._again = False

    def _ensure_listener(self) -> None:
        """On PostgreSQL, one LISTEN thread per process (started after a fork, not before)."""
        if not self.background or self.db.backend != "postgresql" or \
                self._listener_pid == os.getpid():
            return
        with self._state_lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()
        threading.Thread(target=self._listen, name="planmap-listen", daemon=True).start()

    def _listen(self) -> None:
        import psycopg

        conninfo = self.db.url.set(drivername="postgresql").render_as_string(
            hide_password=False)
        while not self._stopped.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._schedule()  # whatever was approved while we were not listening
                    while not self._stopped.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self._schedule()
            except psycopg.Error as error:
                log.warning("LISTEN %s: %s; polling until it is back", NOTIFY_CHANNEL, error)
                self._stopped.wait(5.0)

    def close(self) -> None:
        self._stopped.set()
        self.db.dispose()

    def health(self, wait: bool = False) -> str | None:
        """The data files' problem, as for the file store: the served snapshot is built on them."""
        return self.current().health(wait)

    def database_status(self) -> dict[str, Any]:
        """For /healthz: is the database reachable, and how current is the served snapshot."""
        try:
            counter: int | None = self.edits.counter()
        except Unavailable:
            counter = None
        return {"backend": self.db.backend, "reachable": counter is not None,
                "changes": counter, "served": self._counter,
                "last_build_seconds": round(self.last_build.get("seconds", 0.0), 3)}

    # ------------------------------------------------------------------ PlanStore

    @property
    def version(self) -> str:
        return self.current().version

    @property
    def corpus(self) -> Corpus:
        return self.current().corpus

    @property
    def gazetteer(self) -> Gazetteer:
        return self.current().gazetteer

    @property
    def definitions(self) -> Definitions:
        return self.current().definitions

    @property
    def layers(self) -> Sequence[LayerDef]:
        return self.current().layers

    @property
    def stats(self) -> Mapping[str, int]:
        return self.current().stats

    def layer(self, layer_id: str) -> LayerDef:
        return self.current().layer(layer_id)

    def layer_ids(self) -> list[str]:
        return self.current().layer_ids()

    def member_ids(self, layer_id: str) -> list[str]:
        return self.current().member_ids(layer_id)

    def features(self, layer_id: str) -> list[dict[str, Any]]:
        return self.current().features(layer_id)

    def feature_collection(self, layer_id: str) -> dict[str, Any]:
        return self.current().feature_collection(layer_id)

    def theme_title(self, key: str, lang: str) -> str:
        return self.current().theme_title(key, lang)

    def place_record(self, place_id: str) -> dict[str, Any]:
        return self.current().place_record(place_id)

    def search(self, q: str, limit: int = 10) -> list[dict[str, Any]]:
        return self.current().search(q, limit)

    def search_keywords(self, place_id: str) -> tuple[str, ...]:
        return self.current().search_keywords(place_id)

    def plans(self) -> list[PlanMeta]:
        return self.current().plans()

    def plan(self, plan_id: str) -> PlanMeta:
        return self.current().plan(plan_id)

    def plan_document(self, plan_id: str) -> PlanDocument:
        return self.current().plan_document(plan_id)

    def plan_places(self, plan_id: str) -> list[str]:
        return self.current().plan_places(plan_id)

    def basemap_features(self) -> tuple[BasemapFeature, ...]:
        return self.current().basemap_features()
