"""Sync benchmarks against the server under uvicorn on 127.0.0.1.

1. Merge: D devices × N offline ops (receipts and picks) pushed in batches of B, all devices at once.
   Prints merged ops/s, push latency p50/p99, and the raw SQLite limit of the same effect measured in
   the same run (per batch, one transaction: applied-op rows with their results, movement rows, both
   projection upserts, the change stamp and the event — executemany, WAL, synchronous=FULL) with
   the ratio (goal ≥ 0.3×).
2. Bootstrap: a device whose scope holds S SKUs and R stock rows downloads its snapshot and has a
   ready replica (goal ≤ 5 s).
3. Delta pull: after C changes in its scope, the device pulls and applies them (goal ≤ 0.5 s).

    .venv/bin/python bench/sync.py                 # full size: 20 × 5,000 ops; 100k SKUs, 300k rows; 10k changes
    .venv/bin/python bench/sync.py --quick         # a small run to check it works
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

from server.store import catalogue, devices, ledger  # noqa: E402
from server.store.db import Store, open_store  # noqa: E402
from shared.catalogue.model import new_bin, new_sku, new_warehouse  # noqa: E402
from shared.core import clock  # noqa: E402
from shared.core.ids import new_id  # noqa: E402
from shared.inventory.movement import Movement, Reason  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--ops", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--skus", type=int, default=2000)
    ap.add_argument("--bins", type=int, default=3000)
    ap.add_argument("--quick", action="store_true", help="4 devices × 500 ops")
    args = ap.parse_args()
    if args.quick:
        args.devices, args.ops = 4, 500
    with tempfile.TemporaryDirectory() as tmp:
        m = bench_merge(args, Path(tmp))
    print(f"merge: {args.devices} devices × {args.ops:,} offline ops, batches of {args.batch}, uvicorn on 127.0.0.1, SQLite WAL synchronous=FULL")
    print(f"  server merge:            {m['ops'] / m['merge_s']:>10,.0f} ops/s  ({m['merge_s']:.2f} s)")
    print(f"  push latency:            p50 {m['p50_ms']:.0f} ms, p99 {m['p99_ms']:.0f} ms (per batch of {args.batch})")
    print(f"  raw sqlite3, same effect:{m['ops'] / m['raw_s']:>10,.0f} ops/s  ({m['raw_s']:.2f} s)")
    print(f"  ratio server/raw:        {m['raw_s'] / m['merge_s']:>10.2f}x  (goal >= 0.30x)")


if __name__ == "__main__":
    main()
