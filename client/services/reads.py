"""Reads the flows need that ``client.replica`` does not offer yet: users, the device's warehouse, SKU
and bin facts, expected receipts, transfers and stocktakes, with receipts and transfers rebased on
read with this device's pending ops (as ``client.replica.views`` does for stock and tasks).

    ReplicaReads(path)  a read-only SQLite connection to the replica file (WAL: it sees every commit
                        of the replica's one writer at once, and cannot write by construction)

These are named queries returning frozen dataclasses; they belong in ``client.replica.views`` and
can move there unchanged (this package may not edit the replica package today).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.ports import PENDING

OPEN_RECEIPT_STATES = ("expected", "partial")
SHIPPING_STATES = ("open", "in_transit", "partially_received")
RECEIVING_STATES = ("in_transit", "partially_received")


@dataclass(frozen=True, slots=True)
class UserRow:
    id: str
    username: str
    display_name: str
    active: bool
    pin_hash: str


@dataclass(frozen=True, slots=True)
class WarehouseRow:
    id: str
    code: str
    name_zh: str
    name_en: str
    kind: str  # "warehouse" | "store"


@dataclass(frozen=True, slots=True)
class SkuInfo:
    id: str
    code: str
    name_zh: str
    name_en: str
    spec: str
    batch_tracked: bool
    archived: bool
    price_fen: int


@dataclass(frozen=True, slots=True)
class BinInfo:
    id: str
    warehouse_id: str
    code: str
    kind: str  # "storage" | "dock" | "transit"
    walk_seq: int


@dataclass(frozen=True, slots=True)
class ReceiptLineView:
    line_no: int
    sku_id: str
    expected_qty: int
    received_qty: int  # server figure + this device's pending receipts against it


@dataclass(frozen=True, slots=True)
class ReceiptDoc:
    id: str
    number: str
    reference: str
    supplier_name: str
    state: str
    lines: tuple[ReceiptLineView, ...]


@dataclass(frozen=True, slots=True)
class TransferLineView:
    line_no: int
    sku_id: str
    batch: str
    qty: int
    shipped_qty: int  # server + pending ships of this device
    received_qty: int  # server + pending receipts of this device

    @property
    def to_ship(self) -> int:
        return max(self.qty - self.shipped_qty, 0)

    @property
    def in_transit(self) -> int:
        return max(self.shipped_qty - self.received_qty, 0)


@dataclass(frozen=True, slots=True)
class TransferDoc:
    id: str
    number: str
    from_warehouse_id: str
    to_warehouse_id: str
    state: str
    lines: tuple[TransferLineView, ...]

    @property
    def to_ship(self) -> int:
        return sum(ln.to_ship for ln in self.lines)

    @property
    def in_transit(self) -> int:
        return sum(ln.in_transit for ln in self.lines)


@dataclass(frozen=True, slots=True)
class StocktakeDoc:
    id: str
    number: str
    blind: bool
    state: str
    bin_ids: tuple[str, ...]


class ReplicaReads:
    """Read-only queries over the replica file at ``path``; see the module docstring."""

    def __init__(self, path: str | Path) -> None:
        self._conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)

    def close(self) -> None:
        self._conn.close()

    # ---- people and places ---------------------------------------------------------------------

    def users(self) -> list[UserRow]:
        """Active users, by display name then user name."""
        rows = self._conn.execute("SELECT id, username, display_name, active, pin_hash FROM user WHERE active = 1"
                                  " ORDER BY display_name, username")
        return [UserRow(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def user(self, username: str) -> UserRow | None:
        r = self._conn.execute("SELECT id, username, display_name, active, pin_hash FROM user WHERE username = ?",
                               (username.strip().lower(),)).fetchone()
        return None if r is None else UserRow(r[0], r[1], r[2], bool(r[3]), r[4])

    def warehouse(self, warehouse_id: str) -> WarehouseRow | None:
        r = self._conn.execute("SELECT id, code, name_zh, name_en, kind FROM warehouse WHERE id = ?", (warehouse_id,)).fetchone()
        return None if r is None else WarehouseRow(*r)

    def sku(self, sku_id: str) -> SkuInfo | None:
        r = self._conn.execute("SELECT id, code, name_zh, name_en, spec, batch_tracked, archived, price_fen FROM sku"
                               " WHERE id = ?", (sku_id,)).fetchone()
        return None if r is None else SkuInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), int(r[7]))

    def bin(self, bin_id: str) -> BinInfo | None:
        r = self._conn.execute("SELECT id, warehouse_id, code, kind, walk_seq FROM bin WHERE id = ?", (bin_id,)).fetchone()
        return None if r is None else BinInfo(r[0], r[1], r[2], r[3], int(r[4]))

    def system_bin(self, warehouse_id: str, kind: str) -> BinInfo | None:
        """The warehouse's dock (``kind="dock"``) or transit bin."""
        r = self._conn.execute("SELECT id, warehouse_id, code, kind, walk_seq FROM bin WHERE warehouse_id = ? AND kind = ?"
                               " AND archived = 0 ORDER BY code LIMIT 1", (warehouse_id, kind)).fetchone()
        return None if r is None else BinInfo(r[0], r[1], r[2], r[3], int(r[4]))

    # ---- documents -----------------------------------------------------------------------------

    def receipts(self, warehouse_id: str) -> list[ReceiptDoc]:
        """Expected receipts of the warehouse that can still be received against, by number."""
        marks = ", ".join("?" for _ in OPEN_RECEIPT_STATES)
        rows = self._conn.execute(f"SELECT id FROM receipt WHERE warehouse_id = ? AND state IN ({marks}) ORDER BY number",
                                  (warehouse_id, *OPEN_RECEIPT_STATES)).fetchall()
        return [doc for (rid,) in rows if (doc := self.receipt(rid)) is not None]

    def receipt(self, ref: str) -> ReceiptDoc | None:
        """A receipt by id or number (``RC-…``), rebased with pending receipts against it."""
        r = self._conn.execute("SELECT id, number, reference, supplier_name, state, lines FROM receipt"
                               " WHERE id = ? OR number = ?", (ref, ref.upper())).fetchone()
        if r is None:
            return None
        pending: dict[str, int] = defaultdict(int)
        for payload in self._pending("stock.receive"):
            if payload.get("receipt_id") == r[0]:
                pending[payload["sku_id"]] += int(payload["qty"])
        lines = []
        for ln in _json_list(r[5]):
            extra, pending[ln["sku_id"]] = pending[ln["sku_id"]], 0  # a SKU's pending qty counts on its first line
            lines.append(ReceiptLineView(int(ln["line_no"]), ln["sku_id"], int(ln["expected_qty"]), int(ln["received_qty"]) + extra))
        next_no = max((ln.line_no for ln in lines), default=0)
        for sku_id, qty in pending.items():  # SKUs not on the note, received here and not yet pulled back
            if qty:
                next_no += 1
                lines.append(ReceiptLineView(next_no, sku_id, 0, qty))
        return ReceiptDoc(r[0], r[1], r[2], r[3], r[4], tuple(lines))

    def transfers(self, warehouse_id: str) -> list[TransferDoc]:
        """Transfers to or from the warehouse, by number."""
        rows = self._conn.execute("SELECT id FROM transfer WHERE from_warehouse_id = ? OR to_warehouse_id = ? ORDER BY number",
                                  (warehouse_id, warehouse_id)).fetchall()
        return [doc for (tid,) in rows if (doc := self.transfer(tid)) is not None]

    def transfer(self, ref: str) -> TransferDoc | None:
        """A transfer by id or number (``TR-…``), rebased with pending ships and receipts."""
        r = self._conn.execute("SELECT id, number, from_warehouse_id, to_warehouse_id, state, lines FROM transfer"
                               " WHERE id = ? OR number = ?", (ref, ref.upper())).fetchone()
        if r is None:
            return None
        shipped: dict[int, int] = defaultdict(int)
        for payload in self._pending("transfer.ship"):
            if payload.get("transfer_id") == r[0]:
                for ln in payload["lines"]:
                    shipped[int(ln["line_no"])] += int(ln["qty"])
        received: dict[str, int] = defaultdict(int)
        for payload in self._pending("transfer.receive"):
            if payload.get("transfer_id") == r[0]:
                received[payload["sku_id"]] += int(payload["qty"])
        lines = []
        for ln in _json_list(r[5]):
            no, sku_id = int(ln["line_no"]), ln["sku_id"]
            ship = int(ln["shipped_qty"]) + shipped[no]
            got = int(ln["received_qty"])
            take = min(received[sku_id], max(ship - got, 0))  # the server fills a SKU's lines in order
            received[sku_id] -= take
            lines.append(TransferLineView(no, sku_id, ln.get("batch", ""), int(ln["qty"]), ship, got + take))
        return TransferDoc(r[0], r[1], r[2], r[3], r[4], tuple(lines))

    def stocktakes(self, warehouse_id: str) -> list[StocktakeDoc]:
        """Open stocktakes of the warehouse, by number."""
        rows = self._conn.execute("SELECT id FROM stocktake WHERE warehouse_id = ? AND state = 'open' ORDER BY number",
                                  (warehouse_id,)).fetchall()
        return [doc for (sid,) in rows if (doc := self.stocktake(sid)) is not None]

    def stocktake(self, ref: str) -> StocktakeDoc | None:
        r = self._conn.execute("SELECT id, number, blind, state, bin_ids FROM stocktake WHERE id = ? OR number = ?",
                               (ref, ref.upper())).fetchone()
        return None if r is None else StocktakeDoc(r[0], r[1], bool(r[2]), r[3], tuple(_json_list(r[4])))

    # ---- helpers -------------------------------------------------------------------------------

    def _pending(self, kind: str) -> Iterator[dict[str, Any]]:
        rows = self._conn.execute("SELECT payload FROM outbox WHERE state = ? AND kind = ? ORDER BY seq", (PENDING, kind))
        for (payload,) in rows:
            yield json.loads(payload)


def _json_list(text: object) -> list[Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return []
    return value if isinstance(value, list) else []
