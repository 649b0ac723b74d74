"""initial schema: catalogue, stock ledger, flows, events

Revision ID: 0001
Revises: 
Create Date: 2026-12-04 16:16:27.098214
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('doc_sequences',
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('last_value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', name=op.f('pk_doc_sequences'))
    )
    op.create_table('events',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('aggregate_type', sa.String(length=32), nullable=False),
    sa.Column('aggregate_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_events')),
    sa.UniqueConstraint('id', name=op.f('uq_events_id'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_aggregate_type_aggregate_id'), ['aggregate_type', 'aggregate_id'], unique=False)

    op.create_table('skus',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('spec', sa.String(length=200), nullable=False),
    sa.Column('base_unit', sa.String(length=16), nullable=False),
    sa.Column('weight_g', sa.Integer(), nullable=False),
    sa.Column('batch_tracked', sa.Boolean(), nullable=False),
    sa.Column('unique_code_tracked', sa.Boolean(), nullable=False),
    sa.Column('low_stock_threshold', sa.BigInteger(), nullable=False),
    sa.Column('cost_fen', sa.BigInteger(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weight_g >= 0 AND low_stock_threshold >= 0 AND cost_fen >= 0', name=op.f('ck_skus_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skus')),
    sa.UniqueConstraint('code', name=op.f('uq_skus_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('warehouse', 'store')", name=op.f('ck_warehouses_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    op.create_table('barcodes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('raw', sa.String(length=128), nullable=False),
    sa.Column('pack_qty_base', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('gtin', 'internal')", name=op.f('ck_barcodes_kind')),
    sa.CheckConstraint('pack_qty_base >= 1', name=op.f('ck_barcodes_pack_qty')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_barcodes_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_barcodes')),
    sa.UniqueConstraint('key', name=op.f('uq_barcodes_key'))
    )
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barcodes_sku_id'), ['sku_id'], unique=False)

    op.create_table('bins',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('walk_seq', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('storage', 'dock', 'transit')", name=op.f('ck_bins_kind')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_bins_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bins')),
    sa.UniqueConstraint('warehouse_id', 'code', name=op.f('uq_bins_warehouse_id_code'))
    )
    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bins_warehouse_id_walk_seq'), ['warehouse_id', 'walk_seq'], unique=False)

    op.create_table('low_stock_alerts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('available', sa.BigInteger(), nullable=False),
    sa.Column('threshold', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_low_stock_alerts_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_low_stock_alerts_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_low_stock_alerts'))
    )
    with op.batch_alter_table('low_stock_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_low_stock_alerts_sku_id_warehouse_id_state'), ['sku_id', 'warehouse_id', 'state'], unique=False)

    op.create_table('platform_skus',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('shop_id', sa.String(length=64), nullable=False),
    sa.Column('platform_sku_id', sa.String(length=128), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('qty_base', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('qty_base >= 1', name=op.f('ck_platform_skus_qty_base')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_platform_skus_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_skus')),
    sa.UniqueConstraint('platform', 'shop_id', 'platform_sku_id', name=op.f('uq_platform_skus_platform_shop_id_platform_sku_id'))
    )
    op.create_table('receipts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('supplier_name', sa.String(length=200), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_receipts_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('number', name=op.f('uq_receipts_number'))
    )
    op.create_table('sku_packs',
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=50), nullable=False),
    sa.Column('qty_base', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('qty_base > 1', name=op.f('ck_sku_packs_qty_base')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_sku_packs_sku_id_skus')),
    sa.UniqueConstraint('sku_id', 'code', name=op.f('uq_sku_packs_sku_id_code'))
    )
    op.create_table('stocktakes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=36), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_hlc', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stocktakes_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktakes')),
    sa.UniqueConstraint('number', name=op.f('uq_stocktakes_number'))
    )
    op.create_table('transfers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('from_warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('to_warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_transfers_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_transfers_to_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers')),
    sa.UniqueConstraint('number', name=op.f('uq_transfers_number'))
    )
    op.create_table('unique_codes',
    sa.Column('code', sa.String(length=128), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_unique_codes_sku_id_skus')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_unique_codes'))
    )
    op.create_table('warehouse_stock',
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('on_hand', sa.BigInteger(), nullable=False),
    sa.Column('reserved', sa.BigInteger(), nullable=False),
    sa.Column('in_transit', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_warehouse_stock_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_warehouse_stock_warehouse_id_warehouses')),
    sa.UniqueConstraint('sku_id', 'warehouse_id', name=op.f('uq_warehouse_stock_sku_id_warehouse_id'))
    )
    with op.batch_alter_table('warehouse_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warehouse_stock_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('movements',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('bin_id', sa.String(length=36), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Integer(), nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ref_type', sa.String(length=32), nullable=False),
    sa.Column('ref_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.CheckConstraint('qty <> 0', name=op.f('ck_movements_qty_non_zero')),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], name=op.f('fk_movements_bin_id_bins')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_movements_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_movements_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_movements')),
    sa.UniqueConstraint('id', name=op.f('uq_movements_id'))
    )
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_movements_ref_type_ref_id'), ['ref_type', 'ref_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_movements_sku_id_bin_id_batch_hlc'), ['sku_id', 'bin_id', 'batch', 'hlc'], unique=False)
        batch_op.create_index(batch_op.f('ix_movements_warehouse_id_seq'), ['warehouse_id', 'seq'], unique=False)

    op.create_table('receipt_lines',
    sa.Column('receipt_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('expected_qty', sa.BigInteger(), nullable=False),
    sa.Column('received_qty', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('expected_qty >= 0 AND received_qty >= 0', name=op.f('ck_receipt_lines_qty')),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_receipt_lines_receipt_id_receipts')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_receipt_lines_sku_id_skus')),
    sa.UniqueConstraint('receipt_id', 'line_no', name=op.f('uq_receipt_lines_receipt_id_line_no'))
    )
    op.create_table('reservations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('bin_id', sa.String(length=36), nullable=True),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('consumed_qty', sa.BigInteger(), nullable=False),
    sa.Column('released_qty', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('ref_type', sa.String(length=32), nullable=False),
    sa.Column('ref_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('open', 'consumed', 'released')", name=op.f('ck_reservations_state')),
    sa.CheckConstraint('qty > 0 AND consumed_qty >= 0 AND released_qty >= 0 AND consumed_qty + released_qty <= qty', name=op.f('ck_reservations_qty')),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], name=op.f('fk_reservations_bin_id_bins')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_reservations_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_reservations_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations'))
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservations_ref_type_ref_id'), ['ref_type', 'ref_id'], unique=False)

    op.create_table('stock_balances',
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('bin_id', sa.String(length=36), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('on_hand', sa.BigInteger(), nullable=False),
    sa.Column('reserved', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], name=op.f('fk_stock_balances_bin_id_bins')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_balances_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_balances_warehouse_id_warehouses')),
    sa.UniqueConstraint('sku_id', 'bin_id', 'batch', name=op.f('uq_stock_balances_sku_id_bin_id_batch'))
    )
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_balances_bin_id'), ['bin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_balances_warehouse_id_sku_id'), ['warehouse_id', 'sku_id'], unique=False)

    op.create_table('stocktake_bins',
    sa.Column('stocktake_id', sa.String(length=36), nullable=False),
    sa.Column('bin_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], name=op.f('fk_stocktake_bins_bin_id_bins')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'], name=op.f('fk_stocktake_bins_stocktake_id_stocktakes')),
    sa.UniqueConstraint('stocktake_id', 'bin_id', name=op.f('uq_stocktake_bins_stocktake_id_bin_id'))
    )
    op.create_table('stocktake_counts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('stocktake_id', sa.String(length=36), nullable=False),
    sa.Column('bin_id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('counted_qty', sa.BigInteger(), nullable=False),
    sa.Column('counted_hlc', sa.BigInteger(), nullable=False),
    sa.Column('counted_by', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('is_recount', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('counted_qty >= 0', name=op.f('ck_stocktake_counts_counted_qty')),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], name=op.f('fk_stocktake_counts_bin_id_bins')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stocktake_counts_sku_id_skus')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'], name=op.f('fk_stocktake_counts_stocktake_id_stocktakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_counts'))
    )
    with op.batch_alter_table('stocktake_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktake_counts_stocktake_id_bin_id'), ['stocktake_id', 'bin_id'], unique=False)

    op.create_table('transfer_lines',
    sa.Column('transfer_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('shipped_qty', sa.BigInteger(), nullable=False),
    sa.Column('received_qty', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('qty > 0 AND shipped_qty >= 0 AND received_qty >= 0 AND received_qty <= shipped_qty', name=op.f('ck_transfer_lines_qty')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_transfer_lines_sku_id_skus')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_transfer_lines_transfer_id_transfers')),
    sa.UniqueConstraint('transfer_id', 'line_no', name=op.f('uq_transfer_lines_transfer_id_line_no'))
    )
    


def downgrade() -> None:
    
    op.drop_table('transfer_lines')
    with op.batch_alter_table('stocktake_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stocktake_counts_stocktake_id_bin_id'))

    op.drop_table('stocktake_counts')
    op.drop_table('stocktake_bins')
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_balances_warehouse_id_sku_id'))
        batch_op.drop_index(batch_op.f('ix_stock_balances_bin_id'))

    op.drop_table('stock_balances')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservations_ref_type_ref_id'))

    op.drop_table('reservations')
    op.drop_table('receipt_lines')
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_movements_warehouse_id_seq'))
        batch_op.drop_index(batch_op.f('ix_movements_sku_id_bin_id_batch_hlc'))
        batch_op.drop_index(batch_op.f('ix_movements_ref_type_ref_id'))

    op.drop_table('movements')
    with op.batch_alter_table('warehouse_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warehouse_stock_warehouse_id'))

    op.drop_table('warehouse_stock')
    op.drop_table('unique_codes')
    op.drop_table('transfers')
    op.drop_table('stocktakes')
    op.drop_table('sku_packs')
    op.drop_table('receipts')
    op.drop_table('platform_skus')
    with op.batch_alter_table('low_stock_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_low_stock_alerts_sku_id_warehouse_id_state'))

    op.drop_table('low_stock_alerts')
    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bins_warehouse_id_walk_seq'))

    op.drop_table('bins')
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barcodes_sku_id'))

    op.drop_table('barcodes')
    op.drop_table('warehouses')
    op.drop_table('users')
    op.drop_table('skus')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_aggregate_type_aggregate_id'))

    op.drop_table('events')
    op.drop_table('doc_sequences')
    
