"""Consent and purpose (issue 21, part C): privacy notices versioned like specs, recorded with records.

- ``privacy_notice_versions``: one row per (notice_id, version) registered from
  ``forms/notices/<id>.toml`` at ``flask init``: its title, purpose and text in both languages
  (``content``, JSON) and the SHA-256 of that content (``text_hash``), so an edited text under
  the same version is refused.
- ``records.notice_id`` (String(40)), ``records.notice_version`` (Integer) and
  ``records.purpose`` (JSON {"zh", "en"}): the notice in force when the record was submitted
  and the purpose it stated, kept as they were; NULL for a record made before this migration,
  a form without a notice, and a legacy import.

Plain ``ADD/DROP COLUMN``, never a batch operation (see 0020).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 19:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'privacy_notice_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('content', _json(), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('registered_at', core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice_versions')),
        sa.UniqueConstraint('notice_id', 'version',
                            name=op.f('uq_privacy_notice_versions_notice_id_version')),
    )
    op.create_index(op.f('ix_privacy_notice_versions_notice_id'), 'privacy_notice_versions',
                    ['notice_id'])
    for column in (sa.Column('notice_id', sa.String(length=40), nullable=True),
                   sa.Column('notice_version', sa.Integer(), nullable=True),
                   sa.Column('purpose', _json(), nullable=True)):
        op.add_column('records', column)


def downgrade() -> None:
    for name in ('purpose', 'notice_version', 'notice_id'):
        op.drop_column('records', name)
    op.drop_index(op.f('ix_privacy_notice_versions_notice_id'), table_name='privacy_notice_versions')
    op.drop_table('privacy_notice_versions')
