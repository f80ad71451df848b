"""销毁清册 with appraisal and two witnesses (issue 20).

- ``disposal_witnesses``: the two 监销人 a keeper names on an approved destruction list, one row
  each (``list_id``, ``user_id`` unique together, so one person cannot be named twice), who
  named them and when, and ``confirmed_at``: NULL until the witness, signed in as themselves,
  confirms on the list's page (archive/witnesses.py). ``disposal.execute`` refuses a list whose
  two witnesses have not both confirmed. The appraisal (鉴定) is the proposal itself: its
  proposer, time and text (``disposal_lists.note``), so it needs no column of its own.
- ``tombstones.archival_code`` (String(48), NULL for a record destroyed before it had one): the
  destroyed record's 档号, kept with its form code, since the record row that held it is gone.

Plain ``CREATE TABLE`` and ``ALTER TABLE … ADD/DROP COLUMN``, never a batch operation (a batch
recreates the table on SQLite, which would drop the triggers other migrations put on it).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'disposal_witnesses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('named_by_id', sa.Integer(), nullable=False),
        sa.Column('named_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('confirmed_at', core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['list_id'], ['disposal_lists.id'],
                                name=op.f('fk_disposal_witnesses_list_id_disposal_lists')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_disposal_witnesses_user_id_users')),
        sa.ForeignKeyConstraint(['named_by_id'], ['users.id'],
                                name=op.f('fk_disposal_witnesses_named_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disposal_witnesses')),
        sa.UniqueConstraint('list_id', 'user_id', name=op.f('uq_disposal_witnesses_list_id_user_id')),
    )
    op.create_index(op.f('ix_disposal_witnesses_list_id'), 'disposal_witnesses', ['list_id'], unique=False)
    op.add_column('tombstones', sa.Column('archival_code', sa.String(length=48), nullable=True))


def downgrade() -> None:
    op.drop_column('tombstones', 'archival_code')
    op.drop_index(op.f('ix_disposal_witnesses_list_id'), table_name='disposal_witnesses')
    op.drop_table('disposal_witnesses')
