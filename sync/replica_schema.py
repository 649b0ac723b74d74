"""The handheld replica's SQLite schema, shared by the server (which builds snapshot files in it) and
the client (which opens them and applies pulled changes). Plain DDL: both ends use it with sqlite3 or
sqlite-utils, no ORM.

Server-state tables mirror the pull entities one to one (``ENTITY_TABLES``) and hold exactly what the
server said; the device's own unsent work lives in ``outbox``; what the user sees is server state
rebased with the pending ops (see ``sync.client``)."""

from __future__ import annotations

SCHEMA_VERSION = 2

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sku (
  id TEXT PRIMARY KEY, code TEXT NOT NULL, name_zh TEXT NOT NULL, name_en TEXT NOT NULL, spec TEXT NOT NULL,
  base_unit TEXT NOT NULL, batch_tracked INTEGER NOT NULL, unique_code_tracked INTEGER NOT NULL,
  low_stock_threshold INTEGER NOT NULL, archived INTEGER NOT NULL, price_fen INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS ix_sku_code ON sku (code);
CREATE TABLE IF NOT EXISTS barcode (key TEXT PRIMARY KEY, sku_id TEXT NOT NULL, kind TEXT NOT NULL, raw TEXT NOT NULL,
  pack_qty_base INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bin (id TEXT PRIMARY KEY, warehouse_id TEXT NOT NULL, code TEXT NOT NULL, kind TEXT NOT NULL,
  walk_seq INTEGER NOT NULL, archived INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ix_bin_code ON bin (warehouse_id, code);
CREATE TABLE IF NOT EXISTS stock (sku_id TEXT NOT NULL, bin_id TEXT NOT NULL, batch TEXT NOT NULL, warehouse_id TEXT NOT NULL,
  on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL, PRIMARY KEY (sku_id, bin_id, batch));
CREATE INDEX IF NOT EXISTS ix_stock_bin ON stock (bin_id);
CREATE TABLE IF NOT EXISTS task (id TEXT PRIMARY KEY, kind TEXT NOT NULL, warehouse_id TEXT NOT NULL, state TEXT NOT NULL,
  claimed_by_device TEXT NOT NULL, claimed_by_user TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stocktake (id TEXT PRIMARY KEY, number TEXT NOT NULL, warehouse_id TEXT NOT NULL,
  blind INTEGER NOT NULL, state TEXT NOT NULL, bin_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user (id TEXT PRIMARY KEY, username TEXT NOT NULL, display_name TEXT NOT NULL,
  active INTEGER NOT NULL, pin_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS warehouse (id TEXT PRIMARY KEY, code TEXT NOT NULL, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,
  kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS receipt (id TEXT PRIMARY KEY, number TEXT NOT NULL, reference TEXT NOT NULL, supplier_name TEXT NOT NULL,
  warehouse_id TEXT NOT NULL, state TEXT NOT NULL, lines TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfer (id TEXT PRIMARY KEY, number TEXT NOT NULL, from_warehouse_id TEXT NOT NULL,
  to_warehouse_id TEXT NOT NULL, state TEXT NOT NULL, lines TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY, op_id TEXT NOT NULL UNIQUE, hlc INTEGER NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL,
  v INTEGER NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', result TEXT, error TEXT,
  created_at_ms INTEGER NOT NULL, answered_at_ms INTEGER);
CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state, seq);
"""

# pull entity name -> (replica table, primary key columns, columns in order)
ENTITY_TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "sku": ("sku", ("id",), ("id", "code", "name_zh", "name_en", "spec", "base_unit", "batch_tracked",
                             "unique_code_tracked", "low_stock_threshold", "archived", "price_fen")),
    "barcode": ("barcode", ("key",), ("key", "sku_id", "kind", "raw", "pack_qty_base")),
    "bin": ("bin", ("id",), ("id", "warehouse_id", "code", "kind", "walk_seq", "archived")),
    "stock": ("stock", ("sku_id", "bin_id", "batch"), ("sku_id", "bin_id", "batch", "warehouse_id", "on_hand", "reserved")),
    "task": ("task", ("id",), ("id", "kind", "warehouse_id", "state", "claimed_by_device", "claimed_by_user", "data")),
    "stocktake": ("stocktake", ("id",), ("id", "number", "warehouse_id", "blind", "state", "bin_ids")),
    "warehouse": ("warehouse", ("id",), ("id", "code", "name_zh", "name_en", "kind")),
    "user": ("user", ("id",), ("id", "username", "display_name", "active", "pin_hash")),
    "receipt": ("receipt", ("id",), ("id", "number", "reference", "supplier_name", "warehouse_id", "state", "lines")),
    "transfer": ("transfer", ("id",), ("id", "number", "from_warehouse_id", "to_warehouse_id", "state", "lines")),
}


def upsert_sql(entity: str) -> str:
    """``INSERT … ON CONFLICT DO UPDATE`` for one pulled entity row, with named parameters."""
    table, keys, cols = ENTITY_TABLES[entity]
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")
