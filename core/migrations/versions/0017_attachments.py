"""Files on records (issue 19): the attachments of file fields, stored in the file store by SHA-256.

One row per file a record's revision added (``archive/attachment_models.py``): the field, the
SHA-256 and store key of the bytes, media type, size, the name it was sent with, the revision
that added it and the one that removed it, the thumbnail's key. The record's data names the same
files (every revision its own), so these rows are an index of the data, kept in the same
transaction, for the record page, the file route, fixity, export and disposal. A destroyed
record's tombstone keeps how many files it held (``tombstones.attachments``), nothing else of them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 08:00:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('removed_revision', sa.Integer(), nullable=True),
    sa.Column('thumbnail_key', sa.String(length=255), nullable=True),
    sa.Column('added_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_attachments_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('record_id', 'field', 'sha256', 'revision',
                        name=op.f('uq_attachments_record_id_field_sha256_revision'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)
    with op.batch_alter_table('tombstones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tombstones', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_record_id'))
    op.drop_table('attachments')
