"""Warehouse-to-warehouse transfers (调拨) with in-transit stock and partial receipt.

Shipping posts, per line, −qty at the source bin and +qty at the destination's transit bin
(``transfer_out``); receiving posts −qty at the transit bin and +qty at the destination bin
(``transfer_in``). In-transit stock is therefore in the ledger like any other stock, and counts in
``warehouse_stock.in_transit`` of the destination, not in its on-hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from server.store import events, ledger
from server.store.catalogue import get_bin, get_warehouse, system_bin
from server.store.changes import stamp
from server.store.numbering import next_number
from server.store.schema import transfer_lines, transfers
from shared.catalogue.model import BinKind
from shared.core.errors import NotFoundError, RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.time import utc_now
from shared.inventory.documents import TransferLine, TransferState, transfer_state
from shared.inventory.movement import Movement, Reason


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    number: str
    from_warehouse_id: str
    to_warehouse_id: str
    state: TransferState
    lines: tuple[TransferLine, ...]


def create(conn: Connection, from_warehouse: str, to_warehouse: str, lines: Sequence[tuple[str, object] | tuple[str, object, str]],
           *, hlc: int, user_id: str = "") -> Transfer:
    """``lines``: (sku_id, qty) or (sku_id, qty, batch)."""
    src, dst = get_warehouse(conn, from_warehouse), get_warehouse(conn, to_warehouse)
    if src.id == dst.id:
        raise ValidationError("transfer.same_warehouse")
    if not lines:
        raise ValidationError("invalid.quantity", reason="a transfer needs at least one line")
    tid, now = new_id(), utc_now()
    number = next_number(conn, "TR")
    conn.execute(transfers.insert().values(id=tid, number=number, from_warehouse_id=src.id, to_warehouse_id=dst.id,
                                           state=TransferState.OPEN.value, created_by=user_id, created_at=now, updated_at=now,
                                           change_seq=stamp(conn)))
    conn.execute(transfer_lines.insert(), [
        {"transfer_id": tid, "line_no": i + 1, "sku_id": line[0], "batch": line[2] if len(line) > 2 else "",  # type: ignore[misc]
         "qty": parse_qty(line[1]), "shipped_qty": 0, "received_qty": 0} for i, line in enumerate(lines)])
    events.record(conn, "transfer.created", "transfer", tid, {"number": number, "from": src.id, "to": dst.id}, hlc=hlc)
    return get(conn, tid)


def get(conn: Connection, ref: str) -> Transfer:
    row = conn.execute(select(transfers).where((transfers.c.id == ref) | (transfers.c.number == ref))).first()
    if row is None:
        raise NotFoundError("transfer.not_found", transfer=ref)
    lines = tuple(TransferLine(r.line_no, r.sku_id, r.batch, r.qty, r.shipped_qty, r.received_qty)
                  for r in conn.execute(select(transfer_lines).where(transfer_lines.c.transfer_id == row.id).order_by(transfer_lines.c.line_no)))
    return Transfer(row.id, row.number, row.from_warehouse_id, row.to_warehouse_id, TransferState(row.state), lines)


def ship(conn: Connection, transfer_id: str, from_bin_id: str, *, hlc: int, qty_by_line: Mapping[int, object] | None = None,
         user_id: str = "", device_id: str = "") -> Transfer:
    """Ship the given quantities per line number (default: everything still to ship) from one bin."""
    t = get(conn, transfer_id)
    if t.state not in (TransferState.OPEN, TransferState.IN_TRANSIT, TransferState.PARTIALLY_RECEIVED):
        raise RuleViolation("transfer.bad_state", transfer=t.number, state=t.state.value, action="ship")
    src = get_bin(conn, from_bin_id)
    if src.warehouse_id != t.from_warehouse_id:
        raise ValidationError("bin.wrong_warehouse", bin=src.code, warehouse=t.from_warehouse_id)
    transit = system_bin(conn, t.to_warehouse_id, BinKind.TRANSIT)
    wanted = {ln.line_no: ln.to_ship for ln in t.lines} if qty_by_line is None else {k: parse_qty(v) for k, v in qty_by_line.items()}
    legs: list[Movement] = []
    for line in t.lines:
        qty = wanted.pop(line.line_no, 0)
        if not qty:
            continue
        if qty > line.to_ship:
            raise RuleViolation("transfer.over_ship", transfer=t.number, sku=line.sku_id, remaining=line.to_ship, qty=qty)
        legs += [Movement(new_id(), line.sku_id, src.warehouse_id, src.id, -qty, Reason.TRANSFER_OUT, hlc, line.batch, "transfer", t.id, user_id, device_id),
                 Movement(new_id(), line.sku_id, transit.warehouse_id, transit.id, qty, Reason.TRANSFER_OUT, hlc, line.batch, "transfer", t.id, user_id, device_id)]
        _bump_line(conn, t.id, line.line_no, shipped=line.shipped_qty + qty)
    if wanted:
        raise ValidationError("transfer.unknown_line", transfer=t.number, sku=f"line {next(iter(wanted))}")
    if not legs:
        raise ValidationError("invalid.quantity", reason="nothing to ship")
    ledger.post(conn, legs, event_ref=("transfer", t.id))
    return _restate(conn, t.id, "transfer.shipped", hlc)


def receive(conn: Connection, transfer_id: str, to_bin_id: str, qty_by_sku: Mapping[str, object], *, hlc: int,
            user_id: str = "", device_id: str = "") -> Transfer:
    """Receive quantities per SKU id into one destination bin; partial receipt is fine, more than
    is in transit is refused."""
    t = get(conn, transfer_id)
    if t.state not in (TransferState.IN_TRANSIT, TransferState.PARTIALLY_RECEIVED):
        raise RuleViolation("transfer.bad_state", transfer=t.number, state=t.state.value, action="receive")
    dst = get_bin(conn, to_bin_id)
    if dst.warehouse_id != t.to_warehouse_id or dst.kind is BinKind.TRANSIT:
        raise ValidationError("bin.wrong_warehouse", bin=dst.code, warehouse=t.to_warehouse_id)
    transit = system_bin(conn, t.to_warehouse_id, BinKind.TRANSIT)
    legs: list[Movement] = []
    for sku_id, raw_qty in qty_by_sku.items():
        qty = parse_qty(raw_qty)
        lines = [ln for ln in t.lines if ln.sku_id == sku_id]
        if not lines:
            raise ValidationError("transfer.unknown_line", transfer=t.number, sku=sku_id)
        in_transit = sum(ln.in_transit for ln in lines)
        if qty > in_transit:
            raise RuleViolation("transfer.over_receipt", transfer=t.number, sku=sku_id, in_transit=in_transit, qty=qty)
        for line in lines:  # fill lines in order
            take = min(qty, line.in_transit)
            if take <= 0:
                continue
            qty -= take
            legs += [Movement(new_id(), sku_id, transit.warehouse_id, transit.id, -take, Reason.TRANSFER_IN, hlc, line.batch, "transfer", t.id, user_id, device_id),
                     Movement(new_id(), sku_id, dst.warehouse_id, dst.id, take, Reason.TRANSFER_IN, hlc, line.batch, "transfer", t.id, user_id, device_id)]
            _bump_line(conn, t.id, line.line_no, received=line.received_qty + take)
    ledger.post(conn, legs, event_ref=("transfer", t.id))
    return _restate(conn, t.id, "transfer.received", hlc)


def _bump_line(conn: Connection, transfer_id: str, line_no: int, *, shipped: int | None = None, received: int | None = None) -> None:
    values = {"shipped_qty": shipped} if shipped is not None else {"received_qty": received}
    conn.execute(transfer_lines.update().where(and_(transfer_lines.c.transfer_id == transfer_id,
                                                    transfer_lines.c.line_no == line_no)).values(**values))


def _restate(conn: Connection, transfer_id: str, event_kind: str, hlc: int) -> Transfer:
    t = get(conn, transfer_id)
    state = transfer_state(t.lines)
    conn.execute(transfers.update().where(transfers.c.id == t.id).values(state=state.value, updated_at=utc_now(), change_seq=stamp(conn)))
    events.record(conn, event_kind, "transfer", t.id, {"number": t.number, "state": state.value,
                  "lines": [{"sku_id": ln.sku_id, "shipped": ln.shipped_qty, "received": ln.received_qty} for ln in t.lines]}, hlc=hlc)
    return get(conn, t.id)
