"""Change stamps and the device change feed (pull) and snapshots.

Every transaction that changes a replicated row (skus, barcodes, bins, stock_balances, tasks,
stocktakes) takes one number from ``sync_counter`` with ``stamp(conn)`` and writes it to the rows'
``change_seq``. Taking the number locks the counter row until commit (PostgreSQL) or runs under the
single SQLite writer, so stamps are handed out in commit order: a puller that has seen stamp N has
seen every transaction stamped ≤ N. A device pulls rows with ``change_seq > cursor`` in its scope.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Select

from server.store.schema import barcodes, bins, skus, stock_balances, stocktake_bins, stocktakes, sync_counter, tasks
from sync import replica_schema

_STAMP_KEY = "erp_change_stamp"


def stamp(conn: Connection) -> int:
    """This transaction's change stamp (taken once, then reused until commit).

    It must be taken outside any savepoint: a savepoint rolled back after taking it would undo the
    counter's increment while the transaction goes on writing rows with the number, and a device that
    pulled up to that number would miss them. Code that writes inside savepoints takes the stamp
    first (``StorePort.savepoint`` does); taking a new one inside a savepoint is refused."""
    txn = conn.get_transaction()
    cached = conn.info.get(_STAMP_KEY)
    if cached is not None and cached[0] is txn:
        return int(cached[1])
    if conn.in_nested_transaction():
        raise RuntimeError("take the change stamp before opening a savepoint (see server.store.changes.stamp)")
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(sync_counter).values(id=1, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"value": sync_counter.c.value + 1})
    value = int(conn.execute(stmt.returning(sync_counter.c.value)).scalar_one())
    conn.info[_STAMP_KEY] = (txn, value)
    return value


def current(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(sync_counter.c.value), 0))).scalar_one())


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    entity: str
    data: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        return {"seq": self.seq, "entity": self.entity, "data": self.data}


def _bool(v: Any) -> int:
    return 1 if v else 0


def _queries(warehouse_id: str) -> list[tuple[str, Table, Select[Any]]]:
    """(entity, table with change_seq, query) for every entity in a device's scope."""
    return [
        ("sku", skus, select(skus.c.id, skus.c.code, skus.c.name_zh, skus.c.name_en, skus.c.spec, skus.c.base_unit,
                             skus.c.batch_tracked, skus.c.unique_code_tracked, skus.c.low_stock_threshold, skus.c.archived,
                             skus.c.change_seq)),
        ("barcode", barcodes, select(barcodes.c.key, barcodes.c.sku_id, barcodes.c.kind, barcodes.c.raw,
                                     barcodes.c.pack_qty_base, barcodes.c.change_seq)),
        ("bin", bins, select(bins.c.id, bins.c.warehouse_id, bins.c.code, bins.c.kind, bins.c.walk_seq, bins.c.archived,
                             bins.c.change_seq).where(bins.c.warehouse_id == warehouse_id)),
        ("stock", stock_balances, select(stock_balances.c.sku_id, stock_balances.c.bin_id, stock_balances.c.batch,
                                         stock_balances.c.warehouse_id, stock_balances.c.on_hand, stock_balances.c.reserved,
                                         stock_balances.c.change_seq).where(stock_balances.c.warehouse_id == warehouse_id)),
        ("task", tasks, select(tasks.c.id, tasks.c.kind, tasks.c.warehouse_id, tasks.c.state, tasks.c.claimed_by_device,
                               tasks.c.claimed_by_user, tasks.c.data, tasks.c.change_seq).where(tasks.c.warehouse_id == warehouse_id)),
        ("stocktake", stocktakes, select(stocktakes.c.id, stocktakes.c.number, stocktakes.c.warehouse_id, stocktakes.c.blind,
                                         stocktakes.c.state, stocktakes.c.change_seq).where(stocktakes.c.warehouse_id == warehouse_id)),
    ]


def _data(conn: Connection, entity: str, row: Any) -> dict[str, Any]:
    m = dict(row._mapping)
    m.pop("change_seq", None)
    if entity in ("sku", "bin"):
        for k in ("batch_tracked", "unique_code_tracked", "archived"):
            if k in m:
                m[k] = _bool(m[k])
    if entity == "task":
        m["data"] = json.dumps(m["data"], ensure_ascii=False, sort_keys=True)
    if entity == "stocktake":
        m["blind"] = _bool(m["blind"])
        ids = conn.execute(select(stocktake_bins.c.bin_id).where(stocktake_bins.c.stocktake_id == m["id"])
                           .order_by(stocktake_bins.c.bin_id)).scalars().all()
        m["bin_ids"] = json.dumps(list(ids))
    return m


def pull(conn: Connection, warehouse_id: str, cursor: int, limit: int) -> tuple[list[Change], int, bool]:
    """Changes after ``cursor`` in the scope of ``warehouse_id``: (changes, new cursor, more?).
    A page ends on a whole stamp, so it may hold a little more than ``limit`` rows."""
    queries = _queries(warehouse_id)
    seqs: list[int] = []
    for _entity, table, query in queries:
        q = query.with_only_columns(table.c.change_seq).where(table.c.change_seq > cursor).order_by(table.c.change_seq).limit(limit)
        seqs.extend(conn.execute(q).scalars().all())
    if not seqs:
        return [], cursor, False
    seqs.sort()
    upto = seqs[min(limit, len(seqs)) - 1]
    out: list[Change] = []
    for entity, table, query in queries:
        rows = conn.execute(query.where((table.c.change_seq > cursor) & (table.c.change_seq <= upto)))
        out.extend(Change(int(r.change_seq), entity, _data(conn, entity, r)) for r in rows)
    out.sort(key=lambda c: c.seq)
    more = any(conn.execute(query.with_only_columns(table.c.change_seq).where(table.c.change_seq > upto).limit(1)).first()
               for _e, table, query in queries)
    return out, upto, more


def write_snapshot(conn: Connection, warehouse_id: str, path: Path, extra_meta: Iterable[tuple[str, str]] = ()) -> int:
    """Write a ready replica file of the scope to ``path``; return the cursor it is valid at. Call
    inside one read transaction (REPEATABLE READ on PostgreSQL) so rows and cursor agree."""
    cursor = current(conn)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(replica_schema.DDL)
        db.execute("BEGIN")
        for entity, _table, query in _queries(warehouse_id):
            sql = replica_schema.upsert_sql(entity)
            result = conn.execution_options(yield_per=5000).execute(query)
            for part in result.partitions():
                db.executemany(sql, [_data(conn, entity, r) for r in part])
        db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                       [("cursor", str(cursor)), ("warehouse_id", warehouse_id),
                        ("schema_version", str(replica_schema.SCHEMA_VERSION)), *extra_meta])
        db.execute("COMMIT")
    finally:
        db.close()
    return cursor
