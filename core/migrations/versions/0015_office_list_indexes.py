"""The records office's lists read in their order from an index (issue 16): the RS monthly
filing, the disposal and review due lists, the filing queue.

- ``ix_records_form_month`` (form, submitted_at, department): one form's month, with the
  department beside for a clerk's scope, so the month is found without walking every form's
  records of that month; its count is read from the index alone.
- ``ix_records_due`` (end_action, retention_until, code), partial on ``filed_at IS NOT NULL``
  (only filed records have an end): a due list in its order, a page at a time, holds and open
  destruction lists checked per row by their own indexes. (Partial on the filing, not on
  ``end_action``, so that PostgreSQL need not AND it with the index on filed_at.)
- ``ix_records_unfiled`` (form, state, submitted_at, id), partial on ``filed_at IS NULL``:
  the records of a form in its final states that are not filed yet, without reading the rest.

Plain ``CREATE INDEX`` (no batch operation): on SQLite a batch recreates ``records`` and
would drop the triggers of migrations 0011 and 0013.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 21:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: The models declare the same (archive.models, after Record).
UNFILED = "filed_at IS NULL"
FILED = "filed_at IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_records_form_month", "records", ["form_code", "submitted_at", "department_id"])
    op.create_index("ix_records_due", "records", ["end_action", "retention_until", "code"],
                    sqlite_where=sa.text(FILED), postgresql_where=sa.text(FILED))
    op.create_index("ix_records_unfiled", "records", ["form_code", "state", "submitted_at", "id"],
                    sqlite_where=sa.text(UNFILED), postgresql_where=sa.text(UNFILED))


def downgrade() -> None:
    for name in ("ix_records_unfiled", "ix_records_due", "ix_records_form_month"):
        op.drop_index(name, table_name="records")
