"""档号 minted at filing (issue 20): each filed record's archival reference and its counters.

- ``records.archival_code`` (String(48), NULL until the record is filed): the archival
  reference 全宗号-门类代码·年度-保管期限代码-机构（问题）代码-件号 (``Q012-WS·2026-D10-KF-0042``,
  archive/archival_codes.py), unique by the index ``ix_records_archival_code`` (NULLs do not
  collide on either engine), so two filers can never hold the same reference.
- ``archival_counters``: the last item number (件号) used per (fonds, category, year, retention,
  organisation), incremented inside the filing transaction (archive/archival_numbering.py) as
  ``code_counters`` is for form codes: gap-free, never reused.

Plain ``ALTER TABLE … ADD/DROP COLUMN`` and ``CREATE/DROP INDEX``, never a batch operation: on
SQLite a batch recreates ``records``, which drops the triggers of migrations 0011 and 0013, and
its ``DROP TABLE records`` fails while other tables (attachments, migration 0017) point at it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('records', sa.Column('archival_code', sa.String(length=48), nullable=True))
    op.create_index(op.f('ix_records_archival_code'), 'records', ['archival_code'], unique=True)
    op.create_table(
        'archival_counters',
        sa.Column('fonds', sa.String(length=16), nullable=False),
        sa.Column('category', sa.String(length=8), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('retention', sa.String(length=8), nullable=False),
        sa.Column('organisation', sa.String(length=16), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('fonds', 'category', 'year', 'retention', 'organisation',
                                name=op.f('pk_archival_counters')),
    )


def downgrade() -> None:
    op.drop_table('archival_counters')
    op.drop_index(op.f('ix_records_archival_code'), table_name='records')
    op.drop_column('records', 'archival_code')
