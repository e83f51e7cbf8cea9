"""Alembic's environment: run migrations on the connection `layers.db.migrate` hands over.

planmap never reads an alembic.ini: the database comes from the app's settings, so the same
command (`planmap db upgrade`) migrates the embedded SQLite file and a PostgreSQL server alike.
"""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

from layers.db import plan_models  # noqa: F401  (the plans' tables, on the same Base)
from layers.db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=alembic_helpers.include_object,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
