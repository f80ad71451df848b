"""归档章 on the archival copy (issue 20): filled by the engineer building it (or left empty if nothing changes in the schema).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 12:10:00
"""

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
