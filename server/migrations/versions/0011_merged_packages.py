"""merged packages and carriers: each package line names the order it ships, so one package can
carry several orders of one buyer to one address (合单); each package names the carrier its
waybill comes from (the carrier rules' choice; '' = the configured default)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('package_lines') as batch:
        batch.add_column(sa.Column('order_id', sa.String(length=36), nullable=True))
        batch.create_foreign_key(op.f('fk_package_lines_order_id_orders'), 'orders', ['order_id'], ['id'])
        batch.create_index(op.f('ix_package_lines_order_id'), ['order_id'], unique=False)
    with op.batch_alter_table('packages') as batch:
        batch.add_column(sa.Column('carrier_code', sa.String(length=20), nullable=False, server_default=''))
    op.execute("UPDATE package_lines SET order_id = (SELECT packages.order_id FROM packages"
               " WHERE packages.id = package_lines.package_id)")


def downgrade() -> None:
    with op.batch_alter_table('packages') as batch:
        batch.drop_column('carrier_code')
    with op.batch_alter_table('package_lines') as batch:
        batch.drop_index(op.f('ix_package_lines_order_id'))
        batch.drop_constraint(op.f('fk_package_lines_order_id_orders'), type_='foreignkey')
        batch.drop_column('order_id')
