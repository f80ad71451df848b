"""Customer claims of the visit register (VR) and the flags form rules put on records.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 11:40:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "flags", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True))
    op.create_table(
        "customer_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_code", sa.String(length=24), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("registered_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_claims")),
        sa.UniqueConstraint("record_code", "phone", name=op.f("uq_customer_claims_record_code_phone")),
    )
    with op.batch_alter_table("customer_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_claims_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_claims_record_code"), ["record_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_claims_record_code"))
        batch_op.drop_index(batch_op.f("ix_customer_claims_phone"))
    op.drop_table("customer_claims")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("flags")
