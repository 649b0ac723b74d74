"""The home screen's figures: open work per flow and the sync status (always visible).

    work_counts(replica, reads, warehouse_id, device_id) -> WorkCounts
    sync_status(replica, prefs)                          -> SyncStatus

Everything is read from the replica as rebased with this device's pending ops, so the figures move
the moment a scan is recorded, online or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.replica.db import Replica
from client.replica.views import TaskView
from client.services.prefs import Prefs
from client.services.reads import RECEIVING_STATES, SHIPPING_STATES, ReplicaReads, WarehouseRow
from sync.ports import REJECTED


@dataclass(frozen=True, slots=True)
class WorkCounts:
    pick_tasks: int  # open, or claimed by this device
    receipts_open: int  # expected receipts not yet fully received
    transfers_to_receive: int  # to this warehouse, with goods in transit
    transfers_to_ship: int  # from this warehouse, with lines left to ship
    stocktakes_open: int
    recount_tasks: int
    exception_tasks: int


@dataclass(frozen=True, slots=True)
class RejectedOp:
    """An op of this device the server refused and keeps as a conflict for the back office."""

    op_id: str
    kind: str
    code: str
    message_zh: str
    message_en: str
    created_at_ms: int

    def message(self, lang: str = "zh-CN") -> str:
        return self.message_en if lang.lower().startswith("en") else self.message_zh


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """``offline`` and ``last_error`` are from the last sync attempt; ``last_ok_ms`` is ``None`` until
    one succeeded. ``rejected`` lists this device's refused ops, newest first."""

    pending_ops: int
    last_ok_ms: int | None
    last_attempt_ms: int | None
    offline: bool
    last_error: str
    rejected: tuple[RejectedOp, ...]


@dataclass(frozen=True, slots=True)
class Home:
    work: WorkCounts
    sync: SyncStatus
    user_display_name: str
    warehouse: WarehouseRow | None
    store_mode: bool
    language: str


def _mine_or_open(task: TaskView, device_id: str) -> bool:
    return task.state == "open" or task.claimed_by_device == device_id


def work_counts(replica: Replica, reads: ReplicaReads, warehouse_id: str, device_id: str) -> WorkCounts:
    tasks = [t for t in replica.open_tasks() if _mine_or_open(t, device_id)]
    by_kind = {kind: sum(1 for t in tasks if t.kind == kind) for kind in ("pick", "recount", "exception")}
    transfers = reads.transfers(warehouse_id)
    inbound = [t for t in transfers if t.to_warehouse_id == warehouse_id and t.state in RECEIVING_STATES and t.in_transit]
    outbound = [t for t in transfers if t.from_warehouse_id == warehouse_id and t.state in SHIPPING_STATES and t.to_ship]
    return WorkCounts(by_kind["pick"], len(reads.receipts(warehouse_id)), len(inbound), len(outbound),
                      len(reads.stocktakes(warehouse_id)), by_kind["recount"], by_kind["exception"])


def sync_status(replica: Replica, prefs: Prefs) -> SyncStatus:
    rejected = []
    for entry in reversed(replica.outbox_entries(REJECTED)):
        error = entry.error or {}
        rejected.append(RejectedOp(entry.op_id, entry.kind, str(error.get("code", "")), str(error.get("message", "")),
                                   str(error.get("message_en", "")), entry.created_at_ms))
    return SyncStatus(replica.pending_count(), _int_or_none(prefs.get("sync_last_ok_ms")),
                      _int_or_none(prefs.get("sync_last_attempt_ms")), prefs.get("sync_offline") == "1",
                      prefs.get("sync_last_error") or "", tuple(rejected))


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text else None
