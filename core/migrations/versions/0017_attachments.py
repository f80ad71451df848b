"""Files on records (issue 19): the attachments of file fields, stored in the file store by SHA-256.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 08:00:00
"""
from alembic import op  # noqa: F401

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
