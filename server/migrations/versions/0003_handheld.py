"""handheld flows: receipts, transfers, warehouses replicated; sku price

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:01:45.006506
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_receipts_warehouse_id_change_seq'), ['warehouse_id', 'change_seq'], unique=False)

    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_fen', sa.BigInteger(), nullable=False, server_default=sa.text('0')))

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_transfers_change_seq'), ['change_seq'], unique=False)

    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_warehouses_change_seq'), ['change_seq'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warehouses_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_change_seq'))
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.drop_column('price_fen')

    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_warehouse_id_change_seq'))
        batch_op.drop_column('change_seq')

    
