"""The server's implementation of ``sync.applier.ApplyPort`` over the central store, for one push
batch in one transaction. Merge rules that need the store live here:

- stock ops post ledger movements dated at the op's (bounded) HLC; a balance left negative opens an
  exception task; a movement dated before an approved count of its key gets a compensating adjustment;
- a count that disagrees with another count of its key opens a recount task;
- claims and completions go through ``server.store.tasks`` (first claim wins);
- master edits go through ``server.store.masterdata`` (LWW per field); a losing value becomes a
  conflict record.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from server.store import ledger, masterdata, oplog, receipts, stocktakes, tasks
from server.store.catalogue import get_bin
from server.store.db import ServerClock
from server.store.devices import Device
from server.store.ledger import Balance
from shared.core.errors import RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason
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
        with self.conn.begin_nested():
            yield

    def record(self, op: Op, fingerprint: str, result: OpResult, effective_hlc: int) -> None:
        oplog.record(self.conn, op, fingerprint, result, effective_hlc)

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

    def _post(self, op: Op, legs: list[Movement]) -> dict[str, Any]:
        negative = ledger.post(self.conn, legs, event_ref=("op", op.op_id))
        compensated = stocktakes.compensate_late(self.conn, legs, user_id=op.user_id)
        self._open_exceptions(negative, op)
        return {"movement_ids": [m.id for m in legs], "compensations": len(compensated),
                "negative": [{"bin_id": b.bin_id, "sku_id": b.sku_id, "on_hand": b.on_hand} for b in negative]}

    def _open_exceptions(self, negative: list[Balance], op: Op) -> None:
        for b in negative:
            tasks.open_once(self.conn, "exception", b.warehouse_id,
                            {"reason": "negative_balance", "key": f"{b.bin_id}:{b.sku_id}:{b.batch}", "bin_id": b.bin_id,
                             "sku_id": b.sku_id, "batch": b.batch, "on_hand": b.on_hand, "op_id": op.op_id},
                            key="key", hlc=self.clock.now())

    def post_single(self, op: Op, p: dict[str, Any], qty: int, reason: Reason, hlc: int) -> dict[str, Any]:
        wh = self._in_scope(p["bin_id"])
        ref = ("task", p["task_id"]) if p.get("task_id") else ("op", op.op_id)
        leg = Movement(_movement_id(op, 0), p["sku_id"], wh, p["bin_id"], qty, reason, hlc, p["batch"], ref[0], ref[1],
                       op.user_id, op.device_id)
        return self._post(op, [leg])

    def post_pair(self, op: Op, p: dict[str, Any], reason: Reason, hlc: int) -> dict[str, Any]:
        wh = self._in_scope(p["from_bin_id"])
        if self._in_scope(p["to_bin_id"]) != wh or p["from_bin_id"] == p["to_bin_id"]:
            raise ValidationError("movement.same_bin", bin=p["to_bin_id"])
        legs = [Movement(_movement_id(op, 0), p["sku_id"], wh, p["from_bin_id"], -p["qty"], reason, hlc, p["batch"], "op",
                         op.op_id, op.user_id, op.device_id),
                Movement(_movement_id(op, 1), p["sku_id"], wh, p["to_bin_id"], p["qty"], reason, hlc, p["batch"], "op",
                         op.op_id, op.user_id, op.device_id)]
        return self._post(op, legs)

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
        t = tasks.complete(self.conn, p["task_id"], device_id=op.device_id, hlc=hlc)
        return {"task_id": t.id, "state": t.state}

    def set_field(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
        won, losing = masterdata.set_field(self.conn, p["entity"], p["entity_id"], p["field"], p["value"], hlc=hlc,
                                           device_id=op.device_id)
        if not won:  # a later edit (by HLC) already holds the field: keep this losing value on record
            oplog.record_conflict(self.conn, op, RuleViolation("master.lww_lost", field=p["field"], value=losing).to_dict())
        return {"won": won}


def _movement_id(op: Op, leg: int) -> str:
    """Movement ids derived from the op id, so a retried op can never create a second movement."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(op.op_id), f"leg-{leg}")) if op.op_id else new_id()
