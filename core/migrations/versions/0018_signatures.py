"""Signatures (issue 19): a user's own signature or stamp image.

One row per user who keeps one (``core.auth.models.UserMark``): whether it is a handwritten
signature or a stamp, the SHA-256 and store key of the image (its bytes are in the file store,
checked by ``archive.uploads`` and written by ``archive.marks``), its media type and size, and
when it was last changed. A table of its own rather than columns on ``users``, so the users
table, and the export and import that carry it, keep their shape; replacing the image updates
the row (the audit trail keeps who changed it and the SHA-256 before and after).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 08:00:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_marks',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_marks_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_marks'))
    )


def downgrade() -> None:
    op.drop_table('user_marks')
