"""Schema migrations through Alembic, configured in code (no alembic.ini to keep in step).

`upgrade(db)` brings a database to the newest schema in one transaction per step; `status(db)`
says where it stands, so the app can refuse to serve an old schema with a message instead of
failing on its first query.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import alembic_helpers  # noqa: F401  (registers the geospatial operations)

from layers.db.engine import UNREACHABLE, Database, unavailable

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest schema revision this code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(db: Database) -> str | None:
    """The database's schema revision, None for an empty database."""
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except UNREACHABLE as error:
        raise unavailable(db.display_url, error) from None


def upgrade(db: Database, target: str = "head") -> tuple[str | None, str]:
    """Migrate to `target`; returns (revision before, revision after)."""
    before = current(db)
    config = _config()
    try:
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, target)
    except UNREACHABLE as error:
        raise unavailable(db.display_url, error) from None
    return before, current(db) or ""


def is_current(db: Database) -> bool:
    return current(db) == head()
