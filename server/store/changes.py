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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Result, Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Select

from server.store.schema import (
    barcodes,
    bins,
    receipt_lines,
    receipts,
    skus,
    stock_balances,
    stocktake_bins,
    stocktakes,
    sync_counter,
    tasks,
    transfer_lines,
    transfers,
    users,
    warehouses,
)
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
                             skus.c.price_fen, skus.c.change_seq)),
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
        ("warehouse", warehouses, select(warehouses.c.id, warehouses.c.code, warehouses.c.name_zh, warehouses.c.name_en,
                                         warehouses.c.kind, warehouses.c.change_seq).where(warehouses.c.id == warehouse_id)),
        ("user", users, select(users.c.id, users.c.username, users.c.display_name, users.c.active, users.c.pin_hash,
                               users.c.change_seq)),
        ("receipt", receipts, select(receipts.c.id, receipts.c.number, receipts.c.reference, receipts.c.supplier_name,
                                     receipts.c.warehouse_id, receipts.c.state, receipts.c.change_seq)
         .where(receipts.c.warehouse_id == warehouse_id)),
        ("transfer", transfers, select(transfers.c.id, transfers.c.number, transfers.c.from_warehouse_id, transfers.c.to_warehouse_id,
                                       transfers.c.state, transfers.c.change_seq)
         .where((transfers.c.from_warehouse_id == warehouse_id) | (transfers.c.to_warehouse_id == warehouse_id))),
    ]


def _mappings(result: Result[Any]) -> Iterator[dict[str, Any]]:
    """Each row of ``result`` as a new dict (the keys taken once, not per row as ``row._mapping`` does)."""
    keys = tuple(result.keys())
    for row in result:
        yield dict(zip(keys, row, strict=True))


def _data(conn: Connection, entity: str, m: dict[str, Any]) -> dict[str, Any]:
    """The wire/replica form of one row of ``_queries`` (``m``, a dict of it, is changed in place)."""
    m.pop("change_seq", None)
    if entity in ("sku", "bin", "user"):
        for k in ("batch_tracked", "unique_code_tracked", "archived", "active"):
            if k in m:
                m[k] = _bool(m[k])
    if entity == "task":
        m["data"] = json.dumps(m["data"], ensure_ascii=False, sort_keys=True)
    if entity == "receipt":
        rows = conn.execute(select(receipt_lines).where(receipt_lines.c.receipt_id == m["id"]).order_by(receipt_lines.c.line_no))
        m["lines"] = json.dumps([{"line_no": r.line_no, "sku_id": r.sku_id, "expected_qty": r.expected_qty,
                                  "received_qty": r.received_qty} for r in rows])
    if entity == "transfer":
        rows = conn.execute(select(transfer_lines).where(transfer_lines.c.transfer_id == m["id"]).order_by(transfer_lines.c.line_no))
        m["lines"] = json.dumps([{"line_no": r.line_no, "sku_id": r.sku_id, "batch": r.batch, "qty": r.qty,
                                  "shipped_qty": r.shipped_qty, "received_qty": r.received_qty} for r in rows])
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
        out.extend(Change(int(m["change_seq"]), entity, _data(conn, entity, m)) for m in _mappings(rows))
    out.sort(key=lambda c: c.seq)
    more = any(conn.execute(query.with_only_columns(table.c.change_seq).where(table.c.change_seq > upto).limit(1)).first()
               for _e, table, query in queries)
    return out, upto, more


# Entities a snapshot copies straight from the driver's rows: plain columns named as in the replica,
# no conversion but what sqlite3 does itself (a bool binds as 0/1, as ``_data`` makes it). Rows come
# in the replica's primary-key order (byte order, as SQLite's BINARY collation), so every B-tree of
# the file is written by appending. entity -> (server table, column scoping it to the warehouse).
_BULK_SNAPSHOT = {"sku": ("skus", None), "barcode": ("barcodes", None), "bin": ("bins", "warehouse_id"),
                  "stock": ("stock_balances", "warehouse_id")}
_SNAPSHOT_FETCH = 5000


def _bulk_snapshot_sql(dialect: str, entity: str) -> str:
    table, scope = _BULK_SNAPSHOT[entity]
    _replica_table, keys, cols = replica_schema.ENTITY_TABLES[entity]
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    where = f" WHERE {scope} = {'%s' if dialect == 'postgresql' else '?'}" if scope else ""
    return f"SELECT {', '.join(cols)} FROM {table}{where} ORDER BY {', '.join(k + collate for k in keys)}"


def _insert_sql(entity: str) -> str:
    table, _keys, cols = replica_schema.ENTITY_TABLES[entity]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


def _ddl_parts() -> tuple[str, list[str]]:
    """The replica DDL as (tables, index statements): a snapshot creates its indexes after the rows."""
    statements = [s.strip() for s in replica_schema.DDL.split(";") if s.strip()]
    indexes = [s for s in statements if s.upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX"))]
    return ";\n".join(s for s in statements if s not in indexes) + ";", indexes


def write_snapshot(conn: Connection, warehouse_id: str, path: Path, extra_meta: Iterable[tuple[str, str]] = ()) -> int:
    """Write a ready replica file of the scope to ``path``; return the cursor it is valid at. Call
    inside one read transaction (REPEATABLE READ on PostgreSQL) so rows and cursor agree."""
    cursor = current(conn)
    tables, indexes = _ddl_parts()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(tables)
        db.execute("BEGIN")
        for entity, _table, query in _queries(warehouse_id):
            if entity in _BULK_SNAPSHOT:
                _copy_rows(conn, entity, warehouse_id, db)
                continue
            sql = replica_schema.upsert_sql(entity)
            result = conn.execution_options(yield_per=_SNAPSHOT_FETCH).execute(query)
            keys = tuple(result.keys())
            for part in result.partitions():
                db.executemany(sql, [_data(conn, entity, dict(zip(keys, r, strict=True))) for r in part])
        for statement in indexes:
            db.execute(statement)
        db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                       [("cursor", str(cursor)), ("warehouse_id", warehouse_id),
                        ("schema_version", str(replica_schema.SCHEMA_VERSION)), *extra_meta])
        db.execute("COMMIT")
    finally:
        db.close()
    return cursor


def _copy_rows(conn: Connection, entity: str, warehouse_id: str, db: sqlite3.Connection) -> None:
    """Copy one entity's rows in scope from the caller's transaction into the snapshot file, as the
    driver hands them (tuples) in pages of ``_SNAPSHOT_FETCH``: SQLAlchemy rows and per-row dicts
    would cost more than the copy itself at hundreds of thousands of rows."""
    sql = _bulk_snapshot_sql(conn.dialect.name, entity)
    params = (warehouse_id,) if _BULK_SNAPSHOT[entity][1] else ()
    dbapi = conn.connection
    if conn.dialect.name == "postgresql":  # a server-side cursor: the scope is never all in memory at once
        cur = dbapi.dbapi_connection.cursor(name=f"erp_snapshot_{entity}")  # type: ignore[union-attr]
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(sql, params)
        insert = _insert_sql(entity)
        while rows := cur.fetchmany(_SNAPSHOT_FETCH):
            db.executemany(insert, rows)
    finally:
        cur.close()
