"""End to end over real HTTP: a device enrolled with a code from ``erp device enroll`` bootstraps from
the server under uvicorn, works while the server is down, comes back and converges."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from client.replica.db import open_replica
from server import demo
from server.cli.main import app
from server.store import ledger
from server.store.db import open_store
from shared.core.ids import new_id
from sync.client import Replicator
from sync.transport import HttpxTransport, TransportError
from tests.uvicorn_server import free_port, start, wait_ready


def test_cli_enrolled_device_works_offline_and_converges(tmp_path: Path) -> None:
    db = tmp_path / "erp.sqlite3"
    env = {**os.environ, "ERP_DATABASE_URL": f"sqlite:///{db}", "ERP_SECRET_KEY": "e2e", "ERP_DATA_DIR": str(tmp_path)}
    store = open_store(f"sqlite:///{db}")
    demo.load(store, sku_count=40, bins_per_warehouse=30)
    store.dispose()
    out = CliRunner().invoke(app, ["device", "enroll", "--warehouse", "WH-SH"], env=env)
    assert out.exit_code == 0, out.output
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", out.output)
    assert code is not None

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start(env, port)
    replica = open_replica(tmp_path / "pda.sqlite3")
    try:
        wait_ready(url, server)
        with httpx.Client(timeout=10) as http:
            device = Replicator(replica, HttpxTransport(http, url), device_id="", wall_ms=lambda: time.time_ns() // 1_000_000,
                                new_id=new_id, sleep=lambda _s: None, max_attempts=1)
            device.enrol(code.group(0), "PDA-E2E", "hw-e2e", "0.1.0")
            device.bootstrap()
            line = replica._conn.execute("SELECT sku_id, bin_id, on_hand FROM stock WHERE on_hand > 5 ORDER BY sku_id LIMIT 1").fetchone()
            sku_id, bin_id, before = line

            server.terminate()
            server.wait(timeout=10)
            for _ in range(3):  # offline: scans still record, locally visible at once
                device.record("stock.pick", {"sku_id": sku_id, "bin_id": bin_id, "qty": 1, "batch": ""}, "zhangsan")
            assert sum(s.server_on_hand + s.pending_qty for s in replica.stock_view(bin_id=bin_id, sku_id=sku_id)) == before - 3
            try:
                device.sync()
                raise AssertionError("sync should fail while the server is down")
            except TransportError:
                pass
            assert replica.pending_count() == 3

            server = start(env, port)
            wait_ready(url, server)
            report = device.sync()
            assert report.push.acked == 3 and replica.pending_count() == 0
            assert replica._conn.execute("SELECT on_hand FROM stock WHERE sku_id = ? AND bin_id = ?", (sku_id, bin_id)).fetchone()[0] == before - 3
    finally:
        replica.close()
        server.terminate()
        server.wait(timeout=10)
    store = open_store(f"sqlite:///{db}")
    with store.read() as conn:
        assert ledger.balance(conn, sku_id, bin_id).on_hand == before - 3
    store.dispose()
