"""Filing columns on records, pages on renditions, legal holds, destruction lists, tombstones
(archive.filing, archive.holds, archive.disposal).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:32:53.604085
"""
import sqlalchemy as sa
from alembic import op

import core.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disposal_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('executed_by_id', sa.Integer(), nullable=True),
    sa.Column('executed_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('register_code', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_disposal_lists_decided_by_id_users')),
    sa.ForeignKeyConstraint(['executed_by_id'], ['users.id'], name=op.f('fk_disposal_lists_executed_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_disposal_lists_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disposal_lists'))
    )
    with op.batch_alter_table('disposal_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposal_lists_state'), ['state'], unique=False)

    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('released_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_legal_holds_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_legal_holds_owner_id_users')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_legal_holds_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    op.create_table('disposal_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('record_code', sa.String(length=24), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['disposal_lists.id'], name=op.f('fk_disposal_items_list_id_disposal_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disposal_items')),
    sa.UniqueConstraint('list_id', 'record_code', name=op.f('uq_disposal_items_list_id_record_code'))
    )
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposal_items_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disposal_items_record_code'), ['record_code'], unique=False)

    op.create_table('held_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hold_id', sa.Integer(), nullable=False),
    sa.Column('record_code', sa.String(length=24), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_held_records_added_by_id_users')),
    sa.ForeignKeyConstraint(['hold_id'], ['legal_holds.id'], name=op.f('fk_held_records_hold_id_legal_holds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_records')),
    sa.UniqueConstraint('hold_id', 'record_code', name=op.f('uq_held_records_hold_id_record_code'))
    )
    with op.batch_alter_table('held_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_records_hold_id'), ['hold_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_held_records_record_code'), ['record_code'], unique=False)

    op.create_table('tombstones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('form_code', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('retention_class', sa.String(length=32), nullable=False),
    sa.Column('submitted_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('filed_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('retention_until', sa.Date(), nullable=True),
    sa.Column('destroyed_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('disposal_list_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_tombstones_approved_by_id_users')),
    sa.ForeignKeyConstraint(['disposal_list_id'], ['disposal_lists.id'], name=op.f('fk_tombstones_disposal_list_id_disposal_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tombstones')),
    sa.UniqueConstraint('code', name=op.f('uq_tombstones_code'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('filed_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('filed_revision', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('volume', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('retention_class', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('retention_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_action', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', core.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_records_filed_at'), ['filed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_retention_class'), ['retention_class'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_retention_until'), ['retention_until'], unique=False)

    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.drop_column('pages')

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_retention_until'))
        batch_op.drop_index(batch_op.f('ix_records_retention_class'))
        batch_op.drop_index(batch_op.f('ix_records_filed_at'))
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('end_action')
        batch_op.drop_column('retention_until')
        batch_op.drop_column('retention_class')
        batch_op.drop_column('volume')
        batch_op.drop_column('filed_revision')
        batch_op.drop_column('filed_at')
        batch_op.drop_column('closed_at')

    op.drop_table('tombstones')
    with op.batch_alter_table('held_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_records_record_code'))
        batch_op.drop_index(batch_op.f('ix_held_records_hold_id'))

    op.drop_table('held_records')
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposal_items_record_code'))
        batch_op.drop_index(batch_op.f('ix_disposal_items_list_id'))

    op.drop_table('disposal_items')
    op.drop_table('legal_holds')
    with op.batch_alter_table('disposal_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposal_lists_state'))

    op.drop_table('disposal_lists')
