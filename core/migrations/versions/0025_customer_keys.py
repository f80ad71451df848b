"""One view of a customer (issue 21, part A): ``customer_keys``, one row per record and key.

A key is the HMAC-SHA256 digest (hex) of ``kind:canonical value`` (phone, policy or order
number) keyed from SECRET_KEY (forms/customers/keys.py): no number in clear. Indexed by digest
to gather a customer's records, by record to replace a record's rows.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 19:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_keys',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('records.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.UniqueConstraint('record_id', 'kind', 'digest'),
    )
    op.create_index('ix_customer_keys_digest', 'customer_keys', ['digest'])
    op.create_index(op.f('ix_customer_keys_record_id'), 'customer_keys', ['record_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_customer_keys_record_id'), table_name='customer_keys')
    op.drop_index('ix_customer_keys_digest', table_name='customer_keys')
    op.drop_table('customer_keys')
