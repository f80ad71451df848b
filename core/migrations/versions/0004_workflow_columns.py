"""Workflow columns on records: the supervisor's countersignature (阅签), the response
deadline and when it was found passed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:00:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("countersigned_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("countersigned_at", core.db.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_records_countersigned_by_id_users"), "users",
                                    ["countersigned_by_id"], ["id"])
        batch_op.add_column(sa.Column("due_at", core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("overdue_at", core.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_records_due_at"), ["due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_due_at"))
        batch_op.drop_column("overdue_at")
        batch_op.drop_column("due_at")
        batch_op.drop_constraint(batch_op.f("fk_records_countersigned_by_id_users"), type_="foreignkey")
        batch_op.drop_column("countersigned_at")
        batch_op.drop_column("countersigned_by_id")
