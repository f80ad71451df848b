"""The audit trail keyed and anchored outside the database (issue 20).

- ``audit_head.key_id`` (String(16), NULL until ``flask init`` creates the instance's audit key):
  a fingerprint of the key the chain's links are keyed with (an HMAC of a fixed text, which tells
  nothing of the key). It is not what makes the chain trustworthy (the key file and the
  checkpoints file in the instance folder are, core/audit/keys.py): it lets every appender see
  that the trail is keyed, so a server started without the key, or with another instance's,
  refuses to append instead of writing links nobody can verify.

Plain ``ALTER TABLE … ADD/DROP COLUMN``, no batch operation (``audit_head`` has no triggers, but
a batch would recreate it for nothing).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_head', sa.Column('key_id', sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column('audit_head', 'key_id')
