"""When a record's deadline was met (overdue is read from the deadline at read time), and the
periodic jobs' table (a lease per job, so that one worker of several runs it; the last run).

Records already in a state that meets their deadline get the time of the first revision that
reached such a state; the only form with a deadline so far is CP (met by responded, closed).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 18:00:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: The met states of the forms with a deadline when this migration was written.
MET = ("responded", "closed")


def upgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_met_at', core.db.UTCDateTime(), nullable=True))
    records, revisions = sa.table('records', sa.column('id'), sa.column('form_code'), sa.column('state'),
                                  sa.column('due_at'), sa.column('deadline_met_at', core.db.UTCDateTime())), \
        sa.table('record_revisions', sa.column('record_id'), sa.column('state'), sa.column('at'))
    first_met = (sa.select(sa.func.min(revisions.c.at))
                 .where(revisions.c.record_id == records.c.id, revisions.c.state.in_(MET)).scalar_subquery())
    op.execute(records.update().where(records.c.form_code == 'CP', records.c.due_at.is_not(None),
                                      records.c.state.in_(MET)).values(deadline_met_at=first_met))
    op.create_table('scheduled_jobs',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('lease_holder', sa.String(length=128), nullable=True),
    sa.Column('lease_until', core.db.UTCDateTime(), nullable=True),
    sa.Column('last_started_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('last_finished_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('last_ok', sa.Boolean(), nullable=True),
    sa.Column('last_result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_jobs'))
    )


def downgrade() -> None:
    op.drop_table('scheduled_jobs')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('deadline_met_at')
