"""Refuse TRUNCATE on audit_events (PostgreSQL).

Row triggers do not fire on TRUNCATE, so 0001's append-only trigger let the whole trail be
emptied in one statement (audit verify still noticed: the head no longer matched). SQLite has
no TRUNCATE; its DELETE is refused row by row already.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
