"""Two-phase reservations: reserve available stock, then consume it (with the pick movement, in the
same transaction) or release it. Reserving is a conditional atomic update, so two concurrent
reservations of the last unit cannot both succeed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from server.store import alerts, events, ledger
from server.store.catalogue import get_bin
from server.store.changes import stamp
from server.store.schema import reservations, stock_balances, warehouse_stock
from shared.core.errors import NotFoundError, RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.time import utc_now
from shared.inventory.movement import Movement, Reason


@dataclass(frozen=True, slots=True)
class Reservation:
    id: str
    sku_id: str
    warehouse_id: str
    bin_id: str | None
    batch: str
    qty: int
    consumed_qty: int
    released_qty: int
    state: str
    ref_type: str
    ref_id: str

    @property
    def open_qty(self) -> int:
        return self.qty - self.consumed_qty - self.released_qty


def reserve(conn: Connection, sku_id: str, warehouse_id: str, qty: object, *, hlc: int, bin_id: str | None = None,
            batch: str = "", ref_type: str = "", ref_id: str = "", reservation_id: str | None = None) -> Reservation:
    qty = parse_qty(qty)
    if bin_id is not None and get_bin(conn, bin_id).warehouse_id != warehouse_id:
        raise ValidationError("bin.wrong_warehouse", bin=bin_id, warehouse=warehouse_id)
    wh = warehouse_stock.c
    done = conn.execute(warehouse_stock.update()
                        .where(and_(wh.sku_id == sku_id, wh.warehouse_id == warehouse_id, wh.on_hand - wh.reserved >= qty))
                        .values(reserved=wh.reserved + qty)).rowcount
    if done != 1:
        level = ledger.warehouse_level(conn, sku_id, warehouse_id)
        raise RuleViolation("reservation.insufficient", sku=sku_id, warehouse=warehouse_id, available=level.available, qty=qty)
    if bin_id is not None:
        sb = stock_balances.c
        done = conn.execute(stock_balances.update()
                            .where(and_(sb.sku_id == sku_id, sb.bin_id == bin_id, sb.batch == batch, sb.on_hand - sb.reserved >= qty))
                            .values(reserved=sb.reserved + qty, change_seq=stamp(conn))).rowcount
        if done != 1:
            bal = ledger.balance(conn, sku_id, bin_id, batch)
            raise RuleViolation("reservation.insufficient", sku=sku_id, warehouse=bin_id, available=bal.available, qty=qty)
    now = utc_now()
    rid = reservation_id or new_id()
    conn.execute(reservations.insert().values(
        id=rid, sku_id=sku_id, warehouse_id=warehouse_id, bin_id=bin_id, batch=batch, qty=qty, consumed_qty=0,
        released_qty=0, state="open", ref_type=ref_type, ref_id=ref_id, created_at=now, updated_at=now))
    events.record(conn, "stock.reserved", "reservation", rid,
                  {"sku_id": sku_id, "warehouse_id": warehouse_id, "bin_id": bin_id, "qty": qty, "ref_type": ref_type, "ref_id": ref_id}, hlc=hlc)
    alerts.refresh(conn, [(sku_id, warehouse_id)], hlc=hlc)
    return get(conn, rid)


def get(conn: Connection, reservation_id: str) -> Reservation:
    row = conn.execute(select(reservations).where(reservations.c.id == reservation_id)).first()
    if row is None:
        raise NotFoundError("reservation.not_found", reservation=reservation_id)
    return Reservation(row.id, row.sku_id, row.warehouse_id, row.bin_id, row.batch, row.qty, row.consumed_qty,
                       row.released_qty, row.state, row.ref_type, row.ref_id)


def consume(conn: Connection, reservation_id: str, qty: object, *, from_bin_id: str, hlc: int,
            user_id: str = "", device_id: str = "", movement_id: str | None = None) -> Reservation:
    """Pick ``qty`` against the reservation: the pick movement and the reservation change are one unit."""
    r = _open(conn, reservation_id, qty)
    qty = int(qty)  # type: ignore[call-overload]
    _unreserve(conn, r, qty)
    conn.execute(reservations.update().where(reservations.c.id == r.id).values(
        consumed_qty=r.consumed_qty + qty, state=_state(r, consumed=qty), updated_at=utc_now()))
    ledger.post(conn, [Movement(movement_id or new_id(), r.sku_id, r.warehouse_id, from_bin_id, -qty, Reason.PICK_ORDER, hlc,
                                r.batch, r.ref_type or "reservation", r.ref_id or r.id, user_id, device_id)],
                event_ref=("reservation", r.id))
    events.record(conn, "stock.reservation_consumed", "reservation", r.id, {"qty": qty, "bin_id": from_bin_id}, hlc=hlc)
    return get(conn, r.id)


def release(conn: Connection, reservation_id: str, *, hlc: int, qty: object | None = None) -> Reservation:
    """Release ``qty`` (default: all that is still open)."""
    current = get(conn, reservation_id)
    r = _open(conn, reservation_id, current.open_qty if qty is None else qty)
    amount = current.open_qty if qty is None else int(qty)  # type: ignore[call-overload]
    _unreserve(conn, r, amount)
    conn.execute(reservations.update().where(reservations.c.id == r.id).values(
        released_qty=r.released_qty + amount, state=_state(r, released=amount), updated_at=utc_now()))
    events.record(conn, "stock.reservation_released", "reservation", r.id, {"qty": amount}, hlc=hlc)
    alerts.refresh(conn, [(r.sku_id, r.warehouse_id)], hlc=hlc)
    return get(conn, r.id)


def _open(conn: Connection, reservation_id: str, qty: object) -> Reservation:
    r = get(conn, reservation_id)
    if r.state != "open":
        raise RuleViolation("reservation.closed", reservation=r.id, state=r.state)
    amount = parse_qty(qty)
    if amount > r.open_qty:
        raise RuleViolation("reservation.exceeds_open", reservation=r.id, open_qty=r.open_qty, qty=amount)
    return r


def _unreserve(conn: Connection, r: Reservation, qty: int) -> None:
    wh = warehouse_stock.c
    conn.execute(warehouse_stock.update().where(and_(wh.sku_id == r.sku_id, wh.warehouse_id == r.warehouse_id))
                 .values(reserved=wh.reserved - qty))
    if r.bin_id is not None:
        sb = stock_balances.c
        conn.execute(stock_balances.update().where(and_(sb.sku_id == r.sku_id, sb.bin_id == r.bin_id, sb.batch == r.batch))
                     .values(reserved=sb.reserved - qty, change_seq=stamp(conn)))


def _state(r: Reservation, *, consumed: int = 0, released: int = 0) -> str:
    remaining = r.open_qty - consumed - released
    if remaining > 0:
        return "open"
    return "released" if r.released_qty + released > 0 else "consumed"
