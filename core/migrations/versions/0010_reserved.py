"""Reserved slot in the migration chain (filled in by the change that needs it).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:00:00
"""


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
