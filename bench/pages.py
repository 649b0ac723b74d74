"""Movements page query at a million rows: the back office's ``/app/movements`` list
(``server.store.inventory_views.list_movements``: one keyset page of 50, newest first, plus the names
of its SKUs, bins, warehouses, people, devices and documents) on the first page and on a page deep in
the list (the after-key near the oldest end), against the physical floor measured in the same run on
the same table: a plain ``SELECT <the same columns> FROM movements LIMIT 51`` through the raw driver.

The store is a migrated SQLite file (WAL), 3 warehouses, ``--skus`` SKUs and ``--bins`` bins, and
``--rows`` movements (default 1,000,000) appended in ``seq`` order with the ledger's own INSERT
(``server.store.bulk.INSERT_MOVEMENTS``, every index in place) but without the projections, which
this page does not read (building is not timed). Each figure is the median of ``--repeat`` runs in
one read transaction, after one warm-up run. Also printed, for context: the bare ledger page without
the name look-ups, one warehouse's pages, a viewer scoped to two warehouses (one index range each,
merged), one SKU's newest page, and a reason filter (no index: it scans until it has a page).

    .venv/bin/python bench/pages.py [--rows 1000000] [--repeat 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, func, select, text  # noqa: E402

from server.store import bulk, catalogue  # noqa: E402
from server.store import inventory_views as views  # noqa: E402
from server.store import users as user_store  # noqa: E402
from server.store.db import Store, make_engine, open_store  # noqa: E402
from server.store.schema import movements  # noqa: E402
from shared.catalogue.model import new_bin, new_sku, new_warehouse  # noqa: E402
from shared.core.ids import new_id  # noqa: E402
from shared.inventory.movement import Reason  # noqa: E402

PAGE = 50
FLOOR_SQL = ("SELECT seq, id, sku_id, warehouse_id, bin_id, batch, qty, reason, hlc, ref_type, ref_id, user_id, device_id"
             " FROM movements LIMIT 51")  # the page's columns
COMMON_REASONS = [Reason.RECEIPT_UNEXPECTED, Reason.PICK_ORDER, Reason.PICK_TASK, Reason.MOVE, Reason.PUTAWAY]


def build(store: Store, rows: int, sku_count: int, bin_count: int, seed: int) -> dict[str, Any]:
    """The catalogue, a few people, and ``rows`` movements (60 % in the first warehouse, 35 % in the
    second, 5 % in the store); returns what the timings need."""
    rng = random.Random(seed)
    with store.transaction() as conn:
        whs = [catalogue.insert_warehouse(conn, new_warehouse(code, name, en, kind)) for code, name, en, kind in (
            ("WH-SH", "上海仓", "Shanghai DC", "warehouse"), ("WH-GZ", "广州仓", "Guangzhou DC", "warehouse"),
            ("ST-01", "门店", "Store", "store"))]
        bins = {w.id: [new_bin(w.id, f"{w.code[-2:]}-{i:05d}") for i in range(bin_count // len(whs))] for w in whs}
        for wb in bins.values():
            catalogue.insert_bins(conn, wb)
        skus = [new_sku(f"S-{i:05d}", f"商品{i}", name_en=f"Item {i}") for i in range(sku_count)]
        for i in range(0, len(skus), 1000):
            catalogue.insert_skus(conn, skus[i:i + 1000])
        people = [user_store.create(conn, f"user{i}", f"员工{i}").id for i in range(20)]
    devices = [new_id() for _ in range(30)]  # unknown to the store: shown by id, as a revoked-and-purged device would be
    weights = [0.60, 0.35, 0.05]
    hlc = (time.time_ns() // 1_000_000 - rows) << 16
    chunk = 50_000
    done = 0
    while done < rows:
        n = min(chunk, rows - done)
        batch = []
        for i in range(n):
            w = rng.choices(whs, weights)[0]
            reason = rng.choice(COMMON_REASONS)
            qty = rng.randint(1, 20) * (-1 if reason.kind.value == "pick" else 1)
            batch.append((new_id(), rng.choice(skus).id, w.id, rng.choice(bins[w.id]).id, "", qty, int(reason),
                          hlc + ((done + i) << 16), "2026-01-01 00:00:00.000000", "op", new_id(), rng.choice(people),
                          rng.choice(devices)))
        with store.transaction() as conn:
            if conn.dialect.name == "postgresql":
                batch = [(*r[:8], bulk.db_time(conn), *r[9:]) for r in batch]
            bulk.executemany(conn, bulk.INSERT_MOVEMENTS, batch)
        done += n
        print(f"  built {done:,} / {rows:,} movements", end="\r", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    with store.read() as conn:
        lo, hi = conn.execute(select(func.min(movements.c.seq), func.max(movements.c.seq))).one()
    return {"whs": [w.id for w in whs], "sku": skus[0].id, "min_seq": lo, "max_seq": hi}


def median_ms(conn: Connection, fn: Callable[[Connection], Any], repeat: int) -> tuple[float, Any]:
    result = fn(conn)  # warm-up (and the result, to check)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(conn)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def floor(conn: Connection) -> list[Any]:
    cursor = conn.connection.cursor()
    try:
        cursor.execute(FLOOR_SQL)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def run(store: Store, args: argparse.Namespace, label: str) -> None:
    started = time.perf_counter()
    facts = build(store, args.rows, args.skus, args.bins, args.seed)
    built = time.perf_counter() - started
    deep = facts["min_seq"] + 1000  # the after-key of a page near the oldest end
    wh_a, wh_b, _ = facts["whs"]
    deep_a = deep + 2000
    checks: list[tuple[str, Callable[[Connection], Any], int]] = [
        ("first page", lambda c: views.list_movements(c, scope=None, size=PAGE), PAGE + 1),
        ("deep page (after seq %d)" % deep, lambda c: views.list_movements(c, scope=None, after_seq=deep, size=PAGE), PAGE + 1),
    ]
    context: list[tuple[str, Callable[[Connection], Any], int]] = [
        ("bare ledger page, first (no look-ups)", lambda c: views.movement_page(c, scope=None, size=PAGE), PAGE + 1),
        ("bare ledger page, deep", lambda c: views.movement_page(c, scope=None, after_seq=deep, size=PAGE), PAGE + 1),
        ("one warehouse, first page", lambda c: views.list_movements(
            c, scope=None, where=views.MovementFilter(warehouse_id=wh_a), size=PAGE), PAGE + 1),
        ("one warehouse, deep page", lambda c: views.list_movements(
            c, scope=None, where=views.MovementFilter(warehouse_id=wh_a), after_seq=deep_a, size=PAGE), -1),
        ("scoped to 2 warehouses, first page", lambda c: views.list_movements(c, scope={wh_a, wh_b}, size=PAGE), PAGE + 1),
        ("scoped to 2 warehouses, deep page", lambda c: views.list_movements(c, scope={wh_a, wh_b}, after_seq=deep_a, size=PAGE), -1),
        ("one SKU, first page", lambda c: views.list_movements(
            c, scope=None, where=views.MovementFilter(sku_id=facts["sku"]), size=PAGE), -1),
        ("one SKU in one warehouse (a scoped SKU page)", lambda c: views.list_movements(
            c, scope={wh_a}, where=views.MovementFilter(sku_id=facts["sku"]), size=20), -1),
        ("one common reason, first page", lambda c: views.list_movements(
            c, scope=None, where=views.MovementFilter(reason=int(Reason.MOVE)), size=PAGE), PAGE + 1),
    ]
    with store.read() as conn:
        floor_ms, got = median_ms(conn, floor, args.repeat)
        assert len(got) == PAGE + 1
        results = []
        for name, fn, expect in checks + context:
            ms, rows = median_ms(conn, fn, args.repeat)
            assert expect < 0 or len(rows) == expect, (name, len(rows))
            results.append((name, ms))
    print(f"{label}: {args.rows:,} movements, {args.skus:,} SKUs, {args.bins:,} bins, 3 warehouses (built in {built:.1f} s);"
          f" median of {args.repeat} runs, page size {PAGE} (+1 to know there is a next page)")
    print(f"  physical floor: SELECT ... FROM movements LIMIT 51     {floor_ms:8.3f} ms")
    for i, (name, ms) in enumerate(results):
        if i == len(checks):
            print("  for context:")
        print(f"  {name:<52} {ms:8.3f} ms   {ms / floor_ms:6.1f}x floor")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="movements in the ledger (default 1,000,000)")
    ap.add_argument("--skus", type=int, default=5000)
    ap.add_argument("--bins", type=int, default=6000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--postgres", default="", help="also run on this PostgreSQL URL (in a fresh schema, dropped after)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/pages.sqlite3")
        try:
            run(store, args, "SQLite")
        finally:
            store.dispose()
    if args.postgres:
        run_postgres(args)


def run_postgres(args: argparse.Namespace) -> None:
    from server.store.migrate import upgrade

    schema = f"bench_pages_{new_id()[:8]}"
    admin = make_engine(args.postgres)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in args.postgres else "?"
        engine = make_engine(f"{args.postgres}{sep}options=-csearch_path%3D{schema}")
        upgrade(engine)
        store = Store(engine)
        try:
            run(store, args, "PostgreSQL")
        finally:
            store.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
