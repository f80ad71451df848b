"""The outbox's pending rows of one subject found by index (issue 16): every record page asks
whether its archival copy is still being made (``core.outbox.queue.pending_for``), which read the
whole outbox table without an index on (topic, subject).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 21:10:00
"""
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_topic_subject", "outbox", ["topic", "subject", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_topic_subject", table_name="outbox")
