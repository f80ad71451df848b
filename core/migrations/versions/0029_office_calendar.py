"""Office calendar (issue 22, part E; forms/calendar_models.py).

- ``office_hours``: working spans per weekday (0 = Monday), set by the admin; a weekday listed
  in ``office_hours_set`` works exactly its spans (none: a day off), any other weekday keeps the
  shipped default (Monday-Friday 09:00-12:00 and 13:00-17:30).
- ``office_calendar_days``: dated public holidays (working false) and adjusted working days
  (调休, working true) with their name, imported from a year's official schedule or set by hand;
  they override the shipped schedules in forms/calendar_data/.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 22:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'office_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('begins', sa.Time(), nullable=False),
        sa.Column('ends', sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_office_hours')),
    )
    op.create_index(op.f('ix_office_hours_weekday'), 'office_hours', ['weekday'])
    op.create_table(
        'office_hours_set',
        sa.Column('weekday', sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('weekday', name=op.f('pk_office_hours_set')),
    )
    op.create_table(
        'office_calendar_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('working', sa.Boolean(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_office_calendar_days')),
    )


def downgrade() -> None:
    op.drop_table('office_calendar_days')
    op.drop_table('office_hours_set')
    op.drop_index(op.f('ix_office_hours_weekday'), table_name='office_hours')
    op.drop_table('office_hours')
