"""Notifications in the app and by e-mail (issue 22, part F): filled by the engineer building it.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 22:30:00
"""

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
