"""Notifications in the app and by e-mail (issue 22, part F).

- ``notifications``: one event told to one person: the event's name, the record's code and
  form (never a name or phone), ``key`` unique (idempotent per event, record, recipient and
  occurrence), when it was read, e-mailed, or refused for good (``email_error``, for admins).
  ``ix_notifications_recipient_read`` serves the header's unread count and the list.
- ``notification_prefs``: per user, the e-mail address (the users table has none), the
  e-mails' language (the app keeps the page language in the session only), the events that
  e-mail them, the daily digest choice, and the rate limit's hour and count.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 22:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('record_code', sa.String(length=64), nullable=True),
        sa.Column('form_id', sa.String(length=32), nullable=True),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('read_at', core.db.UTCDateTime(), nullable=True),
        sa.Column('emailed_at', core.db.UTCDateTime(), nullable=True),
        sa.Column('email_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['users.id'],
                                name=op.f('fk_notifications_recipient_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('key', name=op.f('uq_notifications_key')),
    )
    op.create_index('ix_notifications_recipient_read', 'notifications', ['recipient_id', 'read_at'])
    op.create_table(
        'notification_prefs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('email_events', _json(), nullable=False),
        sa.Column('digest', sa.Boolean(), nullable=False),
        sa.Column('sent_hour_start', core.db.UTCDateTime(), nullable=True),
        sa.Column('sent_in_hour', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_notification_prefs_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_prefs')),
    )


def downgrade() -> None:
    op.drop_table('notification_prefs')
    op.drop_index('ix_notifications_recipient_read', table_name='notifications')
    op.drop_table('notifications')
