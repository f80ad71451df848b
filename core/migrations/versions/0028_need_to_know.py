"""Need-to-know reasons of organisation-wide roles (issue 21, part D): filled by the engineer building it.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 19:30:00
"""

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
