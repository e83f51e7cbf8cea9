"""Plans added at run time, their original files, and the finder's stop rules from review.

- `plans`: a document a planner added (upload page or `planmap plans add`): its metadata, the
  text the importer read from it with the layout (headings, pages) the reader needs, its status
  (proposed, approved, rejected), whether a reviewer withdrew it, and who did what when.
- `plan_files`: the original file, byte for byte, with its SHA-256 in `plans.checksum`; one live
  plan per checksum (a partial unique index: a rejected upload may be proposed again).
- `stop_rules`: strings a reviewer dismissed from the unknown-names list ("not a place"), with
  the reason; the finder applies them as it applies the [[stop]] entries of finder-rules.toml.

As for revisions and the audit log, nothing is deleted: triggers refuse DELETE on all three
tables and any change to a stored file.

Revision ID: 0002_plans
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_plans"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
GUARDED = ("plans", "plan_files", "stop_rules")

SQLITE_GUARDS = (
    *(f"""CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t}
          BEGIN SELECT RAISE(ABORT, '{t}: rows are never deleted'); END""" for t in GUARDED),
    """CREATE TRIGGER plan_files_fixed BEFORE UPDATE ON plan_files
       BEGIN SELECT RAISE(ABORT, 'plan_files: a stored file never changes'); END""",
)
POSTGRESQL_GUARDS = (
    *(f"""CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} FOR EACH ROW
          EXECUTE FUNCTION planmap_refuse('rows are never deleted')""" for t in GUARDED),
    *(f"""CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT
          EXECUTE FUNCTION planmap_refuse('rows are never deleted')""" for t in GUARDED),
    """CREATE TRIGGER plan_files_fixed BEFORE UPDATE ON plan_files FOR EACH ROW
       EXECUTE FUNCTION planmap_refuse('a stored file never changes')""",
)


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("encoding", sa.String(32), nullable=True),
        sa.Column("page_count", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("layout", sa.JSON, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("author_name", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewer_name", sa.String(100), nullable=True),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("review_reason", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected')",
                           name="plans_status"),
        sa.CheckConstraint("source IN ('pdf', 'docx', 'html', 'text')", name="plans_source"),
    )
    op.create_index("plans_checksum_live", "plans", ["checksum"], unique=True,
                    sqlite_where=sa.text("status <> 'rejected'"),
                    postgresql_where=sa.text("status <> 'rejected'"))
    op.create_table(
        "plan_files",
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "stop_rules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("plan_id", sa.String(64), nullable=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("author_name", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
        sa.Column("lifted_by", sa.String(100), nullable=True),
        sa.Column("lift_reason", sa.Text, nullable=True),
    )
    op.create_index("stop_rules_text_live", "stop_rules", ["text"], unique=True,
                    sqlite_where=sa.text("lifted_at IS NULL"),
                    postgresql_where=sa.text("lifted_at IS NULL"))
    bind = op.get_bind()
    for statement in SQLITE_GUARDS if bind.dialect.name == "sqlite" else POSTGRESQL_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in GUARDED:
            for trigger in ("no_delete", "no_truncate", "fixed"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}")
    else:
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute("DROP TRIGGER IF EXISTS plan_files_fixed")
    op.drop_index("stop_rules_text_live", "stop_rules")
    op.drop_table("stop_rules")
    op.drop_table("plan_files")
    op.drop_index("plans_checksum_live", "plans")
    op.drop_table("plans")
