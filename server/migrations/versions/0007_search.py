"""back-office search index (names, codes, pinyin initials)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# byte-ordered keys, so a prefix is a key range (SQLite compares BINARY already)
_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('search_entries',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('haystack', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'entity_id', name=op.f('pk_search_entries'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_kind_warehouse_id'), ['kind', 'warehouse_id'], unique=False)

    op.create_table('search_keys',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('key', _KEY, nullable=False),
    sa.Column('exact', sa.Boolean(), nullable=False),
    sa.Column('warehouse_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('kind', 'key', 'entity_id', name=op.f('pk_search_keys'))
    )
    with op.batch_alter_table('search_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_keys_kind_entity_id'), ['kind', 'entity_id'], unique=False)

    op.create_table('search_index_state',
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_search_index_state'))
    )


def downgrade() -> None:
    op.drop_table('search_index_state')
    with op.batch_alter_table('search_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_keys_kind_entity_id'))

    op.drop_table('search_keys')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_kind_warehouse_id'))

    op.drop_table('search_entries')
