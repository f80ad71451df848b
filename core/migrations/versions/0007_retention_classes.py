"""Retention classes (archive.retention); the defaults are added by `init`, not here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:20:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("event_field", sa.String(length=64), nullable=True),
        sa.Column("at_year_end", sa.Boolean(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("mandate", sa.Text(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_classes")),
        sa.UniqueConstraint("code", name=op.f("uq_retention_classes_code")),
    )


def downgrade() -> None:
    op.drop_table("retention_classes")
