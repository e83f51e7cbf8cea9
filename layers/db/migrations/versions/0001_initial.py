"""The first schema: users, tokens, revisions, place heads, audit log, change counter.

The audit log is append-only in the database itself: triggers refuse UPDATE and DELETE (and, on
PostgreSQL, TRUNCATE), whatever program connects. A decided revision (approved or rejected) can
no longer change, and no revision can be deleted.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

SQLITE_GUARDS = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
       BEGIN SELECT RAISE(ABORT, 'revisions are never deleted'); END""",
    """CREATE TRIGGER revisions_decided_fixed BEFORE UPDATE ON revisions
       WHEN OLD.status <> 'proposed'
       BEGIN SELECT RAISE(ABORT, 'a decided revision cannot change'); END""",
)

POSTGRESQL_GUARDS = (
    """CREATE FUNCTION planmap_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '%: %', TG_TABLE_NAME, TG_ARGV[0]; END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION planmap_refuse('the audit log is append-only')""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION planmap_refuse('the audit log is append-only')""",
    """CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
       FOR EACH ROW EXECUTE FUNCTION planmap_refuse('revisions are never deleted')""",
    """CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON revisions
       FOR EACH STATEMENT EXECUTE FUNCTION planmap_refuse('revisions are never deleted')""",
    """CREATE TRIGGER revisions_decided_fixed BEFORE UPDATE ON revisions
       FOR EACH ROW WHEN (OLD.status <> 'proposed')
       EXECUTE FUNCTION planmap_refuse('a decided revision cannot change')""",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if (bind.exec_driver_sql("SELECT CheckSpatialMetaData()").scalar() or 0) < 1:
            bind.exec_driver_sql("SELECT InitSpatialMetaData(0, 'WGS84')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("session_epoch", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'editor', 'reviewer', 'admin')",
                           name="users_role"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False,
                  index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("hint", sa.String(12), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_geospatial_table(  # type: ignore[attr-defined]
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("place_id", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("base_id", sa.Integer, sa.ForeignKey("revisions.id"), nullable=True),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("sets_geometry", sa.Boolean, nullable=False),
        sa.Column("geometry", Geometry("GEOMETRY", srid=4326, spatial_index=False),
                  nullable=True),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("review_reason", sa.Text, nullable=False),
        sa.Column("approved_seq", sa.Integer, nullable=True, unique=True),
        sa.CheckConstraint("kind IN ('geometry', 'place', 'alias', 'revert')",
                           name="revisions_kind"),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected')",
                           name="revisions_status"),
    )
    op.create_table(
        "place_heads",
        sa.Column("place_id", sa.String(100), primary_key=True),
        sa.Column("head_id", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("username", sa.String(100), nullable=False, index=True),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("revision_id", sa.Integer, sa.ForeignKey("revisions.id"), nullable=True),
        sa.Column("place_id", sa.String(100), nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO change_counter (id, value) VALUES (1, 0)")
    for statement in SQLITE_GUARDS if bind.dialect.name == "sqlite" else POSTGRESQL_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in ("audit_log", "revisions"):
            for trigger in ("append_only", "no_truncate", "no_delete", "decided_fixed"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS planmap_refuse()")
    for table in ("change_counter", "audit_log", "place_heads"):
        op.drop_table(table)
    op.drop_geospatial_table("revisions")  # type: ignore[attr-defined]
    for table in ("api_tokens", "users"):
        op.drop_table(table)
