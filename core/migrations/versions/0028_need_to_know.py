"""Need-to-know reasons of organisation-wide roles (issue 21, part D; archive/need_to_know_models.py).

- ``need_to_know_reasons``: one row per reason an auditor or admin stated to read records
  outside their department's work: the user, the signed-in session it was stated for (a random
  id kept in the Flask session, not the cookie; NULL for a reason sent with an API request), the
  record it was stated for (per-record mode and the API; NULL: the whole session), the text, when,
  and through what (``web``/``api``). Indexed by (user, session) for the lookup on every read.
- ``need_to_know_reads``: one row per read made under a reason (the reason, the record, the
  audit event's action and sequence, when, by whom), written with the read's audit event; the
  auditor's report counts these by date (indexed on ``at``).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 19:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'need_to_know_reasons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=64), nullable=True),
        sa.Column('record_code', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('stated_at', sa.DateTime(), nullable=False),
        sa.Column('via', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_need_to_know_reasons_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_need_to_know_reasons')),
    )
    op.create_index('ix_need_to_know_reasons_user_session', 'need_to_know_reasons', ['user_id', 'session_id'])
    op.create_table(
        'need_to_know_reads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reason_id', sa.Integer(), nullable=False),
        sa.Column('record_code', sa.String(length=32), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('audit_seq', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['reason_id'], ['need_to_know_reasons.id'],
                                name=op.f('fk_need_to_know_reads_reason_id_need_to_know_reasons')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_need_to_know_reads')),
    )
    op.create_index(op.f('ix_need_to_know_reads_reason_id'), 'need_to_know_reads', ['reason_id'])
    op.create_index(op.f('ix_need_to_know_reads_at'), 'need_to_know_reads', ['at'])
    op.create_index(op.f('ix_need_to_know_reads_user_id'), 'need_to_know_reads', ['user_id'])


def downgrade() -> None:
    op.drop_table('need_to_know_reads')
    op.drop_index('ix_need_to_know_reasons_user_session', table_name='need_to_know_reasons')
    op.drop_table('need_to_know_reasons')
