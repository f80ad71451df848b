"""The audit trail keyed and anchored outside the database (issue 20): filled by the engineer building it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 12:10:00
"""

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
