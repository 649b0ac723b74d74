"""Dialect-aware 'add to a counter row, creating it if missing' (INSERT … ON CONFLICT DO UPDATE),
atomic on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def upsert_add(conn: Connection, table: Table, key_cols: Sequence[str], add_cols: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """For each row: insert it, or add its ``add_cols`` values to the existing row with the same key.
    Rows must have distinct keys (aggregate first)."""
    if not rows:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key_cols),
        set_={c: table.c[c] + stmt.excluded[c] for c in add_cols},
    )
    conn.execute(stmt, list(rows))
