"""The year's transfer (年度移交) recorded (issue 20): one row per package written by
``archive transfer --year`` (archive/transfer.py, model archive/transfer_models.py): the year and
fonds, when and by whom (``transferred_by_id`` NULL for the console, ``transferred_by`` its name),
how many records, files and bytes, the manifest's SHA-256 and where the package was written.

And ``ix_records_year_archival`` (year, archival_code, id) over the records given a 档号: the
归档文件目录 (archive/file_catalogue.py) counts and pages a year in 档号 order from the index alone,
whatever the archive's size (a plain CREATE INDEX: no batch, records keeps its triggers).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

REFERENCED = "archival_code IS NOT NULL"


def upgrade() -> None:
    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('fonds', sa.String(length=16), nullable=False),
    sa.Column('transferred_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('transferred_by_id', sa.Integer(), nullable=True),
    sa.Column('transferred_by', sa.String(length=64), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['transferred_by_id'], ['users.id'], name=op.f('fk_transfers_transferred_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    op.create_index(op.f('ix_transfers_year'), 'transfers', ['year'], unique=False)
    op.create_index('ix_records_year_archival', 'records', ['year', 'archival_code', 'id'],
                    sqlite_where=sa.text(REFERENCED), postgresql_where=sa.text(REFERENCED))


def downgrade() -> None:
    op.drop_index('ix_records_year_archival', table_name='records')
    op.drop_index(op.f('ix_transfers_year'), table_name='transfers')
    op.drop_table('transfers')
