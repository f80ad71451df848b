"""Customer requests under PIPL (issue 21, part B): the per-record decisions of a personal data
request (form PR), ``customer_request_items`` (forms/customer_requests/models.py).

One row per record gathered for a request: whether it goes into the customer's copy, the
corrected values, delete or keep (with the reason and the date until when it is kept), who
decided and when, and what carrying out did. Rows name records by code; the request's own
record keeps its history as revisions like any record.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 19:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from core.db import UTCDateTime

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_request_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_code', sa.String(length=24), nullable=False),
        sa.Column('record_code', sa.String(length=24), nullable=False),
        sa.Column('form_code', sa.String(length=8), nullable=False),
        sa.Column('gathered_at', UTCDateTime(), nullable=False),
        sa.Column('include', sa.Boolean(), nullable=True),
        sa.Column('correction', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
        sa.Column('deletion', sa.String(length=8), nullable=True),
        sa.Column('keep_reason', sa.Text(), nullable=True),
        sa.Column('keep_until', sa.Date(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('done_at', UTCDateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_customer_request_items_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_request_items')),
        sa.UniqueConstraint('request_code', 'record_code', name=op.f('uq_customer_request_items_request_code_record_code')),
    )
    op.create_index(op.f('ix_customer_request_items_request_code'), 'customer_request_items', ['request_code'])
    op.create_index(op.f('ix_customer_request_items_record_code'), 'customer_request_items', ['record_code'])


def downgrade() -> None:
    op.drop_index(op.f('ix_customer_request_items_record_code'), table_name='customer_request_items')
    op.drop_index(op.f('ix_customer_request_items_request_code'), table_name='customer_request_items')
    op.drop_table('customer_request_items')
