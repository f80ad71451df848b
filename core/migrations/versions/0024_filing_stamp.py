"""归档章 on the archival copy (issue 20): which stored copies carry the filing stamp, and the
checksum of the unstamped copy a stamped one replaced.

The archival copy of a revision is rendered before filing (filing requires it stored), and the
档号 the stamp prints exists only from filing; so filing has the filed revision's copy rendered
again with the stamp (archive/filing_stamp.py), which replaces the file its renditions row names.

- ``renditions.archival_code`` (String(48), NULL): the 档号 the copy's filing stamp prints; NULL
  for a copy rendered before its record was filed. A copy is replaced at most once, from NULL to
  stamped; a stamped copy is never replaced.
- ``renditions.replaced_sha256`` (String(64), NULL, indexed): the SHA-256 of the unstamped copy
  the stamped one replaced, so ``verify_file`` still recognises a copy downloaded before filing
  (as superseded) and the audit trail's ``rendition.stamp`` event has a row to agree with.

Plain ``ALTER TABLE … ADD/DROP COLUMN`` and ``CREATE/DROP INDEX``, never a batch operation (see
0020: a batch recreates the table on SQLite).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('renditions', sa.Column('archival_code', sa.String(length=48), nullable=True))
    op.add_column('renditions', sa.Column('replaced_sha256', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_renditions_replaced_sha256'), 'renditions', ['replaced_sha256'])


def downgrade() -> None:
    op.drop_index(op.f('ix_renditions_replaced_sha256'), table_name='renditions')
    op.drop_column('renditions', 'replaced_sha256')
    op.drop_column('renditions', 'archival_code')
