"""Single-warehouse stock operations on the ledger: bin-to-bin moves, putaway, adjustments, returns
and picks without a reservation. Each is one call, one transaction, one event."""

from __future__ import annotations

from sqlalchemy import Connection

from server.store import ledger
from server.store.catalogue import get_bin
from shared.core.errors import ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.inventory.movement import Movement, MovementKind, Reason


def move(conn: Connection, sku_id: str, from_bin_id: str, to_bin_id: str, qty: object, *, hlc: int, batch: str = "",
         reason: Reason = Reason.MOVE, user_id: str = "", device_id: str = "", ref: tuple[str, str] = ("", "")) -> list[Movement]:
    """Move ``qty`` from one bin to another in the same warehouse (移库; putaway with ``Reason.PUTAWAY``)."""
    qty = parse_qty(qty)
    if reason.kind not in (MovementKind.MOVE, MovementKind.PUTAWAY):
        raise ValidationError("movement.bad_kind", kind="move", reason=int(reason))
    if from_bin_id == to_bin_id:
        raise ValidationError("movement.same_bin", bin=from_bin_id)
    src, dst = get_bin(conn, from_bin_id), get_bin(conn, to_bin_id)
    if src.warehouse_id != dst.warehouse_id:
        raise ValidationError("bin.wrong_warehouse", bin=dst.code, warehouse=src.warehouse_id)
    legs = [
        Movement(new_id(), sku_id, src.warehouse_id, src.id, -qty, reason, hlc, batch, ref[0], ref[1], user_id, device_id),
        Movement(new_id(), sku_id, dst.warehouse_id, dst.id, qty, reason, hlc, batch, ref[0], ref[1], user_id, device_id),
    ]
    ledger.post(conn, legs, event_ref=ref if ref[0] else ("move", legs[0].id))
    return legs


def single(conn: Connection, sku_id: str, bin_id: str, qty: object, reason: Reason, *, hlc: int, batch: str = "",
           user_id: str = "", device_id: str = "", ref: tuple[str, str] = ("", ""), movement_id: str | None = None) -> Movement:
    """One-legged movement. ``qty`` is how many units: positive for receipt, pick and return (a pick
    takes them out), signed for an adjustment."""
    if reason.kind not in (MovementKind.RECEIPT, MovementKind.PICK, MovementKind.ADJUSTMENT, MovementKind.RETURN):
        raise ValidationError("movement.bad_kind", kind="single", reason=int(reason))
    amount = parse_qty(qty, allow_negative=reason.kind is MovementKind.ADJUSTMENT)
    if reason.kind is MovementKind.PICK:
        amount = -amount
    bin_ = get_bin(conn, bin_id)
    m = Movement(movement_id or new_id(), sku_id, bin_.warehouse_id, bin_.id, amount, reason, hlc, batch,
                 ref[0], ref[1], user_id, device_id)
    ledger.post(conn, [m], event_ref=ref if ref[0] else (reason.kind.value, m.id))
    return m
