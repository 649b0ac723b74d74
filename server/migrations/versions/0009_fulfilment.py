"""fulfilment: waves, wave orders, packages, package lines, e-waybills; pack and return tasks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_TASK_KINDS_BEFORE = "kind IN ('pick', 'count', 'recount', 'exception')"
_TASK_KINDS = "kind IN ('pick', 'count', 'recount', 'exception', 'pack', 'return')"


def _task_kinds(check: str) -> None:
    with op.batch_alter_table('tasks', schema=None, recreate='auto') as batch_op:
        batch_op.drop_constraint(op.f('ck_tasks_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_tasks_kind'), sa.text(check))


def upgrade() -> None:
    op.create_table('waves',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('group_key', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('pick_task_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('single_sku', 'multi')", name=op.f('ck_waves_kind')),
    sa.CheckConstraint("state IN ('picking', 'picked', 'cancelled')", name=op.f('ck_waves_state')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_waves_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waves'))
    )
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waves_pick_task_id'), ['pick_task_id'], unique=False)

    op.create_table('wave_orders',
    sa.Column('wave_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_wave_orders_order_id_orders')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_orders_wave_id_waves')),
    sa.PrimaryKeyConstraint('wave_id', 'order_id', name=op.f('pk_wave_orders'))
    )
    with op.batch_alter_table('wave_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_orders_order_id'), ['order_id'], unique=False)

    op.create_table('packages',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('wave_id', sa.String(length=36), nullable=True),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('weight_g', sa.BigInteger(), nullable=False),
    sa.Column('pack_task_id', sa.String(length=36), nullable=True),
    sa.Column('packed_by_user', sa.String(length=64), nullable=False),
    sa.Column('packed_by_device', sa.String(length=36), nullable=False),
    sa.Column('packed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ship_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('open', 'packing', 'packed', 'shipped', 'cancelled')", name=op.f('ck_packages_state')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_packages_order_id_orders')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_packages_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_packages_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages')),
    sa.UniqueConstraint('order_id', 'seq', name=op.f('uq_packages_order_id_seq'))
    )
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packages_pack_task_id'), ['pack_task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_packages_state'), ['state'], unique=False)

    op.create_table('package_lines',
    sa.Column('package_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('verified_qty', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('qty > 0 AND verified_qty >= 0 AND verified_qty <= qty', name=op.f('ck_package_lines_qty')),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_lines_package_id_packages')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_package_lines_sku_id_skus')),
    sa.PrimaryKeyConstraint('package_id', 'line_no', name=op.f('pk_package_lines'))
    )
    op.create_table('waybills',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('package_id', sa.String(length=36), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('carrier_code', sa.String(length=20), nullable=False),
    sa.Column('waybill_code', sa.String(length=64), nullable=False),
    sa.Column('print_data', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('issued', 'cancelled')", name=op.f('ck_waybills_state')),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_waybills_package_id_packages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waybills')),
    sa.UniqueConstraint('object_id', name=op.f('uq_waybills_object_id'))
    )
    with op.batch_alter_table('waybills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waybills_package_id'), ['package_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waybills_waybill_code'), ['waybill_code'], unique=False)

    _task_kinds(_TASK_KINDS)


def downgrade() -> None:
    _task_kinds(_TASK_KINDS_BEFORE)
    with op.batch_alter_table('waybills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waybills_waybill_code'))
        batch_op.drop_index(batch_op.f('ix_waybills_package_id'))
    op.drop_table('waybills')
    op.drop_table('package_lines')
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packages_state'))
        batch_op.drop_index(batch_op.f('ix_packages_pack_task_id'))
    op.drop_table('packages')
    with op.batch_alter_table('wave_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_orders_order_id'))
    op.drop_table('wave_orders')
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waves_pick_task_id'))
    op.drop_table('waves')
