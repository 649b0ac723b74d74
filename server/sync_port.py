"""The server's implementation of ``sync.applier.ApplyPort`` over the central store, for one push
batch in one transaction. Merge rules that need the store live here:

- stock ops post ledger movements dated at the op's (bounded) HLC; a balance left negative opens an
  exception task; a movement dated before an approved count of its key gets a compensating adjustment;
- a count that disagrees with another count of its key opens a recount task;
- claims and completions go through ``server.store.tasks`` (first claim wins); a completed pick or pack
  task moves its wave's orders on (``server.orders.fulfilment.on_task_completed``);
- master edits go through ``server.store.masterdata`` (LWW per field); a losing value becomes a
  conflict record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from server.orders import fulfilment
from server.store import ledger, masterdata, oplog, receipts, stocktakes, tasks, transfers
from server.store.catalogue import get_bin
from server.store.changes import stamp
from server.store.db import ServerClock
from server.store.devices import Device
from server.store.ledger import Balance
from shared.core.errors import DomainError, RuleViolation, ValidationError
from shared.inventory.movement import Movement, Reason
from sync.applier import StockItem
from sync.protocol import Op, OpResult


@dataclass
class StorePort:
    conn: Connection
    clock: ServerClock
    device: Device

    def seen(self, op_ids: list[str]) -> dict[str, tuple[str, OpResult]]:
        return {k: (v.fingerprint, v.result) for k, v in oplog.find(self.conn, op_ids).items()}

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        stamp(self.conn)  # before the savepoint, so rolling it back cannot undo the stamp (see changes.stamp)
        with self.conn.begin_nested():
            yield

    def record_all(self, records: list[tuple[Op, str, OpResult, int]]) -> None:
        oplog.record_all(self.conn, records)

    def record_conflict(self, op: Op, error: dict[str, Any]) -> None:
        oplog.record_conflict(self.conn, op, error)

    def server_now(self) -> int:
        return self.clock.now()

    def observe(self, hlc: int) -> int:
        return self.clock.observe(hlc)

    # ---- stock -------------------------------------------------------------------------------------

    def _in_scope(self, bin_id: str) -> str:
        b = get_bin(self.conn, bin_id)
        if b.warehouse_id != self.device.warehouse_id:
            raise ValidationError("bin.wrong_warehouse", bin=b.code, warehouse=self.device.warehouse_id)
        return b.warehouse_id

    def post_stock(self, items: list[StockItem]) -> dict[str, dict[str, Any] | DomainError]:
        """Check every op's legs against the catalogue, post the good ones as one ledger batch, then
        compensate late movements and open exception tasks for balances left negative."""
        legs_of = {it.op.op_id: _legs(it, self.device.warehouse_id) for it in items}
        all_legs = [m for legs in legs_of.values() for m in legs]
        facts = ledger.load_facts(self.conn, all_legs)
        out: dict[str, dict[str, Any] | DomainError] = {}
        good: list[Movement] = []
        for it in items:
            try:
                if it.to_bin_id and it.to_bin_id == it.from_bin_id:
                    raise ValidationError("movement.same_bin", bin=it.to_bin_id)
                for m in legs_of[it.op.op_id]:
                    ledger.check_leg(m, facts.skus, facts.bins)
            except DomainError as exc:
                out[it.op.op_id] = exc
                continue
            good += legs_of[it.op.op_id]
        negative = ledger.post(self.conn, good, event_ref=("push", good[0].ref_id), checked=facts) if good else []
        compensated = stocktakes.compensate_late(self.conn, good)
        self._open_exceptions(negative)
        negative_by_key = {(b.bin_id, b.sku_id, b.batch): b.on_hand for b in negative}
        for it in items:
            if it.op.op_id not in out:
                legs = legs_of[it.op.op_id]
                out[it.op.op_id] = {
                    "movement_ids": [m.id for m in legs], "compensations": sum(m.id in compensated for m in legs),
                    "negative": [{"bin_id": m.bin_id, "sku_id": m.sku_id, "on_hand": negative_by_key[(m.bin_id, m.sku_id, m.batch)]}
                                 for m in legs if (m.bin_id, m.sku_id, m.batch) in negative_by_key]}
        return out

    def _open_exceptions(self, negative: list[Balance]) -> None:
        for b in negative:
            tasks.open_once(self.conn, "exception", b.warehouse_id,
                            {"reason": "negative_balance", "key": f"{b.bin_id}:{b.sku_id}:{b.batch}", "bin_id": b.bin_id,
                             "sku_id": b.sku_id, "batch": b.batch, "on_hand": b.on_hand},
                            key="key", hlc=self.clock.now())

    def receive_against(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        self._in_scope(p["bin_id"])
        r = receipts.receive(self.conn, p["receipt_id"], p["bin_id"], {p["sku_id"]: p["qty"]}, hlc=hlc,
                             batch_by_sku={p["sku_id"]: p["batch"]} if p["batch"] else None, user_id=op.user_id,
                             device_id=op.device_id)
        return {"receipt_id": r.id, "state": r.state.value}

    # ---- counts, tasks, master data ------------------------------------------------------------------

    def count(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        self._in_scope(p["bin_id"])
        count_id = stocktakes.record_count(self.conn, p["stocktake_id"], p["bin_id"], p["sku_id"], p["counted_qty"],
                                           counted_hlc=hlc, counted_by=op.user_id, batch=p["batch"], device_id=op.device_id,
                                           is_recount=p["is_recount"], count_id=_movement_id(op, 0))
        recount = False
        if stocktakes.disagreeing_keys(self.conn, p["stocktake_id"], p["bin_id"], p["sku_id"], p["batch"]):
            key = f"{p['stocktake_id']}:{p['bin_id']}:{p['sku_id']}:{p['batch']}"
            recount = tasks.open_once(self.conn, "recount", self.device.warehouse_id,
                                      {"key": key, "stocktake_id": p["stocktake_id"], "bin_id": p["bin_id"],
                                       "sku_id": p["sku_id"], "batch": p["batch"]}, key="key", hlc=hlc) is not None
        return {"count_id": count_id, "recount_opened": recount}

    def claim(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        t = tasks.claim(self.conn, p["task_id"], device_id=op.device_id, user_id=op.user_id, hlc=hlc)
        return {"task_id": t.id, "state": t.state}

    def complete(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        t = tasks.complete(self.conn, p["task_id"], device_id=op.device_id, hlc=hlc, shorts=p["shorts"])
        fulfilment.on_task_completed(self.conn, t, verified=p.get("verified", []), user_id=op.user_id,
                                     device_id=op.device_id, hlc=hlc)  # waves → pack tasks; packed packages
        return {"task_id": t.id, "state": t.state}

    def ship_transfer(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        self._in_scope(p["from_bin_id"])
        t = transfers.ship(self.conn, p["transfer_id"], p["from_bin_id"], hlc=hlc, qty_by_line={ln["line_no"]: ln["qty"] for ln in p["lines"]},
                           user_id=op.user_id, device_id=op.device_id)
        return {"transfer_id": t.id, "state": t.state.value}

    def receive_transfer(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        self._in_scope(p["to_bin_id"])
        t = transfers.receive(self.conn, p["transfer_id"], p["to_bin_id"], {p["sku_id"]: p["qty"]}, hlc=hlc,
                              user_id=op.user_id, device_id=op.device_id)
        return {"transfer_id": t.id, "state": t.state.value}

    def set_field(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        won, losing = masterdata.set_field(self.conn, p["entity"], p["entity_id"], p["field"], p["value"], hlc=hlc,
                                           device_id=op.device_id)
        if not won:  # a later edit (by HLC) already holds the field: keep this losing value on record
            oplog.record_conflict(self.conn, op, RuleViolation("master.lww_lost", field=p["field"], value=losing).to_dict())
        return {"won": won}


def _legs(it: StockItem, warehouse_id: str) -> list[Movement]:
    """Ledger legs of a stock op, dated at the op's (bounded) HLC, with ids derived from the op id."""
    op, ref = it.op, ("task", it.task_id) if it.task_id else ("op", it.op.op_id)
    if not it.to_bin_id:
        return [Movement(_movement_id(op, 0), it.sku_id, warehouse_id, it.from_bin_id, it.qty, it.reason, it.hlc, it.batch,
                         ref[0], ref[1], op.user_id, op.device_id)]
    return [Movement(_movement_id(op, 0), it.sku_id, warehouse_id, it.from_bin_id, -it.qty, it.reason, it.hlc, it.batch,
                     "op", op.op_id, op.user_id, op.device_id),
            Movement(_movement_id(op, 1), it.sku_id, warehouse_id, it.to_bin_id, it.qty, it.reason, it.hlc, it.batch,
                     "op", op.op_id, op.user_id, op.device_id)]


def _movement_id(op: Op, leg: int) -> str:
    """Movement ids derived from the op id (the first leg's id is the op id; a second leg's is a
    UUIDv5 of it), so a retried op can never create a second movement."""
    return op.op_id if leg == 0 else str(uuid.uuid5(uuid.UUID(op.op_id), f"leg-{leg}"))
