"""device status: what a handheld last said about itself (user, outbox, scan latency)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:58:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.add_column(sa.Column('status_user', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('status_pending', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('status_scan_ms', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('status_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('devices') as batch:
        batch.drop_column('status_at')
        batch.drop_column('status_scan_ms')
        batch.drop_column('status_pending')
        batch.drop_column('status_user')
