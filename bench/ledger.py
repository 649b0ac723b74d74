"""Ledger posting throughput: movements/s through the store API versus the raw sqlite3 limit.

Posts N movements (default 200,000) through ``server.store.ledger.post`` in batches (one transaction
per batch, as sync applies a pushed batch), on a fresh SQLite file with WAL and synchronous=FULL.
In the same run it measures the physical limit of the same effect with raw sqlite3 and executemany:
ledger append with a unique id (and the same indexes), plus the per-bin and per-warehouse projection
upserts and the change stamp devices pull by, same batches, same durability settings. Prints both rates and their ratio.

    .venv/bin/python bench/ledger.py [--movements 200000] [--batch 1000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.store import catalogue, ledger  # noqa: E402
from server.store.db import Store, make_engine, open_store  # noqa: E402
from shared.catalogue.model import new_bin, new_sku, new_warehouse  # noqa: E402
from shared.core.ids import new_id  # noqa: E402
from shared.inventory.movement import Movement, Reason  # noqa: E402


def make_world(store: Store, skus: int, bins: int) -> tuple[str, list[str], list[str]]:
    with store.transaction() as conn:
        wh = catalogue.insert_warehouse(conn, new_warehouse("BENCH", "基准仓"))
        new_bins = [new_bin(wh.id, f"B-{i:05d}") for i in range(bins)]
        catalogue.insert_bins(conn, new_bins)
        new_skus = [new_sku(f"S-{i:05d}", f"商品{i}") for i in range(skus)]
        catalogue.insert_skus(conn, new_skus)
    return wh.id, [s.id for s in new_skus], [b.id for b in new_bins]


def make_movements(n: int, wh: str, skus: list[str], bins: list[str], seed: int) -> list[Movement]:
    """A warehouse day: receipts into bins, and picks (about 40%) only of stock that is there."""
    rng = random.Random(seed)
    hlc = time.time_ns() // 1_000_000 << 16
    stocked: dict[tuple[str, str], int] = {}
    keys: list[tuple[str, str]] = []
    out = []
    for i in range(n):
        if keys and rng.random() < 0.4:
            j = rng.randrange(len(keys))
            sku, bin_id = keys[j]
            qty = rng.randint(1, stocked[keys[j]])
            stocked[keys[j]] -= qty
            if stocked[keys[j]] == 0:
                del stocked[keys[j]]
                keys[j] = keys[-1]
                keys.pop()
            out.append(Movement(new_id(), sku, wh, bin_id, -qty, Reason.PICK_TASK, hlc + i))
        else:
            key = (rng.choice(skus), rng.choice(bins))
            qty = rng.randint(1, 20)
            if key not in stocked:
                keys.append(key)
            stocked[key] = stocked.get(key, 0) + qty
            out.append(Movement(new_id(), key[0], wh, key[1], qty, Reason.RECEIPT_UNEXPECTED, hlc + i))
    return out


def bench_store(store: Store, batch: list[Movement], size: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(batch), size):
        with store.transaction() as conn:
            ledger.post(conn, batch[i:i + size])
    return time.perf_counter() - started


RAW_SCHEMA = """
CREATE TABLE movements (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sku_id TEXT NOT NULL, warehouse_id TEXT NOT NULL,
  bin_id TEXT NOT NULL, batch TEXT NOT NULL, qty INTEGER NOT NULL, reason INTEGER NOT NULL, hlc INTEGER NOT NULL,
  recorded_at TEXT NOT NULL, ref_type TEXT NOT NULL, ref_id TEXT NOT NULL, user_id TEXT NOT NULL, device_id TEXT NOT NULL);
CREATE INDEX ix_m1 ON movements (sku_id, bin_id, batch, hlc);
CREATE INDEX ix_m2 ON movements (warehouse_id, seq);
CREATE INDEX ix_m3 ON movements (ref_type, ref_id);
CREATE TABLE stock_balances (sku_id TEXT, bin_id TEXT, batch TEXT, warehouse_id TEXT, on_hand INTEGER, reserved INTEGER,
  change_seq INTEGER, UNIQUE (sku_id, bin_id, batch));
CREATE INDEX ix_sb ON stock_balances (warehouse_id, change_seq);
CREATE TABLE sync_counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE warehouse_stock (sku_id TEXT, warehouse_id TEXT, on_hand INTEGER, reserved INTEGER, in_transit INTEGER,
  UNIQUE (sku_id, warehouse_id));
"""


def bench_raw(path: Path, batch: list[Movement], size: int) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(RAW_SCHEMA)
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    started = time.perf_counter()
    for i in range(0, len(batch), size):
        chunk = batch[i:i + size]
        per_bin: dict[tuple[str, str, str], int] = defaultdict(int)
        per_wh: dict[tuple[str, str], int] = defaultdict(int)
        for m in chunk:
            per_bin[(m.sku_id, m.bin_id, m.batch)] += m.qty
            per_wh[(m.sku_id, m.warehouse_id)] += m.qty
        db.execute("BEGIN IMMEDIATE")
        seq = db.execute("INSERT INTO sync_counter VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = value + 1"
                         " RETURNING value").fetchone()[0]
        db.executemany("INSERT INTO movements (id, sku_id, warehouse_id, bin_id, batch, qty, reason, hlc, recorded_at, ref_type,"
                       " ref_id, user_id, device_id) VALUES (?,?,?,?,?,?,?,?,?,'','','','')",
                       [(m.id, m.sku_id, m.warehouse_id, m.bin_id, m.batch, m.qty, int(m.reason), m.hlc, now) for m in chunk])
        db.executemany("INSERT INTO stock_balances VALUES (?,?,?,?,?,0,?) ON CONFLICT (sku_id, bin_id, batch)"
                       " DO UPDATE SET on_hand = on_hand + excluded.on_hand, change_seq = excluded.change_seq",
                       [(s, b, bt, chunk[0].warehouse_id, q, seq) for (s, b, bt), q in per_bin.items()])
        db.executemany("INSERT INTO warehouse_stock VALUES (?,?,?,0,0) ON CONFLICT (sku_id, warehouse_id)"
                       " DO UPDATE SET on_hand = on_hand + excluded.on_hand",
                       [(s, w, q) for (s, w), q in per_wh.items()])
        db.execute("COMMIT")
    took = time.perf_counter() - started
    db.close()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--movements", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--skus", type=int, default=2000)
    ap.add_argument("--bins", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--postgres", default="", help="also post through the store on this PostgreSQL URL (a fresh schema)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/store.sqlite3")
        wh, skus, bins = make_world(store, args.skus, args.bins)
        moves = make_movements(args.movements, wh, skus, bins, args.seed)
        store_s = bench_store(store, moves, args.batch)
        with store.read() as conn:
            assert ledger.projection_drift(conn) == [], "projection drifted from the ledger"
        store.dispose()
        raw_s = bench_raw(Path(tmp) / "raw.sqlite3", moves, args.batch)

    n = args.movements
    print(f"movements: {n:,} in batches of {args.batch:,} (one transaction per batch), SQLite WAL synchronous=FULL")
    print(f"store API (ledger.post):     {n / store_s:>10,.0f} movements/s  ({store_s:.2f} s)")
    print(f"raw sqlite3 executemany:     {n / raw_s:>10,.0f} movements/s  ({raw_s:.2f} s)")
    print(f"ratio store/raw:             {raw_s / store_s:>10.2f}x  (goal >= 0.30x)")
    if args.postgres:
        bench_postgres(args, moves_count=n)


def bench_postgres(args: argparse.Namespace, moves_count: int) -> None:
    from sqlalchemy import text

    from server.store.migrate import upgrade

    schema = f"bench_{new_id()[:8]}"
    admin = make_engine(args.postgres)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in args.postgres else "?"
        engine = make_engine(f"{args.postgres}{sep}options=-csearch_path%3D{schema}")
        upgrade(engine)
        store = Store(engine)
        wh, skus, bins = make_world(store, args.skus, args.bins)
        moves = make_movements(moves_count, wh, skus, bins, args.seed)
        took = bench_store(store, moves, args.batch)
        store.dispose()
        print(f"store API on PostgreSQL:     {moves_count / took:>10,.0f} movements/s  ({took:.2f} s)")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
