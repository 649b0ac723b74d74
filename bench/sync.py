"""Sync benchmarks against the server under uvicorn on 127.0.0.1.

1. Merge: D devices × N offline ops (receipts and picks) pushed in batches of B, all devices at once.
   Prints merged ops/s, push latency p50/p99, and the raw SQLite limit of the same effect measured in
   the same run (per batch, one transaction: applied-op rows with their results, movement rows, both
   projection upserts, the change stamp and the event — executemany, WAL, synchronous=FULL) with
   the ratio (goal ≥ 0.3×).
2. Bootstrap: a device whose warehouse holds S SKUs and R stock rows (distinct SKU × bin, posted
   through ``ledger.post``; building them is not timed) goes from no replica file at all to a
   replica that answers a stock lookup: ``open_replica``, ``Replicator.bootstrap()`` over
   ``HttpxTransport`` (snapshot download, install, pull of the empty delta), ``stock_view``
   (goal ≤ 5 s). The floors measured in the same run: the same rows, already in memory in key
   order, executemany'd into an empty replica-schema file (WAL, synchronous=FULL) with its indexes
   built after; and a fsync'd file copy of the snapshot's size.
3. Delta pull: C receipts into C distinct stock rows of that warehouse, posted through the ledger
   in transactions of --delta-batch movements; then ``Replicator.pull()`` until it is done and the
   replica holds exactly the server's stock (goal ≤ 0.5 s). The floor: the same rows upserted with
   executemany into a copy of the bootstrapped replica in one transaction.

    .venv/bin/python bench/sync.py                 # full size: 20 × 5,000 ops; 100k SKUs, 300k rows; 10k changes
    .venv/bin/python bench/sync.py --quick         # a small run to check it works
    .venv/bin/python bench/sync.py --parts bootstrap --boot-rows 600000   # one part, other sizes
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from client.replica.db import open_replica  # noqa: E402
from server.store import catalogue, devices, ledger  # noqa: E402
from server.store.db import Store, open_store  # noqa: E402
from shared.catalogue.model import new_bin, new_sku, new_warehouse  # noqa: E402
from shared.core import clock  # noqa: E402
from shared.core.ids import new_id  # noqa: E402
from shared.inventory.movement import Movement, Reason  # noqa: E402
from sync import replica_schema  # noqa: E402
from sync.client import Replicator  # noqa: E402
from sync.transport import HttpxTransport  # noqa: E402

SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: Path, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "ERP_DATABASE_URL": f"sqlite:///{db}", "ERP_SECRET_KEY": SECRET, "ERP_DATA_DIR": str(data_dir)}
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.asgi:create", "--factory", "--host", "127.0.0.1",
                                      "--port", str(self.port), "--log-level", "warning", "--no-access-log"], env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def profile(self, out: str, seconds: int) -> subprocess.Popen[bytes]:
        """Sample the server with py-spy (if installed) while the benchmark runs: BENCH_PROFILE=out.svg."""
        return subprocess.Popen(["py-spy", "record", "-p", str(self.proc.pid), "-o", out, "-d", str(seconds), "-f", "raw"])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def world(store: Store, skus: int, bins: int) -> tuple[str, list[str], list[str]]:
    with store.transaction() as conn:
        wh = catalogue.insert_warehouse(conn, new_warehouse("BENCH", "基准仓"))
        new_bins = [new_bin(wh.id, f"B-{i:06d}") for i in range(bins)]
        catalogue.insert_bins(conn, new_bins)
        new_skus = [new_sku(f"S-{i:06d}", f"商品{i}") for i in range(skus)]
        for i in range(0, len(new_skus), 5000):
            catalogue.insert_skus(conn, new_skus[i:i + 5000])
    return wh.id, [s.id for s in new_skus], [b.id for b in new_bins]


def enrol(store: Store, warehouse_id: str, n: int) -> list[tuple[str, str]]:
    out = []
    with store.transaction() as conn:
        for i in range(n):
            code, _ = devices.new_enrolment_code(conn, warehouse_id)
            d, token = devices.enrol(conn, code, name=f"PDA-{i:02d}", hardware_id="", app_version="", secret=SECRET, hlc=store.clock.now())
            out.append((d.id, token))
    return out


def device_ops(device_id: str, n: int, skus: list[str], bins: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """A device's offline day: receipts into bins, and picks (~40 %) only of what it put there."""
    now_ms = time.time_ns() // 1_000_000
    held: dict[tuple[str, str], int] = {}
    keys: list[tuple[str, str]] = []
    ops = []
    for seq in range(1, n + 1):
        if keys and rng.random() < 0.4:
            j = rng.randrange(len(keys))
            qty = rng.randint(1, held[keys[j]])
            key, kind = keys[j], "stock.pick"
            held[key] -= qty
            if held[key] == 0:
                del held[key]
                keys[j] = keys[-1]
                keys.pop()
        else:
            key, qty, kind = (rng.choice(skus), rng.choice(bins)), rng.randint(1, 20), "stock.receive"
            if key not in held:
                keys.append(key)
            held[key] = held.get(key, 0) + qty
        ops.append({"op_id": new_id(), "device_id": device_id, "seq": seq, "hlc": clock.pack(now_ms - n + seq, 0), "user_id": "bench",
                    "kind": kind, "v": 2, "payload": {"sku_id": key[0], "bin_id": key[1], "qty": qty, "batch": ""}})
    return ops


def bench_merge(args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    db = tmp / "merge.sqlite3"
    store = open_store(f"sqlite:///{db}")
    wh, skus, bins = world(store, args.skus, args.bins)
    devs = enrol(store, wh, args.devices)
    store.dispose()
    rng = random.Random(1)
    work = [(d, token, device_ops(d, args.ops, skus, bins, rng)) for d, token in devs]
    latencies: list[float] = []
    lock = threading.Lock()

    # Bodies are encoded before the clock starts: the client shares this machine's two cores with the
    # server, and a handheld encodes its own batch anyway.
    bodies = {token: [json.dumps({"ops": ops[i:i + args.batch]}).encode() for i in range(0, len(ops), args.batch)]
              for _d, token, ops in work}
    answers: list[bytes] = []

    def run(token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Encoding": "identity"}
        with httpx.Client(timeout=120, headers=headers) as client:
            for body in bodies[token]:
                started = time.perf_counter()
                r = client.post(f"{server.url}/sync/v1/push", content=body)
                took = time.perf_counter() - started
                assert r.status_code == 200, r.text[:300]
                with lock:
                    latencies.append(took)
                    answers.append(r.content)

    server = Server(db, tmp)
    if os.environ.get("BENCH_PROFILE"):
        server.profile(os.environ["BENCH_PROFILE"], 8)
    try:
        threads = [threading.Thread(target=run, args=(token,)) for _d, token, _ops in work]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        merge_s = time.perf_counter() - started
    finally:
        server.stop()
    statuses = {x["status"] for a in answers for x in json.loads(a)["results"]}
    assert statuses == {"applied"}, statuses
    store = open_store(f"sqlite:///{db}")
    with store.read() as conn:
        assert ledger.projection_drift(conn) == []
    store.dispose()
    total = args.devices * args.ops
    raw_s = raw_merge(tmp / "raw.sqlite3", [ops for _d, _t, ops in work], args.batch, wh)
    latencies.sort()
    return {"ops": total, "merge_s": merge_s, "raw_s": raw_s,
            "p50_ms": statistics.median(latencies) * 1000, "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


RAW_SCHEMA = """
CREATE TABLE applied_ops (op_id TEXT PRIMARY KEY, device_id TEXT, seq INTEGER, kind TEXT, fingerprint TEXT, status TEXT,
  result TEXT, op_hlc INTEGER, effective_hlc INTEGER, applied_at TEXT);
CREATE INDEX ix_ao ON applied_ops (device_id, seq);
CREATE TABLE movements (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sku_id TEXT, warehouse_id TEXT, bin_id TEXT, batch TEXT,
  qty INTEGER, reason INTEGER, hlc INTEGER, recorded_at TEXT, ref_type TEXT, ref_id TEXT, user_id TEXT, device_id TEXT);
CREATE INDEX ix_m1 ON movements (sku_id, bin_id, batch, hlc);
CREATE INDEX ix_m2 ON movements (warehouse_id, seq);
CREATE INDEX ix_m3 ON movements (ref_type, ref_id);
CREATE TABLE stock_balances (sku_id TEXT, bin_id TEXT, batch TEXT, warehouse_id TEXT, on_hand INTEGER, reserved INTEGER,
  change_seq INTEGER, UNIQUE (sku_id, bin_id, batch));
CREATE INDEX ix_sb ON stock_balances (warehouse_id, change_seq);
CREATE TABLE warehouse_stock (sku_id TEXT, warehouse_id TEXT, on_hand INTEGER, reserved INTEGER, in_transit INTEGER,
  UNIQUE (sku_id, warehouse_id));
CREATE TABLE sync_counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, kind TEXT, aggregate_type TEXT, aggregate_id TEXT, payload TEXT,
  hlc INTEGER, created_at TEXT);
"""


def raw_merge(path: Path, per_device: list[list[dict[str, Any]]], batch: int, wh: str) -> float:
    """The same effect as the server's merge of each pushed batch, with nothing but sqlite3."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(RAW_SCHEMA)
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    started = time.perf_counter()
    for ops in per_device:
        for i in range(0, len(ops), batch):
            chunk = ops[i:i + batch]
            db.execute("BEGIN IMMEDIATE")
            seq = db.execute("INSERT INTO sync_counter VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = value + 1 RETURNING value").fetchone()[0]
            per_bin: dict[tuple[str, str], int] = defaultdict(int)
            per_wh: dict[str, int] = defaultdict(int)
            rows, applied = [], []
            for op in chunk:
                p = op["payload"]
                qty = p["qty"] if op["kind"] == "stock.receive" else -p["qty"]
                mid = new_id()
                rows.append((mid, p["sku_id"], wh, p["bin_id"], "", qty, 101 if qty > 0 else 301, op["hlc"], now, "op", op["op_id"], op["user_id"], op["device_id"]))
                applied.append((op["op_id"], op["device_id"], op["seq"], op["kind"], "x" * 64, "applied", json.dumps({"movement_ids": [mid]}), op["hlc"], op["hlc"], now))
                per_bin[(p["sku_id"], p["bin_id"])] += qty
                per_wh[p["sku_id"]] += qty
            db.executemany("INSERT INTO applied_ops VALUES (?,?,?,?,?,?,?,?,?,?)", applied)
            db.executemany("INSERT INTO movements (id, sku_id, warehouse_id, bin_id, batch, qty, reason, hlc, recorded_at, ref_type, ref_id,"
                           " user_id, device_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT INTO stock_balances VALUES (?,?,'',?,?,0,?) ON CONFLICT (sku_id, bin_id, batch) DO UPDATE SET"
                           " on_hand = on_hand + excluded.on_hand, change_seq = excluded.change_seq",
                           [(s, b, wh, q, seq) for (s, b), q in per_bin.items()])
            db.executemany("INSERT INTO warehouse_stock VALUES (?,?,?,0,0) ON CONFLICT (sku_id, warehouse_id) DO UPDATE SET"
                           " on_hand = on_hand + excluded.on_hand", [(s, wh, q) for s, q in per_wh.items()])
            db.execute("INSERT INTO events (id, kind, aggregate_type, aggregate_id, payload, hlc, created_at) VALUES (?,?,?,?,?,?,?)",
                       (new_id(), "stock.movements_posted", "op", chunk[0]["op_id"], json.dumps({"movement_ids": [r[0] for r in rows]}), seq, now))
            db.execute("COMMIT")
    took = time.perf_counter() - started
    db.close()
    return took


# ---- 2. bootstrap and 3. delta pull ------------------------------------------------------------------


def stock_keys(skus: list[str], bins: list[str], rows: int) -> list[tuple[str, str]]:
    """``rows`` distinct (sku, bin) pairs: every SKU in turn, each time in another bin."""
    if -(-rows // len(skus)) > len(bins):
        raise SystemExit(f"{rows:,} stock rows need at least {-(-rows // len(skus)):,} bins for {len(skus):,} SKUs")
    return [(skus[r % len(skus)], bins[(r // len(skus) + r % len(skus)) % len(bins)]) for r in range(rows)]


def post_receipts(store: Store, wh: str, keys: list[tuple[str, str]], qtys: list[int], batch: int) -> None:
    """One receipt movement per key through the ledger (``ledger.post``), ``batch`` legs a transaction."""
    hlc = clock.pack(time.time_ns() // 1_000_000, 0)
    for i in range(0, len(keys), batch):
        legs = [Movement(new_id(), s, wh, b, q, Reason.RECEIPT_UNEXPECTED, hlc, user_id="bench")
                for (s, b), q in zip(keys[i:i + batch], qtys[i:i + batch], strict=True)]
        with store.transaction() as conn:
            ledger.post(conn, legs)


class TimedTransport:
    """``HttpxTransport`` with the time spent in each call kept (for the breakdown; adds nothing)."""

    def __init__(self, inner: HttpxTransport) -> None:
        self.inner = inner
        self.spent: dict[str, float] = defaultdict(float)
        self.snapshot_bytes = 0

    def post_json(self, path: str, body: Any, token: str | None) -> Any:
        return self.inner.post_json(path, body, token)

    def get_json(self, path: str, params: Any, token: str | None) -> Any:
        started = time.perf_counter()
        try:
            return self.inner.get_json(path, params, token)
        finally:
            self.spent[path] += time.perf_counter() - started

    def get_bytes(self, path: str, token: str | None) -> Any:
        started = time.perf_counter()
        try:
            answer = self.inner.get_bytes(path, token)
            self.snapshot_bytes = len(answer[2])
            return answer
        finally:
            self.spent[path] += time.perf_counter() - started


def timed_method(obj: Any, name: str, spent: dict[str, float]) -> None:
    method = getattr(obj, name)

    def wrapper(*a: Any, **kw: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*a, **kw)
        finally:
            spent[name] += time.perf_counter() - started

    setattr(obj, name, wrapper)


def scope_rows(db: Path, wh: str) -> dict[str, list[tuple[Any, ...]]]:
    """The device's scope (the entities with rows here) as the replica holds them, read straight from the
    server's file, for the raw limits."""
    sources = {"sku": ("skus", ""), "barcode": ("barcodes", ""), "bin": ("bins", " WHERE warehouse_id = ?"),
               "stock": ("stock_balances", " WHERE warehouse_id = ?")}
    conn = sqlite3.connect(db)
    try:
        return {entity: conn.execute(f"SELECT {', '.join(replica_schema.ENTITY_TABLES[entity][2])} FROM {table}{where}",
                                     (wh,) if where else ()).fetchall()
                for entity, (table, where) in sources.items()}
    finally:
        conn.close()


def raw_upsert_sql(entity: str) -> str:
    table, keys, cols = replica_schema.ENTITY_TABLES[entity]
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")


def raw_bootstrap(path: Path, rows: dict[str, list[tuple[Any, ...]]]) -> float:
    """The floor of making the replica: the same rows, already in memory and in primary-key order,
    executemany'd into an empty file of the replica schema in one transaction, its secondary indexes
    built after the rows (WAL, synchronous=FULL, like the replica)."""
    statements = [x.strip() for x in replica_schema.DDL.split(";") if x.strip()]
    indexes = [x for x in statements if x.upper().startswith("CREATE INDEX")]
    for entity, entity_rows in rows.items():
        pk = [replica_schema.ENTITY_TABLES[entity][2].index(k) for k in replica_schema.ENTITY_TABLES[entity][1]]
        entity_rows.sort(key=lambda r: tuple(r[i] for i in pk))
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(";".join(x for x in statements if x not in indexes))
    db.execute("BEGIN")
    for entity, entity_rows in rows.items():
        table, _keys, cols = replica_schema.ENTITY_TABLES[entity]
        db.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", entity_rows)
    for statement in indexes:
        db.execute(statement)
    db.execute("INSERT INTO meta (key, value) VALUES ('cursor', '1')")
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - started


def file_copy(src: Path, dst: Path) -> float:
    """Copy ``src`` to ``dst`` and fsync it: the floor of landing a file of that size on disk."""
    started = time.perf_counter()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(1 << 20):
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return time.perf_counter() - started


def raw_delta(replica_copy: Path, rows: list[tuple[Any, ...]], cursor: int) -> float:
    """The floor of applying a delta: the same stock rows upserted with executemany into a copy of the
    bootstrapped replica, and the cursor stored, in one transaction (WAL, synchronous=FULL)."""
    db = sqlite3.connect(replica_copy, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("SELECT count(*) FROM stock").fetchone()  # open and warm like the device's open replica
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.executemany(raw_upsert_sql("stock"), rows)
    db.execute("INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(cursor),))
    db.execute("COMMIT")
    took = time.perf_counter() - started
    db.close()
    return took


def bench_bootstrap_and_delta(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    db = tmp / "boot.sqlite3"
    store = open_store(f"sqlite:///{db}")
    built = time.perf_counter()
    wh, skus, bins = world(store, args.boot_skus, args.boot_bins)
    keys = stock_keys(skus, bins, args.boot_rows)
    rng = random.Random(2)
    qtys = [rng.randint(1, 100) for _ in keys]
    post_receipts(store, wh, keys, qtys, 50_000)
    ((device_id, token),) = enrol(store, wh, 1)
    store.dispose()
    out: dict[str, Any] = {"build_s": time.perf_counter() - built}
    expected = {k: q for k, q in zip(keys, qtys, strict=True)}
    probe_sku = skus[len(skus) // 2]
    probe = sorted((b, q) for (s, b), q in expected.items() if s == probe_sku)

    server = Server(db, tmp)
    replica_path = tmp / "device.sqlite3"
    headers_at: dict[str, float] = {}
    http = httpx.Client(timeout=300, event_hooks={"response": [lambda r: headers_at.__setitem__(r.url.path, time.perf_counter())]})
    try:
        transport = TimedTransport(HttpxTransport(http, server.url))
        spent: dict[str, float] = defaultdict(float)
        # 2. Bootstrap: from no file at all to a replica that answers a stock lookup.
        started = time.perf_counter()
        replica = open_replica(replica_path)
        replica.set_meta({"device_id": device_id, "token": token})
        timed_method(replica, "install_snapshot", spent)
        replicator = Replicator(replica, transport, device_id="", wall_ms=lambda: time.time_ns() // 1_000_000, new_id=new_id)
        report = replicator.bootstrap()
        lines = replica.stock_view(sku_id=probe_sku)
        out["boot_s"] = time.perf_counter() - started
        assert report.stopped_by is None and report.changes == 0, report
        assert sorted((ln.bin_id, ln.on_hand) for ln in lines) == probe, (lines, probe)
        counts = {t: replica._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sku", "bin", "stock")}
        assert counts["sku"] == args.boot_skus and counts["stock"] == args.boot_rows and counts["bin"] >= args.boot_bins, counts
        out["snapshot_s"] = transport.spent["/sync/v1/snapshot"]
        out["snapshot_ttfb_s"] = headers_at["/sync/v1/snapshot"] - started
        out["install_s"] = spent["install_snapshot"]
        out["boot_pull_s"] = transport.spent["/sync/v1/pull"]
        out["snapshot_mb"] = transport.snapshot_bytes / 1e6
        boot_cursor = report.cursor

        rows = scope_rows(db, wh)
        out["raw_boot_s"] = raw_bootstrap(tmp / "raw-replica.sqlite3", rows)
        blob = tmp / "blob.bin"
        blob.write_bytes(os.urandom(transport.snapshot_bytes))
        out["copy_s"] = file_copy(blob, tmp / "blob-copy.bin")

        # 3. Delta pull: C receipts into C distinct stock rows of the scope, posted through the ledger.
        with sqlite3.connect(tmp / "replica-before-delta.sqlite3") as copy:
            replica._conn.backup(copy)
        delta_keys = random.Random(3).sample(keys, args.changes)
        store = open_store(f"sqlite:///{db}", migrate=False)
        post_receipts(store, wh, delta_keys, [1] * len(delta_keys), args.delta_batch)
        store.dispose()
        for k in delta_keys:
            expected[k] += 1
        transport.spent.clear()
        spent.clear()
        timed_method(replica, "apply_changes", spent)
        started = time.perf_counter()
        pulled = replicator.pull()
        out["delta_s"] = time.perf_counter() - started
        assert pulled.stopped_by is None and pulled.changes == args.changes, pulled
        out["delta_pages"] = pulled.pages
        out["delta_fetch_s"] = transport.spent["/sync/v1/pull"]
        out["delta_apply_s"] = spent["apply_changes"]
        got = dict(((s, b), q) for s, b, q in replica._conn.execute("SELECT sku_id, bin_id, on_hand FROM stock"))
        assert got == expected, "the replica does not hold the server's stock after the delta pull"
        replica.close()

        conn = sqlite3.connect(db)
        delta_rows = conn.execute("SELECT sku_id, bin_id, batch, warehouse_id, on_hand, reserved FROM stock_balances"
                                  " WHERE warehouse_id = ? AND change_seq > ?", (wh, boot_cursor)).fetchall()
        conn.close()
        assert len(delta_rows) == args.changes
        out["raw_delta_s"] = raw_delta(tmp / "replica-before-delta.sqlite3", delta_rows, pulled.cursor)
    finally:
        http.close()
        server.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="merge,bootstrap", help="comma-separated: merge, bootstrap (bootstrap, then the delta pull)")
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--ops", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--skus", type=int, default=2000)
    ap.add_argument("--bins", type=int, default=3000)
    ap.add_argument("--boot-skus", type=int, default=100_000, help="SKUs in the bootstrapping device's scope")
    ap.add_argument("--boot-rows", type=int, default=300_000, help="stock rows (SKU × bin) in its warehouse")
    ap.add_argument("--boot-bins", type=int, default=5000, help="bins in its warehouse")
    ap.add_argument("--changes", type=int, default=10_000, help="stock rows changed before the delta pull")
    ap.add_argument("--delta-batch", type=int, default=500, help="movements per server transaction for the delta")
    ap.add_argument("--quick", action="store_true", help="4 devices × 500 ops; 5k SKUs, 15k rows; 1k changes")
    args = ap.parse_args()
    if args.quick:
        args.devices, args.ops = 4, 500
        args.boot_skus, args.boot_rows, args.boot_bins, args.changes = 5000, 15_000, 500, 1000
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - {"merge", "bootstrap"}:
        ap.error(f"unknown parts: {', '.join(sorted(parts - {'merge', 'bootstrap'}))}")
    if "merge" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            m = bench_merge(args, Path(tmp))
        print(f"merge: {args.devices} devices × {args.ops:,} offline ops, batches of {args.batch}, uvicorn on 127.0.0.1, SQLite WAL synchronous=FULL")
        print(f"  server merge:            {m['ops'] / m['merge_s']:>10,.0f} ops/s  ({m['merge_s']:.2f} s)")
        print(f"  push latency:            p50 {m['p50_ms']:.0f} ms, p99 {m['p99_ms']:.0f} ms (per batch of {args.batch})")
        print(f"  raw sqlite3, same effect:{m['ops'] / m['raw_s']:>10,.0f} ops/s  ({m['raw_s']:.2f} s)")
        print(f"  ratio server/raw:        {m['raw_s'] / m['merge_s']:>10.2f}x  (goal >= 0.30x)")
    if "bootstrap" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            b = bench_bootstrap_and_delta(args, Path(tmp))
        print(f"bootstrap: {args.boot_skus:,} SKUs, {args.boot_rows:,} stock rows in {args.boot_bins:,} bins, Replicator.bootstrap()"
              f" over HttpxTransport, uvicorn on 127.0.0.1 (data built in {b['build_s']:.0f} s, not timed)")
        print(f"  ready replica:           {b['boot_s']:>10.2f} s  (goal <= 5 s): snapshot {b['snapshot_mb']:.1f} MB fetched in"
              f" {b['snapshot_s']:.2f} s (answer began at {b['snapshot_ttfb_s']:.2f} s), installed in {b['install_s']:.2f} s,"
              f" empty pull {b['boot_pull_s'] * 1000:.0f} ms")
        print(f"  raw sqlite3 executemany: {b['raw_boot_s']:>10.2f} s  (same rows from memory, in key order, into the replica schema, one transaction)")
        print(f"  file copy, same size:    {b['copy_s']:>10.2f} s  ({b['snapshot_mb']:.1f} MB, fsync'd)")
        print(f"  ratio raw/real:          {b['raw_boot_s'] / b['boot_s']:>10.2f}x")
        print(f"delta pull: {args.changes:,} stock rows changed in the device's scope ({args.delta_batch} movements a transaction),"
              f" Replicator.pull() until done")
        print(f"  pull and apply:          {b['delta_s']:>10.3f} s  (goal <= 0.5 s): {b['delta_pages']} pages, fetched in"
              f" {b['delta_fetch_s']:.3f} s, applied in {b['delta_apply_s']:.3f} s")
        print(f"  raw sqlite3 executemany: {b['raw_delta_s']:>10.3f} s  (same rows upserted into the replica, one transaction)")
        print(f"  ratio raw/real:          {b['raw_delta_s'] / b['delta_s']:>10.2f}x")


if __name__ == "__main__":
    main()
