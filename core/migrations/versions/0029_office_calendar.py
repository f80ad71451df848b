"""Office calendar and working-time deadlines (issue 22, part E): filled by the engineer building it.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 22:30:00
"""

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
