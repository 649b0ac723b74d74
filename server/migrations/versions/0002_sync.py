"""sync: devices, applied ops, conflicts, tasks, change stamps

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 16:41:46.089355
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('applied_ops',
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('op_hlc', sa.BigInteger(), nullable=False),
    sa.Column('effective_hlc', sa.BigInteger(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('applied', 'rejected')", name=op.f('ck_applied_ops_status')),
    sa.PrimaryKeyConstraint('op_id', name=op.f('pk_applied_ops'))
    )
    with op.batch_alter_table('applied_ops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applied_ops_device_id_seq'), ['device_id', 'seq'], unique=False)

    op.create_table('conflicts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts'))
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_device_id_state'), ['device_id', 'state'], unique=False)

    op.create_table('field_versions',
    sa.Column('entity', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.UniqueConstraint('entity', 'entity_id', 'field', name=op.f('uq_field_versions_entity_entity_id_field'))
    )
    op.create_table('sync_counter',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_counter'))
    )
    op.create_table('devices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('hardware_id', sa.String(length=200), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('token_id', sa.String(length=64), nullable=False),
    sa.Column('app_version', sa.String(length=32), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('seq_gaps', sa.BigInteger(), nullable=False),
    sa.Column('clock_skew_ms', sa.BigInteger(), nullable=False),
    sa.Column('clock_flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_devices_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices'))
    )
    op.create_table('enrolment_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_enrolment_codes_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_enrolment_codes'))
    )
    op.create_table('tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('claimed_by_device', sa.String(length=36), nullable=False),
    sa.Column('claimed_by_user', sa.String(length=64), nullable=False),
    sa.Column('claim_hlc', sa.BigInteger(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("kind IN ('pick', 'count', 'recount', 'exception')", name=op.f('ck_tasks_kind')),
    sa.CheckConstraint("state IN ('open', 'claimed', 'done', 'cancelled')", name=op.f('ck_tasks_state')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_tasks_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_warehouse_id_change_seq'), ['warehouse_id', 'change_seq'], unique=False)

    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_barcodes_change_seq'), ['change_seq'], unique=False)

    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_bins_warehouse_id_change_seq'), ['warehouse_id', 'change_seq'], unique=False)

    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_skus_change_seq'), ['change_seq'], unique=False)

    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_stock_balances_warehouse_id_change_seq'), ['warehouse_id', 'change_seq'], unique=False)

    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_stocktakes_warehouse_id_change_seq'), ['warehouse_id', 'change_seq'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stocktakes_warehouse_id_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_balances_warehouse_id_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skus_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bins_warehouse_id_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barcodes_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_warehouse_id_change_seq'))

    op.drop_table('tasks')
    op.drop_table('enrolment_codes')
    op.drop_table('devices')
    op.drop_table('sync_counter')
    op.drop_table('field_versions')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_device_id_state'))

    op.drop_table('conflicts')
    with op.batch_alter_table('applied_ops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applied_ops_device_id_seq'))

    op.drop_table('applied_ops')
    
