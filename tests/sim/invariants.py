"""The promises of SYNC.md, checked on a healed simulation."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from server.store import ledger
from server.store.schema import applied_ops, bins, conflicts, movements, skus, stock_balances, tasks
from tests.sim.engine import Simulation


def check_all(sim: Simulation) -> None:
    check_exactly_once(sim)
    check_replicas_converged(sim)
    check_ledger(sim)


def check_exactly_once(sim: Simulation) -> None:
    """Every op a device created is on the server exactly once, applied or kept as a rejection with
    its reason; the device's outbox agrees and holds nothing unanswered."""
    created = [op_id for d in sim.devices for op_id in d.created]
    assert len(created) == len(set(created)), "a device made the same op id twice"
    with sim.server.store.read() as conn:
        status = {r.op_id: r.status for r in conn.execute(select(applied_ops.c.op_id, applied_ops.c.status))}
        kept = {r.op_id for r in conn.execute(select(conflicts.c.op_id))}
        legs: dict[str, int] = {}
        for r in conn.execute(select(movements.c.id, movements.c.ref_id, movements.c.ref_type)):
            legs[r.id] = legs.get(r.id, 0) + 1
    missing = sorted(set(created) - status.keys())
    assert not missing, f"{len(missing)} ops never reached the server: {missing[:3]}"
    for d in sim.devices:
        entries = d.replica.outbox_entries()
        assert all(e.state != "pending" for e in entries), f"device {d.index} still has pending ops"
        for e in entries:
            server = status[e.op_id]
            assert (e.state == "rejected") == (server == "rejected"), (e.op_id, e.state, server, e.error)
            if server == "rejected":
                assert e.op_id in kept and e.error and e.error.get("code"), f"rejected op {e.op_id} without a kept reason"
            elif e.kind.startswith("stock."):
                assert legs.get(e.op_id) == 1, f"stock op {e.op_id} has {legs.get(e.op_id)} first legs"


def check_replicas_converged(sim: Simulation) -> None:
    """Each replica equals the server for its scope."""
    with sim.server.store.read() as conn:
        server_stock = {(r.sku_id, r.bin_id, r.batch): (r.on_hand, r.reserved) for r in conn.execute(
            select(stock_balances).where(stock_balances.c.warehouse_id == sim.warehouse_id))}
        server_skus = {r.id: (r.code, r.low_stock_threshold) for r in conn.execute(select(skus))}
        server_bins = {r.id for r in conn.execute(select(bins.c.id).where(bins.c.warehouse_id == sim.warehouse_id))}
        server_tasks = {r.id: (r.state, r.claimed_by_device) for r in conn.execute(
            select(tasks).where(tasks.c.warehouse_id == sim.warehouse_id))}
    for d in sim.devices:
        db = d.replica._conn
        stock = {(r[0], r[1], r[2]): (r[3], r[4]) for r in db.execute("SELECT sku_id, bin_id, batch, on_hand, reserved FROM stock")}
        assert stock == server_stock, f"device {d.index} stock differs: {_diff(stock, server_stock)}"
        assert {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, code, low_stock_threshold FROM sku")} == server_skus
        assert {r[0] for r in db.execute("SELECT id FROM bin")} == server_bins
        assert {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, state, claimed_by_device FROM task")} == server_tasks


def check_ledger(sim: Simulation) -> None:
    """On-hand equals the sum of movements for every SKU × bin; SQLite files are sound."""
    with sim.server.store.read() as conn:
        assert ledger.projection_drift(conn) == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    for d in sim.devices:
        assert d.replica._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _diff(a: dict[Any, Any], b: dict[Any, Any]) -> str:
    keys = sorted(set(a) | set(b))
    return json.dumps([(str(k), a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)][:5], ensure_ascii=False)
