"""The schema on both backends: migrations, and what the database itself refuses.

The audit log is append-only and decided revisions are fixed whatever program connects: these
tests go around the application and speak SQL to the database directly.
"""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from layers.db import audit, migrate
from layers.db.engine import Database, parse_url
from layers.edits.service import Edits

GEOM = {"type": "Point", "coordinates": [116.3, 39.99]}


def test_migrated_to_head_and_upgrade_is_idempotent(db: Database) -> None:
    assert migrate.current(db) == migrate.head() == "0002_plans"
    assert migrate.upgrade(db) == ("0002_plans", "0002_plans")
    with db.reader() as session:
        tables = {"users", "api_tokens", "revisions", "place_heads", "audit_log",
                  "change_counter", "plans", "plan_files", "stop_rules"}
        if db.backend == "sqlite":
            found = {r[0] for r in session.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table'"))}
            geometry = session.execute(text(
                "SELECT srid FROM geometry_columns WHERE f_table_name = 'revisions'")).scalar()
        else:
            found = {r[0] for r in session.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))}
            geometry = session.execute(text(
                "SELECT srid FROM geometry_columns WHERE f_table_name = 'revisions'")).scalar()
        assert tables <= found
        assert geometry == 4326
        assert session.execute(text("SELECT value FROM change_counter")).scalar() == 0


def test_an_empty_database_is_created_by_upgrade(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path}/new/planmap.sqlite")
    assert migrate.current(db) is None and not migrate.is_current(db)
    assert migrate.upgrade(db) == (None, "0002_plans")
    assert migrate.is_current(db)


def _one_entry(db: Database) -> int:
    with db.transaction() as session:
        entry = audit.record(session, "login", user_id=None, username="someone",
                             client="192.0.2.1")
        session.flush()
        return entry.id


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET username = 'nobody' WHERE id = :id",
    "UPDATE audit_log SET action = 'logout'",
    "DELETE FROM audit_log WHERE id = :id",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_to_change_the_audit_log(db: Database, statement: str) -> None:
    entry = _one_entry(db)
    with pytest.raises(exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement), {"id": entry})
    rows = audit.entries(db, user="someone")
    assert [(r["id"], r["username"], r["action"]) for r in rows] == [(entry, "someone", "login")]


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_truncate_is_refused_on_postgresql(db: Database) -> None:
    """SQLite has no TRUNCATE (DELETE, refused above, is its only way to empty a table)."""
    _one_entry(db)
    with pytest.raises(exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log CASCADE"))
    assert len(audit.entries(db)) >= 1


def test_decided_revisions_are_fixed_and_never_deleted(db: Database, people, base_store
                                                       ) -> None:
    edits = Edits(db, base_store.gazetteer)
    rev = edits.propose_geometry(people["editor"], "yiheyuan", {
        "geometry": None, "precision": "unlocated", "source": "test",
        "note": "cannot be placed"}, None)
    edits.reject(people["reviewer"], rev["id"], "no")
    for statement in ("UPDATE revisions SET status = 'approved' WHERE id = :id",
                      "DELETE FROM revisions WHERE id = :id"):
        with pytest.raises(exc.DBAPIError, match=r"cannot change|never deleted"), \
                db.engine.begin() as conn:
            conn.execute(text(statement), {"id": rev["id"]})
    assert edits.get(rev["id"])["status"] == "rejected"


def test_urls_are_checked() -> None:
    assert parse_url("postgresql://u@h/db").get_driver_name() == "psycopg"
    for bad in ("mysql://u@h/db", "not a url", "sqlite://"):
        with pytest.raises(Exception, match="database URL"):
            parse_url(bad)
