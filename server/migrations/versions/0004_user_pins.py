"""user PINs for handheld sign-in, users replicated

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:05:04.671141
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_users_change_seq'), ['change_seq'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_change_seq'))
        batch_op.drop_column('change_seq')
        batch_op.drop_column('pin_hash')

    
