"""State rules for transfers (调拨) and expected receipts (收货单), derived from their lines (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class TransferState(StrEnum):
    OPEN = "open"  # nothing shipped yet
    IN_TRANSIT = "in_transit"  # shipped (fully or partly), nothing received
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"  # everything ordered has been shipped and received
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TransferLine:
    line_no: int
    sku_id: str
    batch: str
    qty: int
    shipped_qty: int = 0
    received_qty: int = 0

    @property
    def to_ship(self) -> int:
        return self.qty - self.shipped_qty

    @property
    def in_transit(self) -> int:
        return self.shipped_qty - self.received_qty


def transfer_state(lines: Iterable[TransferLine]) -> TransferState:
    lines = list(lines)
    shipped = sum(ln.shipped_qty for ln in lines)
    received = sum(ln.received_qty for ln in lines)
    if shipped == 0:
        return TransferState.OPEN
    if received == 0:
        return TransferState.IN_TRANSIT
    if all(ln.received_qty >= ln.qty for ln in lines):
        return TransferState.RECEIVED
    return TransferState.PARTIALLY_RECEIVED


class ReceiptState(StrEnum):
    EXPECTED = "expected"  # nothing received yet
    PARTIAL = "partial"  # something received, some lines still short
    RECEIVED = "received"  # every line received in full (or over)
    CLOSED = "closed"  # closed by a person, short lines stay short


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    line_no: int
    sku_id: str
    expected_qty: int
    received_qty: int = 0

    @property
    def short_qty(self) -> int:
        return max(self.expected_qty - self.received_qty, 0)

    @property
    def over_qty(self) -> int:
        return max(self.received_qty - self.expected_qty, 0)


def receipt_state(lines: Iterable[ReceiptLine], *, closed: bool = False) -> ReceiptState:
    if closed:
        return ReceiptState.CLOSED
    lines = list(lines)
    if sum(ln.received_qty for ln in lines) == 0:
        return ReceiptState.EXPECTED
    if all(ln.received_qty >= ln.expected_qty for ln in lines):
        return ReceiptState.RECEIVED
    return ReceiptState.PARTIAL


def split_receipt_qty(expected_qty: int, already_received: int, qty: int) -> tuple[int, int]:
    """Split a received quantity into (within expected, over expected)."""
    room = max(expected_qty - already_received, 0)
    within = min(qty, room)
    return within, qty - within
