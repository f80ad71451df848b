"""Signatures (issue 19): a user's own signature or stamp image.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 08:00:00
"""
from alembic import op  # noqa: F401

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
