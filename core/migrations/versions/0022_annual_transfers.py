"""The year's transfer (年度移交) recorded (issue 20): filled by the engineer building it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 12:10:00
"""

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
