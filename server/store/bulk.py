"""Bulk statements for the ledger's hot path, sent to the DB-API driver's ``executemany`` on the
connection of the caller's SQLAlchemy transaction (same transaction, same atomicity). SQLAlchemy's
per-row parameter processing costs more than the insert itself at tens of thousands of rows a
second; these statements are plain enough to need none of it. Written with ``?`` placeholders and
translated for psycopg."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def executemany(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def db_time(conn: Connection) -> object:
    """Now, in the form each driver stores for a timezone-aware DateTime column (as SQLAlchemy would)."""
    from shared.core.time import utc_now

    now = utc_now()
    return now if conn.dialect.name == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")


INSERT_APPLIED_OPS = (
    "INSERT INTO applied_ops (op_id, device_id, seq, kind, fingerprint, status, result, error, op_hlc, effective_hlc, applied_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_MOVEMENTS = (
    "INSERT INTO movements (id, sku_id, warehouse_id, bin_id, batch, qty, reason, hlc, recorded_at, ref_type, ref_id,"
    " user_id, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
ADD_TO_BIN = (
    "INSERT INTO stock_balances (sku_id, bin_id, batch, warehouse_id, on_hand, reserved, change_seq) VALUES (?, ?, ?, ?, ?, 0, ?)"
    " ON CONFLICT (sku_id, bin_id, batch) DO UPDATE SET on_hand = stock_balances.on_hand + excluded.on_hand,"
    " change_seq = excluded.change_seq"
)
ADD_TO_WAREHOUSE = (
    "INSERT INTO warehouse_stock (sku_id, warehouse_id, on_hand, reserved, in_transit) VALUES (?, ?, ?, 0, ?)"
    " ON CONFLICT (sku_id, warehouse_id) DO UPDATE SET on_hand = warehouse_stock.on_hand + excluded.on_hand,"
    " in_transit = warehouse_stock.in_transit + excluded.in_transit"
)
