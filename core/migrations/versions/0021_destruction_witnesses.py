"""销毁清册 with appraisal and two witnesses (issue 20): filled by the engineer building it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 12:10:00
"""

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
