"""Consent and purpose: privacy notices recorded with records (issue 21, part C): filled by the engineer building it.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 19:30:00
"""

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
