"""Bringing the paper archive in (issue 19): records imported from legacy registers.

``records import`` (forms/legacy/) writes legacy records with their own codes, dates and state.
Four nullable columns on ``records`` say where such a record came from:

- ``imported_at``: when it was imported (NULL for every record made in Dossier, so "imported"
  is one condition and nothing else changes for the others);
- ``imported_from``: the sheet file, sheet and row it was read from (``registers.xlsx CP row 12``),
  so an archivist can find the paper line again;
- ``legacy_people``: the people the register names who are no user of this instance, by column
  (``{"submitted_by": "王五", "receiving_staff": "李四"}``): kept as the register wrote them;
- ``legacy_scan``: the scan of the paper form matched by file name (name, content key, SHA-256,
  size, media type), stored write-once in the file store.

Plain ``ALTER TABLE … ADD/DROP COLUMN`` (SQLite ≥ 3.35 drops a column in place), never a batch
operation: on SQLite a batch recreates ``records``, which drops the triggers of migrations 0011
and 0013, and its ``DROP TABLE records`` fails while other tables (attachments, migration 0017)
point at it.

They are columns of ``records`` rather than a table of their own so that disposal (which deletes
the record row), ``archive export`` / ``import`` (which copy the whole row) and the record
views carry them without knowing about imports.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 08:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    for column in (sa.Column('imported_at', core.db.UTCDateTime(), nullable=True),
                   sa.Column('imported_from', sa.String(length=255), nullable=True),
                   sa.Column('legacy_people', _json(), nullable=True),
                   sa.Column('legacy_scan', _json(), nullable=True)):
        op.add_column('records', column)


def downgrade() -> None:
    for name in ('legacy_scan', 'legacy_people', 'imported_from', 'imported_at'):
        op.drop_column('records', name)
