"""Paused deadlines (issue 22): a spec's ``[workflow.deadline] pause = [...]`` names states in
which a record's deadline does not run (CP v6: waiting for the customer).

- ``records.deadline_paused_at``: since when the deadline is paused (NULL unless the record is
  in a pause state now). While it is set, ``due_at`` is NULL: no deadline runs, so nothing is
  overdue, due today or nearing (every reader reads ``due_at``: forms.deadlines.refreshed).
- ``records.deadline_paused_hours``: the time spent paused so far, in the deadline's own hours
  (working hours for a working clock, wall hours otherwise), added to the allowed time; 0 for
  every record made before this migration.

Plain ``ADD/DROP COLUMN``, never a batch operation (see 0020: a batch copy of ``records`` would
drop the complaint counts' triggers).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 04:00:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('records', sa.Column('deadline_paused_at', core.db.UTCDateTime(), nullable=True))
    op.add_column('records', sa.Column('deadline_paused_hours', sa.Float(), nullable=False,
                                       server_default=sa.text('0')))


def downgrade() -> None:
    op.drop_column('records', 'deadline_paused_hours')
    op.drop_column('records', 'deadline_paused_at')
