"""Notifications read by index (issue 22): what the producers and the pages query by.

- ``ix_notifications_recipient_newest`` (recipient_id, id): a person's list, newest first, a
  page at a time, read in its order; the count's index (recipient_id, read_at) gave the
  person's rows in no useful order, so every page view sorted all of them.
- ``ix_notifications_event_key`` (event, key): the deadline tick reads, every minute, the keys
  of the deadline events already told, from the index alone instead of the whole table.
- ``ix_notifications_refused`` (id), partial on ``email_error IS NOT NULL``: the admins' list
  of e-mails refused for good, newest first, without walking every notification.

Plain ``CREATE INDEX`` on both SQLite and PostgreSQL.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

#: The model declares the same (core.notifications.models.REFUSED).
REFUSED = "email_error IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_notifications_recipient_newest", "notifications", ["recipient_id", "id"])
    op.create_index("ix_notifications_event_key", "notifications", ["event", "key"])
    op.create_index("ix_notifications_refused", "notifications", ["id"],
                    sqlite_where=sa.text(REFUSED), postgresql_where=sa.text(REFUSED))


def downgrade() -> None:
    for name in ("ix_notifications_refused", "ix_notifications_event_key",
                 "ix_notifications_recipient_newest"):
        op.drop_index(name, table_name="notifications")
