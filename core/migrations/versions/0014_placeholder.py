"""Placeholder (issue 16): kept empty until the part assigned this slot fills it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 21:10:00
"""

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
