"""Expected receipts (收货单): a supplier delivery note with expected lines (purchasing will create
them later), received fully, partly or over, on one or more visits. Each receipt posts ``receipt``
movements into the given bin (usually the warehouse's dock, then putaway): the part within the
expected quantity with reason 100, the excess with 102, a SKU not on the note with 101."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from server.store import events, ledger
from server.store.catalogue import get_bin, get_warehouse
from server.store.changes import stamp
from server.store.numbering import next_number
from server.store.schema import receipt_lines, receipts
from shared.core.errors import ConflictError, NotFoundError, RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.text import clean_text
from shared.core.time import utc_now
from shared.inventory.documents import ReceiptLine, ReceiptState, receipt_state, split_receipt_qty
from shared.inventory.movement import Movement, Reason


@dataclass(frozen=True, slots=True)
class Receipt:
    id: str
    number: str
    reference: str
    supplier_name: str
    warehouse_id: str
    state: ReceiptState
    lines: tuple[ReceiptLine, ...]


def create(conn: Connection, warehouse: str, lines: Sequence[tuple[str, object]], *, hlc: int, reference: str = "",
           supplier_name: str = "") -> Receipt:
    """An expected receipt with (sku_id, expected_qty) lines."""
    wh = get_warehouse(conn, warehouse)
    reference = clean_text(reference, "receipt.reference", max_chars=64, required=False)
    if reference and conn.execute(select(receipts.c.id).where(receipts.c.reference == reference)).first():
        raise ConflictError("receipt.duplicate_reference", reference=reference)
    if not lines:
        raise ValidationError("invalid.quantity", reason="an expected receipt needs at least one line")
    rid, now = new_id(), utc_now()
    number = next_number(conn, "RC")
    conn.execute(receipts.insert().values(id=rid, number=number, reference=reference,
                                          supplier_name=clean_text(supplier_name, "receipt.supplier_name", required=False),
                                          warehouse_id=wh.id, state=ReceiptState.EXPECTED.value, created_at=now, updated_at=now,
                                          change_seq=stamp(conn)))
    conn.execute(receipt_lines.insert(), [{"receipt_id": rid, "line_no": i + 1, "sku_id": sku_id,
                                           "expected_qty": parse_qty(qty), "received_qty": 0}
                                          for i, (sku_id, qty) in enumerate(lines)])
    events.record(conn, "receipt.expected", "receipt", rid, {"number": number, "reference": reference, "warehouse_id": wh.id}, hlc=hlc)
    return get(conn, rid)


def get(conn: Connection, ref: str) -> Receipt:
    row = conn.execute(select(receipts).where((receipts.c.id == ref) | (receipts.c.number == ref))).first()
    if row is None:
        raise NotFoundError("receipt.not_found", receipt=ref)
    lines = tuple(ReceiptLine(r.line_no, r.sku_id, r.expected_qty, r.received_qty)
                  for r in conn.execute(select(receipt_lines).where(receipt_lines.c.receipt_id == row.id).order_by(receipt_lines.c.line_no)))
    return Receipt(row.id, row.number, row.reference, row.supplier_name, row.warehouse_id, ReceiptState(row.state), lines)


def receive(conn: Connection, receipt_id: str, bin_id: str, qty_by_sku: Mapping[str, object], *, hlc: int,
            batch_by_sku: Mapping[str, str] | None = None, user_id: str = "", device_id: str = "") -> Receipt:
    r = get(conn, receipt_id)
    if r.state is ReceiptState.CLOSED:
        raise RuleViolation("receipt.closed", receipt=r.number)
    bin_ = get_bin(conn, bin_id)
    if bin_.warehouse_id != r.warehouse_id:
        raise ValidationError("bin.wrong_warehouse", bin=bin_.code, warehouse=r.warehouse_id)
    batches = batch_by_sku or {}
    legs: list[Movement] = []
    by_sku = {ln.sku_id: ln for ln in r.lines}
    for sku_id, raw_qty in qty_by_sku.items():
        qty = parse_qty(raw_qty)
        line = by_sku.get(sku_id)
        if line is None:
            line = _add_unexpected_line(conn, r, sku_id)
            by_sku[sku_id] = line
        within, over = split_receipt_qty(line.expected_qty, line.received_qty, qty)
        reason_within = Reason.RECEIPT_EXPECTED if line.expected_qty else Reason.RECEIPT_UNEXPECTED
        for amount, reason in ((within, reason_within), (over, Reason.RECEIPT_OVER if line.expected_qty else Reason.RECEIPT_UNEXPECTED)):
            if amount:
                legs.append(Movement(new_id(), sku_id, bin_.warehouse_id, bin_.id, amount, reason, hlc,
                                     batches.get(sku_id, ""), "receipt", r.id, user_id, device_id))
        conn.execute(receipt_lines.update().where(and_(receipt_lines.c.receipt_id == r.id, receipt_lines.c.line_no == line.line_no))
                     .values(received_qty=line.received_qty + qty))
    ledger.post(conn, legs, event_ref=("receipt", r.id))
    return _restate(conn, r.id, "receipt.received", hlc)


def close(conn: Connection, receipt_id: str, *, hlc: int) -> Receipt:
    """Close a receipt short: what was not delivered stays short and nothing more can be received."""
    r = get(conn, receipt_id)
    if r.state is ReceiptState.CLOSED:
        raise RuleViolation("receipt.closed", receipt=r.number)
    conn.execute(receipts.update().where(receipts.c.id == r.id).values(state=ReceiptState.CLOSED.value, updated_at=utc_now(),
                                                                       change_seq=stamp(conn)))
    events.record(conn, "receipt.closed", "receipt", r.id, {"number": r.number,
                  "short": {ln.sku_id: ln.short_qty for ln in r.lines if ln.short_qty}}, hlc=hlc)
    return get(conn, r.id)


def _add_unexpected_line(conn: Connection, r: Receipt, sku_id: str) -> ReceiptLine:
    line_no = int(conn.execute(select(func.coalesce(func.max(receipt_lines.c.line_no), 0))
                               .where(receipt_lines.c.receipt_id == r.id)).scalar_one()) + 1
    conn.execute(receipt_lines.insert().values(receipt_id=r.id, line_no=line_no, sku_id=sku_id, expected_qty=0, received_qty=0))
    return ReceiptLine(line_no, sku_id, 0, 0)


def _restate(conn: Connection, receipt_id: str, event_kind: str, hlc: int) -> Receipt:
    r = get(conn, receipt_id)
    state = receipt_state(r.lines)
    conn.execute(receipts.update().where(receipts.c.id == r.id).values(state=state.value, updated_at=utc_now(), change_seq=stamp(conn)))
    events.record(conn, event_kind, "receipt", r.id, {"number": r.number, "state": state.value,
                  "lines": [{"sku_id": ln.sku_id, "expected": ln.expected_qty, "received": ln.received_qty} for ln in r.lines]}, hlc=hlc)
    return get(conn, r.id)
