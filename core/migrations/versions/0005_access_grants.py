"""Access grants: approved archive access requests (AR) open listed records to their applicant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:30:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grantee_id", sa.Integer(), nullable=False),
        sa.Column("record_code", sa.String(length=24), nullable=False),
        sa.Column("request_code", sa.String(length=24), nullable=False),
        sa.Column("valid_from", core.db.UTCDateTime(), nullable=False),
        sa.Column("valid_until", core.db.UTCDateTime(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["grantee_id"], ["users.id"], name=op.f("fk_access_grants_grantee_id_users")),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"], name=op.f("fk_access_grants_granted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grants")),
        sa.UniqueConstraint("request_code", "record_code", name=op.f("uq_access_grants_request_code_record_code")),
    )
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_grants_grantee_id"), ["grantee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_grants_record_code"), ["record_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grants_record_code"))
        batch_op.drop_index(batch_op.f("ix_access_grants_grantee_id"))
    op.drop_table("access_grants")
