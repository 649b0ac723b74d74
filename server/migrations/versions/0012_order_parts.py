"""order parts: an order split across warehouses by stock (拆单) keeps its row as the parent and gets
one child order per part (``parent_order_id``, ``part_no`` 1..n; 0 = an order as the platform sent it)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('parent_order_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('part_no', sa.Integer(), nullable=False, server_default='0'))
        batch.create_foreign_key(op.f('fk_orders_parent_order_id_orders'), 'orders', ['parent_order_id'], ['id'])
        batch.create_index(op.f('ix_orders_parent_order_id'), ['parent_order_id'], unique=False)
        batch.drop_constraint(op.f('uq_orders_shop_id_platform_order_id'), type_='unique')
        batch.create_unique_constraint(op.f('uq_orders_shop_id_platform_order_id_part_no'),
                                       ['shop_id', 'platform_order_id', 'part_no'])


def downgrade() -> None:
    parts = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM orders WHERE part_no <> 0")).scalar_one()
    if parts:  # the parts' lines, reservations, waves and packages would lose their meaning
        raise RuntimeError(f"{parts} order parts exist: cannot downgrade below 0012")
    with op.batch_alter_table('orders') as batch:
        batch.drop_constraint(op.f('uq_orders_shop_id_platform_order_id_part_no'), type_='unique')
        batch.create_unique_constraint(op.f('uq_orders_shop_id_platform_order_id'), ['shop_id', 'platform_order_id'])
        batch.drop_index(op.f('ix_orders_parent_order_id'))
        batch.drop_constraint(op.f('fk_orders_parent_order_id_orders'), type_='foreignkey')
        batch.drop_column('part_no')
        batch.drop_column('parent_order_id')
