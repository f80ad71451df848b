"""档号 minted at filing (issue 20): filled by the engineer building it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 12:10:00
"""

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
