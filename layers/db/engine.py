"""Connections: one `Database` per URL, for SQLite (with SpatiaLite) and PostgreSQL (PostGIS).

Every write runs in `transaction()`: one database transaction that commits as a whole or not at
all. On SQLite it starts with BEGIN IMMEDIATE, so two writers queue for the lock instead of one
failing half-way when it tries to upgrade a read lock; reads use a plain BEGIN and, in WAL mode,
never wait for a writer. On PostgreSQL, SQLAlchemy's pool keeps a few psycopg 3 connections open
and checks each before use, so a restarted server costs one retry, not an error page.

A database that cannot be reached (refused, timed out, locked past the wait limit) surfaces as
`Unavailable` (503), never as a driver exception, so the web app answers in JSON and the CLI in
one line.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from geo.errors import BadRequest, DataError
from layers.db.errors import Unavailable

log = logging.getLogger(__name__)

BACKENDS = ("sqlite", "postgresql")
# How long a writer waits for SQLite's lock, and a client for a PostgreSQL connection.
WAIT_SECONDS = 10
SPATIALITE = "mod_spatialite"


def parse_url(text: str) -> URL:
    """A SQLAlchemy URL naming a backend planmap supports, with psycopg 3 for PostgreSQL."""
    try:
        url = make_url(text)
    except exc.ArgumentError:
        raise BadRequest(f"database URL {text!r} is not a URL (e.g. sqlite:///planmap.sqlite, "
                         "postgresql+psycopg://user@host/planmap)") from None
    if url.get_backend_name() not in BACKENDS:
        raise BadRequest(f"database URL: backend {url.get_backend_name()!r} is not supported "
                         f"(one of {', '.join(BACKENDS)})")
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and not url.database:
        raise BadRequest("database URL: a SQLite database needs a file (sqlite:///path)")
    return url


def _sqlite_engine(url: URL, wait: float) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": wait, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's own BEGIN would defeat BEGIN IMMEDIATE
        dbapi_conn.enable_load_extension(True)
        try:
            dbapi_conn.load_extension(SPATIALITE)
        except sqlite3.OperationalError as error:  # the module is a Debian package
            raise Unavailable(f"SpatiaLite cannot be loaded ({error}): install the Debian "
                              "package libsqlite3-mod-spatialite") from None
        finally:
            dbapi_conn.enable_load_extension(False)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
                       f"busy_timeout={int(wait * 1000)}"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("planmap_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgresql_engine(url: URL, pool_size: int, wait: float) -> Engine:
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2,
                         pool_pre_ping=True, pool_timeout=wait, pool_recycle=1800,
                         connect_args={"connect_timeout": max(1, round(wait)),
                                       "application_name": "planmap"})


# Driver errors that may mean "the database is not there or not answering".
UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
# SQLite reports a missing table with the same exception class as a locked or missing file.
SQLITE_UNREACHABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "disk is full",
                      "not a database")


def unreachable(error: exc.SQLAlchemyError) -> bool:
    """True when the error says the database cannot be used now (not that a query is wrong)."""
    if not isinstance(error, UNREACHABLE):
        return False
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    orig = getattr(error, "orig", None)
    if isinstance(orig, sqlite3.Error):
        return any(word in str(orig).lower() for word in SQLITE_UNREACHABLE)
    return True


def unavailable(db_url: str, error: exc.SQLAlchemyError) -> Unavailable | DataError:
    """The typed error for a driver error: Unavailable (503), or DataError naming the fault
    (a schema the code does not expect: `planmap db upgrade`)."""
    orig = getattr(error, "orig", None) or error
    if unreachable(error):
        log.warning("database %s unreachable: %s", db_url, orig)
        return Unavailable("the database is unreachable or busy; nothing was written, "
                           "try again in a moment")
    return DataError(f"database {db_url}: {orig} (is the schema current? planmap db upgrade)")


class Database:
    """An engine and its sessions. `transaction()` for writes, `reader()` for reads."""

    def __init__(self, url: str | URL, pool_size: int = 5,
                 wait_seconds: float = WAIT_SECONDS) -> None:
        self.url = parse_url(url) if isinstance(url, str) else url
        self.backend = self.url.get_backend_name()
        self.engine = (_sqlite_engine(self.url, wait_seconds) if self.backend == "sqlite"
                       else _postgresql_engine(self.url, pool_size, wait_seconds))

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _session(self, write: bool) -> Iterator[Session]:
        try:
            with self.engine.connect() as conn:
                if write:
                    conn = conn.execution_options(planmap_write=True)
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    yield session
        except UNREACHABLE as error:
            raise unavailable(self.display_url, error) from None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits when the block ends, rolls back on any error."""
        with self._session(write=True) as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only view of one consistent moment."""
        with self._session(write=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
