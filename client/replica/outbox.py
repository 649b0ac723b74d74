"""The outbox: ops made on this device, kept until the server has answered them.

A row is written with its op's local effect rows in the caller's transaction, starts ``pending``,
and moves once to ``acked`` or ``rejected`` when the server's answer for its op id arrives. Only
answered rows are ever deleted (``prune_answered``). Functions here take the open connection; the
transaction belongs to ``client.replica.db.Replica``.

Local effect tables hold what the device itself wrote alongside an op and wants to show before (and
after) the server has it. ``local_count``: the lines a person counted in a stocktake.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sync.ports import ACKED, PENDING, REJECTED, Answer, LocalEffect
from sync.protocol import Op

LOCAL_DDL = """
CREATE TABLE IF NOT EXISTS local_count (
  id INTEGER PRIMARY KEY, op_id TEXT NOT NULL, stocktake_id TEXT NOT NULL, bin_id TEXT NOT NULL, sku_id TEXT NOT NULL,
  batch TEXT NOT NULL, counted_qty INTEGER NOT NULL, is_recount INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ix_local_count_stocktake ON local_count (stocktake_id, bin_id);
CREATE INDEX IF NOT EXISTS ix_local_count_op ON local_count (op_id);
"""

# local table -> the columns an effect row gives (op_id is added from the op)
LOCAL_TABLES: dict[str, tuple[str, ...]] = {
    "local_count": ("stocktake_id", "bin_id", "sku_id", "batch", "counted_qty", "is_recount"),
}

_COLUMNS = "seq, op_id, hlc, user_id, kind, v, payload, state, result, error, created_at_ms, answered_at_ms"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row, for display and export."""

    seq: int
    op_id: str
    hlc: int
    user_id: str
    kind: str
    v: int
    payload: dict[str, Any]
    state: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    created_at_ms: int
    answered_at_ms: int | None


def insert_op(conn: sqlite3.Connection, op: Op, created_at_ms: int) -> None:
    conn.execute(
        "INSERT INTO outbox (seq, op_id, hlc, user_id, kind, v, payload, state, created_at_ms)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op.seq, op.op_id, op.hlc, op.user_id, op.kind, op.v, _dumps(op.payload), PENDING, created_at_ms))


def write_effect(conn: sqlite3.Connection, op: Op, effect: LocalEffect | None) -> None:
    """Insert the op's local effect rows; an unknown table or a row with other columns is a
    programming error (``ValueError``) and rolls back the op with it."""
    for table, rows in (effect or {}).items():
        columns = LOCAL_TABLES.get(table)
        if columns is None:
            raise ValueError(f"unknown local effect table {table!r}")
        sql = f"INSERT INTO {table} (op_id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})"
        for row in rows:
            if set(row) != set(columns):
                raise ValueError(f"a {table} row needs exactly {columns}, got {sorted(row)}")
            conn.execute(sql, (op.op_id, *(row[c] for c in columns)))


def pending(conn: sqlite3.Connection, limit: int, device_id: str) -> list[Op]:
    rows = conn.execute("SELECT op_id, seq, hlc, user_id, kind, v, payload FROM outbox WHERE state = ?"
                        " ORDER BY seq LIMIT ?", (PENDING, limit))
    return [Op(r[0], device_id, r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE state = ?", (PENDING,)).fetchone()[0])


def mark_answered(conn: sqlite3.Connection, answers: Sequence[Answer], answered_at_ms: int) -> int:
    """Record answers on pending rows only; returns how many rows changed."""
    changed = 0
    for answer in answers:
        if answer.state not in (ACKED, REJECTED):
            raise ValueError(f"an answer moves an op to acked or rejected, not {answer.state!r}")
        error = None if answer.error is None else _dumps(answer.error)
        cursor = conn.execute("UPDATE outbox SET state = ?, result = ?, error = ?, answered_at_ms = ?"
                              " WHERE op_id = ? AND state = ?",
                              (answer.state, _dumps(answer.result), error, answered_at_ms, answer.op_id, PENDING))
        changed += cursor.rowcount
    return changed


def prune_answered(conn: sqlite3.Connection, older_than_ms: int) -> int:
    """Delete answered rows answered before ``older_than_ms``; pending rows are never touched."""
    cursor = conn.execute("DELETE FROM outbox WHERE state IN (?, ?) AND answered_at_ms < ?",
                          (ACKED, REJECTED, older_than_ms))
    return cursor.rowcount


def entries(conn: sqlite3.Connection, state: str | None = None) -> list[OutboxEntry]:
    """Outbox rows in seq order, all or of one state."""
    if state is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY seq")
    else:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = ? ORDER BY seq", (state,))
    return [OutboxEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], _loads(r[8]), _loads(r[9]),
                        r[10], r[11]) for r in rows]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _loads(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))
