"""Receiving: against an expected receipt (or without one), onto the warehouse's dock, then putaway.

    ReceiveFlow(ctx)
        .receipts() -> list[ReceiptDoc]        expected receipts still open (rebased with pending scans)
        .open_receipt(ref) -> Feedback         by id or number; scanning ``RC-…`` does the same
        .start_unplanned() -> Feedback         goods with no receipt document
        .scan(raw) -> Feedback                 receipt number, item (onto the dock), bin (starts putaway), …
        .type_qty(text) -> Feedback            the next item scan counts this many (times its pack)
        .lines() -> list[ReceiveLine]          expected / received / over / short per SKU
        .start_putaway() -> Feedback           then scan the bin to put away into
        .put_all() -> Feedback                 everything received in this session still on the dock → the bin
        .finish() -> Feedback                  summary: over, short, left on the dock
        .state, .prompt_code, .receipt, .putaway_bin

States: choose_receipt → scan_items → putaway_bin → putaway_items → (scan_items | done).
Each item scan is one ``stock.receive`` into the dock bin (``_DOCK``, with ``receipt_id`` when there is
a receipt); quantity by repeated scans, a pack barcode (a case of 12 counts 12) or a typed number.
Over and unexpected SKUs are taken with a warning (the goods are here; the server records them as
over/unexpected). Putaway scans are ``stock.putaway`` dock → bin, refused beyond what the dock holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from client.services.context import FlowContext, NextQty
from client.services.errors import FlowStateError
from client.services.feedback import Feedback, accepted, finished, refused, warned
from client.services.reads import BinInfo, ReceiptDoc
from shared.scan.resolve import BinScan, DocumentScan, SkuScan


class ReceiveState(StrEnum):
    CHOOSE = "choose_receipt"
    SCAN_ITEMS = "scan_items"
    PUTAWAY_BIN = "putaway_bin"
    PUTAWAY_ITEMS = "putaway_items"
    DONE = "done"


PROMPTS = {ReceiveState.CHOOSE: "ui.prompt.choose_receipt", ReceiveState.SCAN_ITEMS: "ui.prompt.scan_item",
           ReceiveState.PUTAWAY_BIN: "ui.prompt.scan_putaway_bin", ReceiveState.PUTAWAY_ITEMS: "ui.prompt.scan_putaway_item",
           ReceiveState.DONE: "ui.prompt.receipt_done"}


@dataclass(frozen=True, slots=True)
class ReceiveLine:
    sku_id: str
    expected_qty: int
    received_qty: int  # all receipts against the document so far (this session included)
    session_qty: int  # received in this session

    @property
    def over_qty(self) -> int:
        return max(self.received_qty - self.expected_qty, 0)

    @property
    def short_qty(self) -> int:
        return max(self.expected_qty - self.received_qty, 0)


class ReceiveFlow:
    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.state = ReceiveState.CHOOSE
        self.receipt: ReceiptDoc | None = None
        self.putaway_bin: BinInfo | None = None
        self._dock: BinInfo | None = None
        self._session: dict[tuple[str, str], int] = defaultdict(int)  # (sku, batch) → received here
        self._per_sku: dict[str, int] = defaultdict(int)  # sku → received here (kept, not summed per scan)
        self._to_put: dict[tuple[str, str], int] = defaultdict(int)  # (sku, batch) → received here, still on the dock
        self._qty = NextQty()

    @property
    def prompt_code(self) -> str:
        return PROMPTS[self.state]

    # ---- choosing ----------------------------------------------------------------------------------

    def receipts(self) -> list[ReceiptDoc]:
        return self.ctx.reads.receipts(self.ctx.warehouse_id)

    def open_receipt(self, ref: str) -> Feedback:
        doc = self.ctx.reads.receipt(ref)
        if doc is None or doc.state == "closed":
            return refused("handheld.receipt_not_open", receipt=ref)
        refusal = self._begin()
        if refusal is not None:
            return refusal
        self.receipt = doc
        return accepted("handheld.receipt_opened", receipt=doc.number, lines=len(doc.lines))

    def start_unplanned(self) -> Feedback:
        refusal = self._begin()
        if refusal is not None:
            return refusal
        self.receipt = None
        return accepted("handheld.unplanned_started")

    def _begin(self) -> Feedback | None:
        self._dock = self.ctx.reads.system_bin(self.ctx.warehouse_id, "dock")
        if self._dock is None:
            return refused("handheld.no_dock")
        self.state = ReceiveState.SCAN_ITEMS
        self._session.clear()
        self._per_sku.clear()
        self._to_put.clear()
        return None

    def lines(self) -> list[ReceiveLine]:
        session: dict[str, int] = defaultdict(int)
        for (sku_id, _batch), qty in self._session.items():
            session[sku_id] += qty
        if self.receipt is None:
            return [ReceiveLine(sku_id, 0, qty, qty) for sku_id, qty in session.items()]
        doc = self.ctx.reads.receipt(self.receipt.id) or self.receipt
        return [ReceiveLine(ln.sku_id, ln.expected_qty, ln.received_qty, session[ln.sku_id]) for ln in doc.lines]

    # ---- scanning ----------------------------------------------------------------------------------

    def type_qty(self, text: str | int) -> Feedback:
        self._require(ReceiveState.SCAN_ITEMS, ReceiveState.PUTAWAY_ITEMS, action="type_qty")
        return self._qty.arm(text)

    def scan(self, raw: str) -> Feedback:
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return scan
        if isinstance(scan, DocumentScan):
            if self.state is ReceiveState.CHOOSE and scan.doc_type == "receipt":
                return self.open_receipt(scan.number)
            return refused("handheld.not_here", code=scan.number)
        if self.state in (ReceiveState.CHOOSE, ReceiveState.DONE):
            return refused("handheld.choose_receipt_first")
        if isinstance(scan, BinScan):
            return self._scan_bin(scan)
        if self.state is ReceiveState.SCAN_ITEMS:
            return self._receive(scan)
        if self.state is ReceiveState.PUTAWAY_BIN:
            return refused("handheld.scan_bin_first")
        return self._put_away(scan)

    def _receive(self, scan: SkuScan) -> Feedback:
        batch = self.ctx.batch_for(scan)
        if isinstance(batch, Feedback):
            return batch
        assert self._dock is not None
        qty = self._qty.of(scan)
        receipt_id = self.receipt.id if self.receipt else ""
        self.ctx.record("stock.receive", {"sku_id": scan.sku_id, "bin_id": self._dock.id, "qty": qty, "batch": batch,
                                          "receipt_id": receipt_id})
        self._qty.clear()
        self._session[(scan.sku_id, batch)] += qty
        self._per_sku[scan.sku_id] += qty
        self._to_put[(scan.sku_id, batch)] += qty
        return self._received_feedback(scan.sku_id, qty)

    def _received_feedback(self, sku_id: str, qty: int) -> Feedback:
        detail = self.ctx.sku_detail(sku_id)
        if self.receipt is None:
            total = self._per_sku[sku_id]
            return accepted("handheld.received_unplanned", qty=qty, received=total, **detail)
        line = next((ln for ln in self.lines() if ln.sku_id == sku_id), None)
        if line is None or line.expected_qty == 0:
            return warned("handheld.not_on_receipt", qty=qty, receipt=self.receipt.number, **detail)
        if line.over_qty:
            return warned("handheld.over_expected", qty=qty, received=line.received_qty, expected=line.expected_qty,
                          over=line.over_qty, **detail)
        return accepted("handheld.received", qty=qty, received=line.received_qty, expected=line.expected_qty, **detail)

    # ---- putaway -----------------------------------------------------------------------------------

    def start_putaway(self) -> Feedback:
        self._require(ReceiveState.SCAN_ITEMS, ReceiveState.PUTAWAY_ITEMS, action="start_putaway")
        self.state = ReceiveState.PUTAWAY_BIN
        return accepted("handheld.putaway_started", units=sum(self._to_put.values()))

    def _scan_bin(self, scan: BinScan) -> Feedback:
        info = self.ctx.storage_bin(scan)
        if isinstance(info, Feedback):
            return info
        self.putaway_bin = info
        self.state = ReceiveState.PUTAWAY_ITEMS
        return accepted("handheld.putaway_bin", bin=info.code, units=sum(self._to_put.values()))

    def _put_away(self, scan: SkuScan) -> Feedback:
        assert self._dock is not None and self.putaway_bin is not None
        on_dock = {ln.batch: ln.on_hand for ln in self.ctx.replica.stock_view(bin_id=self._dock.id, sku_id=scan.sku_id)}
        batch = self.ctx.batch_for(scan, (b for b, q in on_dock.items() if q > 0))
        if isinstance(batch, Feedback):
            return batch
        qty = self._qty.of(scan)
        available = on_dock.get(batch, 0)
        if qty > available:
            return refused("handheld.over_putaway", qty=qty, on_dock=max(available, 0), **self.ctx.sku_detail(scan.sku_id))
        self._record_putaway(scan.sku_id, batch, qty)
        self._qty.clear()
        return accepted("handheld.put_away", qty=qty, bin=self.putaway_bin.code, left=sum(self._to_put.values()),
                        **self.ctx.sku_detail(scan.sku_id))

    def put_all(self) -> Feedback:
        """Put everything received in this session that is still on the dock into the scanned bin."""
        self._require(ReceiveState.PUTAWAY_ITEMS, action="put_all")
        assert self._dock is not None and self.putaway_bin is not None
        moved = 0
        for (sku_id, batch), qty in sorted(self._to_put.items()):
            on_dock = sum(ln.on_hand for ln in self.ctx.replica.stock_view(bin_id=self._dock.id, sku_id=sku_id) if ln.batch == batch)
            take = min(qty, on_dock)
            if take > 0:
                self._record_putaway(sku_id, batch, take)
                moved += take
        if not moved:
            return refused("handheld.nothing_to_put_away")
        return finished("handheld.put_all_done", units=moved, bin=self.putaway_bin.code)

    def _record_putaway(self, sku_id: str, batch: str, qty: int) -> None:
        assert self._dock is not None and self.putaway_bin is not None
        self.ctx.record("stock.putaway", {"sku_id": sku_id, "from_bin_id": self._dock.id, "to_bin_id": self.putaway_bin.id,
                                          "qty": qty, "batch": batch})
        key = (sku_id, batch)
        self._to_put[key] = max(self._to_put[key] - qty, 0)

    def finish(self) -> Feedback:
        """Close this session; the summary says what is over, short, and still on the dock."""
        self._require(ReceiveState.SCAN_ITEMS, ReceiveState.PUTAWAY_BIN, ReceiveState.PUTAWAY_ITEMS, action="finish")
        lines = self.lines()
        over, short = sum(ln.over_qty for ln in lines), sum(ln.short_qty for ln in lines)
        left = sum(self._to_put.values())
        self.state = ReceiveState.DONE
        make = warned if (over or short or left) else finished
        return make("handheld.receipt_summary", over=over, short=short, left=left,
                    receipt=self.receipt.number if self.receipt else "")

    def _require(self, *states: ReceiveState, action: str) -> None:
        if self.state not in states:
            raise FlowStateError(action, self.state.value)
