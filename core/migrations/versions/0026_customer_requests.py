"""Customer requests under PIPL (issue 21, part B): filled by the engineer building it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 19:30:00
"""

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
