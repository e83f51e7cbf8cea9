"""Databases for the tests: a SQLite (SpatiaLite) file, and a PostgreSQL 15 + PostGIS 3 cluster
the session starts itself under its temporary folder (Unix socket only, nothing listens on the
network) and stops at the end.

Imported explicitly (`from db_fixtures import …`). Each backend is migrated once into a template
holding five accounts; every test gets its own copy (a file copy, or CREATE DATABASE … TEMPLATE),
so tests never see each other's rows and cost no password hashing. `backend` runs a test on both;
the PostgreSQL runs carry the `postgres` marker, which `make test-fast` leaves out.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from layers import accounts
from layers.accounts import Actor
from layers.db import migrate
from layers.db.engine import Database

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORDS = {"viewer": "viewer-pass-1", "editor": "editor-pass-1", "editor2": "editor-pass-2",
             "reviewer": "reviewer-pass-1", "admin": "admin-pass-1"}
ROLE_OF = {"viewer": "viewer", "editor": "editor", "editor2": "editor",
           "reviewer": "reviewer", "admin": "admin"}
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_counter = itertools.count()


def _add_accounts(db: Database) -> None:
    operator = accounts.operator("tests")
    for name, password in PASSWORDS.items():
        accounts.add_user(db, name, password, ROLE_OF[name], operator, display_name=name.title())


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the server as the `postgres` account."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class Cluster:
    folder: Path
    port: int = 5432

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@/{name}?host={self.folder}&port={self.port}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return subprocess.run(
            ["psql", "-h", str(self.folder), "-p", str(self.port), "-U", "postgres", "-d",
             database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    assert (PG_BIN / "initdb").exists(), \
        "PostgreSQL 15 is missing: `make test` installs postgresql-15 and postgresql-15-postgis-3"
    # Its own temporary folder (removed at the end), not pytest's: the server runs as the
    # `postgres` account, which may not enter root's pytest folders (kept private by pytest).
    folder = Path(tempfile.mkdtemp(prefix="planmap-test-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                                 "-U", "postgres", "--no-sync"]),
                   check=True, capture_output=True)
    cluster = Cluster(folder)
    subprocess.run(_as_postgres([
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
        f"-k {folder} -p {cluster.port} -c listen_addresses='' -c fsync=off "
        "-c full_page_writes=off -c max_connections=200", "start"]),
        check=True, capture_output=True)
    try:
        cluster.psql("CREATE DATABASE planmap_template")
        db = Database(cluster.url("planmap_template"))
        migrate.upgrade(db)
        _add_accounts(db)
        db.dispose()
        yield cluster
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                     "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    _add_accounts(db)
    db.dispose()  # the last connection's close folds the WAL into the file
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


def new_database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A fresh, migrated database with the five accounts, on `backend`."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / f"planmap-{next(_counter)}.sqlite"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"test_{os.getpid()}_{next(_counter)}"
    cluster.psql(f"CREATE DATABASE {name} TEMPLATE planmap_template")
    return cluster.url(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture()
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    return new_database_url(request, backend, tmp_path)


@pytest.fixture()
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def actor(db: Database, name: str) -> Actor:
    """One of the five accounts (Argon2 makes signing in cost up to seconds on a busy machine;
    the tests of signing in do it for real)."""
    return accounts.get_actor(db, name)


@pytest.fixture()
def people(db: Database) -> dict[str, Actor]:
    return {name: actor(db, name) for name in PASSWORDS}


@pytest.fixture(scope="session")
def base_store():
    """The store over the embedded data, built once: the base every DatabaseStore corrects."""
    from layers.store import default_store

    return default_store()


@pytest.fixture()
def outage(request: pytest.FixtureRequest):
    """A context manager that makes a test database unusable for writers while it lasts:
    SQLite locked by another connection's exclusive transaction (busy); PostgreSQL refusing
    connections, with the open ones cut (unreachable)."""
    import sqlite3
    from contextlib import contextmanager

    from sqlalchemy.engine import make_url

    @contextmanager
    def cut(url: str) -> Iterator[None]:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            holder = sqlite3.connect(parsed.database, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            return
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        name = parsed.database
        cluster.psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        try:
            yield
        finally:
            cluster.psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    return cut
