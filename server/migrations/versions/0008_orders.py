"""orders (shops, pull cursors, orders, lines, timeline, rules, stock push queue)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_rules',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_rules'))
    )
    with op.batch_alter_table('order_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_rules_kind_position'), ['kind', 'position'], unique=False)

    op.create_table('shops',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('safety_stock', sa.BigInteger(), nullable=False),
    sa.Column('push_ratio_pct', sa.Integer(), nullable=False),
    sa.Column('api_base_url', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('safety_stock >= 0 AND push_ratio_pct >= 0 AND push_ratio_pct <= 100', name=op.f('ck_shops_push')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_shops_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shops')),
    sa.UniqueConstraint('code', name=op.f('uq_shops_code'))
    )
    op.create_table('orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shop_id', sa.String(length=36), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('platform_order_id', sa.String(length=64), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('held_from', sa.String(length=24), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('platform_status', sa.String(length=24), nullable=False),
    sa.Column('platform_status_raw', sa.String(length=64), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('modified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ship_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('buyer_open_id', sa.String(length=128), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('goods_fen', sa.BigInteger(), nullable=False),
    sa.Column('freight_fen', sa.BigInteger(), nullable=False),
    sa.Column('discount_fen', sa.BigInteger(), nullable=False),
    sa.Column('paid_fen', sa.BigInteger(), nullable=False),
    sa.Column('receiver', sa.JSON(), nullable=False),
    sa.Column('buyer_remark', sa.Text(), nullable=False),
    sa.Column('seller_remark', sa.Text(), nullable=False),
    sa.Column('seller_flag', sa.Integer(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_orders_shop_id_shops')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_orders_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('shop_id', 'platform_order_id', name=op.f('uq_orders_shop_id_platform_order_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_state_shop_id'), ['state', 'shop_id'], unique=False)

    op.create_table('shop_cursors',
    sa.Column('shop_id', sa.String(length=36), nullable=False),
    sa.Column('modified_through', sa.DateTime(timezone=True), nullable=True),
    sa.Column('page', sa.JSON(), nullable=True),
    sa.Column('pages_done', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_cursors_shop_id_shops')),
    sa.PrimaryKeyConstraint('shop_id', name=op.f('pk_shop_cursors'))
    )
    op.create_table('stock_push_queue',
    sa.Column('shop_id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_stock_push_queue_shop_id_shops')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_push_queue_sku_id_skus')),
    sa.PrimaryKeyConstraint('shop_id', 'sku_id', name=op.f('pk_stock_push_queue'))
    )
    op.create_table('order_events',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_events_order_id_orders')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_order_events')),
    sa.UniqueConstraint('id', name=op.f('uq_order_events_id'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_events_order_id_seq'), ['order_id', 'seq'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('platform_line_id', sa.String(length=64), nullable=False),
    sa.Column('platform_item_id', sa.String(length=64), nullable=False),
    sa.Column('platform_sku_id', sa.String(length=128), nullable=False),
    sa.Column('seller_sku_code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('spec', sa.String(length=300), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=True),
    sa.Column('qty_base', sa.BigInteger(), nullable=False),
    sa.Column('unit_price_fen', sa.BigInteger(), nullable=False),
    sa.Column('discount_fen', sa.BigInteger(), nullable=False),
    sa.Column('paid_fen', sa.BigInteger(), nullable=True),
    sa.Column('refund', sa.String(length=16), nullable=False),
    sa.Column('is_gift', sa.Boolean(), nullable=False),
    sa.CheckConstraint('qty > 0 AND qty_base >= 0', name=op.f('ck_order_lines_qty')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_order_lines_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines')),
    sa.UniqueConstraint('order_id', 'line_no', name=op.f('uq_order_lines_order_id_line_no'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_sku_id'), ['sku_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_sku_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_events_order_id_seq'))

    op.drop_table('order_events')
    op.drop_table('stock_push_queue')
    op.drop_table('shop_cursors')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_state_shop_id'))

    op.drop_table('orders')
    op.drop_table('shops')
    with op.batch_alter_table('order_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_rules_kind_position'))

    op.drop_table('order_rules')
