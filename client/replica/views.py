"""What the screens read: server state as pulled, rebased on read with the device's pending ops.

    stock_view(conn, bin_id=…, sku_id=…)  server on-hand + pending stock ops (receive +, pick −,
                                          move/putaway −from +to); an acked op is server state
    open_tasks(conn, device_id)           open/claimed tasks, with pending claims and completions
    lookup_barcode / bin_by_code          catalogue look-ups; ``ReplicaScanIndex`` wraps them as a
                                          ``shared.scan.resolve.ScanIndex`` so scans resolve offline

Nothing here writes. Pending stocktake counts do not change on-hand: a count is a statement the
server turns into an adjustment, shown from ``local_count`` instead.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared.scan.resolve import BarcodeHit, BinHit, UniqueCodeHit
from sync.ports import PENDING

StockKey = tuple[str, str, str]  # sku_id, bin_id, batch
STOCK_KINDS = ("stock.receive", "stock.pick", "stock.move", "stock.putaway")
OPEN_TASK_STATES = ("open", "claimed")


@dataclass(frozen=True, slots=True)
class StockLine:
    sku_id: str
    bin_id: str
    batch: str
    server_on_hand: int
    reserved: int
    pending_qty: int

    @property
    def on_hand(self) -> int:
        """What the device believes is there: the server's figure plus its own unsent moves."""
        return self.server_on_hand + self.pending_qty


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task as the device sees it; ``pending`` is ``claim``/``complete`` when an unsent op of this
    device changes it (``state`` already shows it), else ``""``."""

    id: str
    kind: str
    state: str
    claimed_by_device: str
    claimed_by_user: str
    data: dict[str, Any]
    server_state: str
    pending: str


@dataclass(frozen=True, slots=True)
class LocalCount:
    op_id: str
    stocktake_id: str
    bin_id: str
    sku_id: str
    batch: str
    counted_qty: int
    is_recount: bool


def op_stock_deltas(kind: str, payload: dict[str, Any]) -> list[tuple[StockKey, int]]:
    """The on-hand changes one stock op makes, per (sku, bin, batch)."""
    sku, batch, qty = payload["sku_id"], payload.get("batch", ""), int(payload["qty"])
    if kind == "stock.receive":
        return [((sku, payload["bin_id"], batch), qty)]
    if kind == "stock.pick":
        return [((sku, payload["bin_id"], batch), -qty)]
    if kind in ("stock.move", "stock.putaway"):
        return [((sku, payload["from_bin_id"], batch), -qty), ((sku, payload["to_bin_id"], batch), qty)]
    return []


def stock_view(conn: sqlite3.Connection, *, bin_id: str | None = None, sku_id: str | None = None) -> list[StockLine]:
    """Stock lines of a bin, a SKU, or one SKU in one bin, ordered by bin, SKU and batch."""
    if bin_id is None and sku_id is None:
        raise ValueError("stock_view needs a bin_id or a sku_id")
    filters = {name: value for name, value in (("bin_id", bin_id), ("sku_id", sku_id)) if value is not None}
    where = " AND ".join(f"{name} = :{name}" for name in filters)  # names from the fixed pair above
    server = {(r[0], r[1], r[2]): (int(r[3]), int(r[4])) for r in conn.execute(
        f"SELECT sku_id, bin_id, batch, on_hand, reserved FROM stock WHERE {where}", filters)}
    deltas = {k: d for k, d in pending_stock_deltas(conn).items()
              if (bin_id is None or k[1] == bin_id) and (sku_id is None or k[0] == sku_id)}
    lines = []
    for key in sorted(set(server) | set(deltas), key=lambda k: (k[1], k[0], k[2])):
        on_hand, reserved = server.get(key, (0, 0))
        lines.append(StockLine(key[0], key[1], key[2], on_hand, reserved, deltas.get(key, 0)))
    return lines


def pending_stock_deltas(conn: sqlite3.Connection) -> dict[StockKey, int]:
    totals: dict[StockKey, int] = defaultdict(int)
    for kind, payload in _pending(conn, STOCK_KINDS):
        for key, delta in op_stock_deltas(kind, payload):
            totals[key] += delta
    return dict(totals)


def open_tasks(conn: sqlite3.Connection, device_id: str) -> list[TaskView]:
    """Open and claimed tasks with this device's pending claims and completions applied."""
    pending: dict[str, tuple[str, str]] = {}
    for kind, payload, user_id in _pending_with_user(conn, ("task.claim", "task.complete")):
        pending[payload["task_id"]] = (kind.removeprefix("task."), user_id)
    marks = ", ".join("?" for _ in OPEN_TASK_STATES)
    rows = conn.execute("SELECT id, kind, state, claimed_by_device, claimed_by_user, data FROM task"
                        f" WHERE state IN ({marks}) ORDER BY id", OPEN_TASK_STATES)
    views = [_task_view(row, pending.get(row[0]), device_id) for row in rows]
    return [v for v in views if v.state in OPEN_TASK_STATES]


def _task_view(row: tuple[Any, ...], pending: tuple[str, str] | None, device_id: str) -> TaskView:
    task_id, kind, state, by_device, by_user, data = row
    view = TaskView(task_id, kind, state, by_device, by_user, _json_object(data), state, "")
    if pending is None:
        return view
    action, user_id = pending
    if action == "complete":
        return TaskView(task_id, kind, "done", by_device, by_user, view.data, state, action)
    if state == "open":
        return TaskView(task_id, kind, "claimed", device_id, user_id, view.data, state, action)
    return TaskView(task_id, kind, state, by_device, by_user, view.data, state, action)


def local_counts(conn: sqlite3.Connection, stocktake_id: str) -> list[LocalCount]:
    rows = conn.execute("SELECT op_id, stocktake_id, bin_id, sku_id, batch, counted_qty, is_recount FROM local_count"
                        " WHERE stocktake_id = ? ORDER BY id", (stocktake_id,))
    return [LocalCount(r[0], r[1], r[2], r[3], r[4], int(r[5]), bool(r[6])) for r in rows]


def lookup_barcode(conn: sqlite3.Connection, key: str) -> BarcodeHit | None:
    """The SKU of a barcode key (GTIN-14 or upper-cased internal code)."""
    row = conn.execute("SELECT sku.id, sku.code, barcode.pack_qty_base, sku.archived FROM barcode"
                       " JOIN sku ON sku.id = barcode.sku_id WHERE barcode.key = ?", (key,)).fetchone()
    if row is None:
        return None
    return BarcodeHit(sku_id=row[0], sku_code=row[1], pack_qty_base=int(row[2]), archived=bool(row[3]))


def bin_by_code(conn: sqlite3.Connection, warehouse_id: str | None, code: str) -> BinHit | None:
    """A live bin by its code (case-insensitive), in ``warehouse_id`` or, when ``None``, any."""
    sql = "SELECT id, code, warehouse_id FROM bin WHERE code = ? AND archived = 0"
    if warehouse_id is None:
        row = conn.execute(sql + " ORDER BY warehouse_id LIMIT 1", (code.upper(),)).fetchone()
    else:
        row = conn.execute(sql + " AND warehouse_id = ?", (code.upper(), warehouse_id)).fetchone()
    return None if row is None else BinHit(bin_id=row[0], bin_code=row[1], warehouse_id=row[2])


@dataclass(frozen=True, slots=True)
class ReplicaScanIndex:
    """``shared.scan.resolve.ScanIndex`` over the replica. The replica holds no unique codes, so a
    unique-code scan resolves as whatever else the code is."""

    conn: sqlite3.Connection
    warehouse_id: str | None

    def sku_for_barcode(self, key: str) -> BarcodeHit | None:
        return lookup_barcode(self.conn, key)

    def bin_for_code(self, code: str) -> BinHit | None:
        return bin_by_code(self.conn, self.warehouse_id, code)

    def unique_code(self, code: str) -> UniqueCodeHit | None:
        return None


def _pending(conn: sqlite3.Connection, kinds: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, payload, _user in _pending_with_user(conn, kinds):
        yield kind, payload


def _pending_with_user(conn: sqlite3.Connection, kinds: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any], str]]:
    marks = ", ".join("?" for _ in kinds)
    rows = conn.execute(f"SELECT kind, payload, user_id FROM outbox WHERE state = ? AND kind IN ({marks}) ORDER BY seq",
                        (PENDING, *kinds))
    for kind, payload, user_id in rows:
        yield kind, json.loads(payload), user_id


def _json_object(text: object) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
