"""Warehouse transfers (调拨) on the handheld: ship from this warehouse, receive into it.

    TransferShipFlow(ctx)
        .transfers() -> list[TransferDoc]      from this warehouse, with lines left to ship
        .open(ref) -> Feedback                 by id or number; scanning ``TR-…`` does the same
        .scan(raw) -> Feedback                 source bin, then items (a draft, against the lines)
        .type_qty(text) -> Feedback
        .draft() -> dict[int, int]             line_no → qty scanned, not yet written
        .confirm() -> Feedback                 one ``transfer.ship`` (from_bin_id, lines [{line_no, qty}])
        .cancel() -> Feedback                  drop the draft
        states: choose_transfer → scan_from_bin → scan_items → (confirm) → scan_from_bin | done

    TransferReceiveFlow(ctx)                   also the store's "receive a transfer from the warehouse"
        .transfers() -> list[TransferDoc]      to this warehouse, with goods in transit
        .open(ref) -> Feedback
        .scan(raw) -> Feedback                 destination bin, then items: each one ``transfer.receive`` at once
        .type_qty(text) -> Feedback
        .lines() -> list[TransferLineView]     shipped / received (rebased with pending scans)
        .finish() -> Feedback                  summary: still in transit (a partial receipt is fine)
        states: choose_transfer → scan_to_bin → scan_items → done

Refused locally, nothing written: a SKU not on the transfer (``transfer.unknown_line``), more than is
left to ship (``transfer.over_ship``), more than is in transit (``transfer.over_receipt``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from enum import StrEnum

from client.services.context import FlowContext, NextQty
from client.services.errors import FlowStateError
from client.services.feedback import Feedback, accepted, finished, refused, warned
from client.services.reads import RECEIVING_STATES, SHIPPING_STATES, BinInfo, TransferDoc, TransferLineView
from shared.scan.resolve import BinScan, DocumentScan, SkuScan


class TransferState(StrEnum):
    CHOOSE = "choose_transfer"
    SCAN_BIN = "scan_bin"  # the source bin (ship) or the destination bin (receive)
    SCAN_ITEMS = "scan_items"
    DONE = "done"


PROMPTS = {TransferState.CHOOSE: "ui.prompt.choose_transfer", TransferState.SCAN_BIN: "ui.prompt.scan_bin",
           TransferState.SCAN_ITEMS: "ui.prompt.scan_item", TransferState.DONE: "ui.prompt.transfer_done"}


class _TransferFlow(ABC):
    """What shipping and receiving share: choosing the transfer, the bin, typed quantities."""

    outbound = True

    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.state = TransferState.CHOOSE
        self.transfer: TransferDoc | None = None
        self.bin: BinInfo | None = None
        self._qty = NextQty()

    @property
    def prompt_code(self) -> str:
        return PROMPTS[self.state]

    @abstractmethod
    def _open_ok(self, doc: TransferDoc) -> bool:
        """Whether this flow can work on ``doc`` (ship: lines left to ship; receive: goods in transit)."""

    def transfers(self) -> list[TransferDoc]:
        return [t for t in self.ctx.reads.transfers(self.ctx.warehouse_id) if self._open_ok(t)]

    def open(self, ref: str) -> Feedback:
        doc = self.ctx.reads.transfer(ref)
        if doc is None or not self._open_ok(doc):
            return refused("handheld.transfer_not_open", transfer=ref)
        self.transfer, self.bin = doc, None
        self.state = TransferState.SCAN_BIN
        self._qty.clear()
        return accepted("handheld.transfer_opened", transfer=doc.number, lines=len(doc.lines))

    def type_qty(self, text: str | int) -> Feedback:
        self._require(TransferState.SCAN_BIN, TransferState.SCAN_ITEMS, action="type_qty")
        return self._qty.arm(text)

    def scan(self, raw: str) -> Feedback:
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return scan
        if isinstance(scan, DocumentScan):
            if self.state is TransferState.CHOOSE and scan.doc_type == "transfer":
                return self.open(scan.number)
            return refused("handheld.not_here", code=scan.number)
        if self.state in (TransferState.CHOOSE, TransferState.DONE):
            return refused("handheld.choose_transfer_first")
        if isinstance(scan, BinScan):
            return self._scan_bin(scan)
        if self.state is TransferState.SCAN_BIN:
            return refused("handheld.scan_bin_first")
        return self._scan_item(scan)

    def _scan_bin(self, scan: BinScan) -> Feedback:
        info = self.ctx.storage_bin(scan)
        if isinstance(info, Feedback):
            return info
        self.bin = info
        self.state = TransferState.SCAN_ITEMS
        return accepted("handheld.bin_set", bin=info.code)

    @abstractmethod
    def _scan_item(self, scan: SkuScan) -> Feedback:
        """Take one item scan in this flow's way."""

    def _lines_of(self, scan: SkuScan) -> list[TransferLineView] | Feedback:
        assert self.transfer is not None
        doc = self.ctx.reads.transfer(self.transfer.id) or self.transfer
        lines = [ln for ln in doc.lines if ln.sku_id == scan.sku_id]
        if lines and scan.batch and self.ctx.sku(scan.sku_id).batch_tracked:
            lines = [ln for ln in lines if ln.batch == scan.batch]
        if not lines:
            return refused("transfer.unknown_line", transfer=doc.number, sku=self.ctx.sku_detail(scan.sku_id)["sku"])
        return lines

    def _require(self, *states: TransferState, action: str) -> None:
        if self.state not in states:
            raise FlowStateError(action, self.state.value)


class TransferShipFlow(_TransferFlow):
    def __init__(self, ctx: FlowContext) -> None:
        super().__init__(ctx)
        self._draft: dict[int, int] = defaultdict(int)

    def _open_ok(self, doc: TransferDoc) -> bool:
        return doc.from_warehouse_id == self.ctx.warehouse_id and doc.state in SHIPPING_STATES and doc.to_ship > 0

    def open(self, ref: str) -> Feedback:
        self._draft.clear()
        return super().open(ref)

    def draft(self) -> dict[int, int]:
        return {no: qty for no, qty in self._draft.items() if qty}

    def _scan_item(self, scan: SkuScan) -> Feedback:
        lines = self._lines_of(scan)
        if isinstance(lines, Feedback):
            return lines
        qty = self._qty.of(scan)
        room = sum(max(ln.to_ship - self._draft[ln.line_no], 0) for ln in lines)
        detail = self.ctx.sku_detail(scan.sku_id)
        if qty > room:
            assert self.transfer is not None
            return refused("transfer.over_ship", transfer=self.transfer.number, sku=detail["sku"], remaining=room, qty=qty)
        left = qty
        for ln in lines:  # fill the SKU's lines in order
            take = min(left, max(ln.to_ship - self._draft[ln.line_no], 0))
            self._draft[ln.line_no] += take
            left -= take
        self._qty.clear()
        drafted = sum(self._draft[ln.line_no] for ln in lines)
        return accepted("handheld.ship_item", qty=qty, total=drafted, to_ship=sum(ln.to_ship for ln in lines), **detail)

    def confirm(self) -> Feedback:
        """Write the draft as one ``transfer.ship`` from the scanned bin."""
        self._require(TransferState.SCAN_ITEMS, action="confirm")
        assert self.transfer is not None and self.bin is not None
        lines = [{"line_no": no, "qty": qty} for no, qty in sorted(self.draft().items())]
        if not lines:
            return refused("handheld.nothing_scanned")
        self.ctx.record("transfer.ship", {"transfer_id": self.transfer.id, "from_bin_id": self.bin.id, "lines": lines})
        self._draft.clear()
        doc = self.ctx.reads.transfer(self.transfer.id) or self.transfer
        self.transfer = doc
        self.state = TransferState.DONE if doc.to_ship == 0 else TransferState.SCAN_BIN
        return finished("handheld.shipped", units=sum(ln["qty"] for ln in lines), transfer=doc.number, left=doc.to_ship)

    def cancel(self) -> Feedback:
        self._draft.clear()
        self._qty.clear()
        return warned("handheld.ship_cancelled")


class TransferReceiveFlow(_TransferFlow):
    def _open_ok(self, doc: TransferDoc) -> bool:
        return doc.to_warehouse_id == self.ctx.warehouse_id and doc.state in RECEIVING_STATES and doc.in_transit > 0

    def lines(self) -> list[TransferLineView]:
        if self.transfer is None:
            return []
        doc = self.ctx.reads.transfer(self.transfer.id) or self.transfer
        return list(doc.lines)

    def _scan_item(self, scan: SkuScan) -> Feedback:
        lines = self._lines_of(scan)
        if isinstance(lines, Feedback):
            return lines
        assert self.transfer is not None and self.bin is not None
        qty = self._qty.of(scan)
        in_transit = sum(ln.in_transit for ln in lines)
        detail = self.ctx.sku_detail(scan.sku_id)
        if qty > in_transit:
            return refused("transfer.over_receipt", transfer=self.transfer.number, sku=detail["sku"], in_transit=in_transit,
                           qty=qty)
        self.ctx.record("transfer.receive", {"transfer_id": self.transfer.id, "to_bin_id": self.bin.id,
                                             "sku_id": scan.sku_id, "qty": qty})
        self._qty.clear()
        left = sum(ln.in_transit for ln in self.lines())
        if left == 0:
            self.state = TransferState.DONE
            return finished("handheld.transfer_all_received", qty=qty, transfer=self.transfer.number, **detail)
        return accepted("handheld.transfer_item_received", qty=qty, left=in_transit - qty, **detail)

    def finish(self) -> Feedback:
        self._require(TransferState.SCAN_BIN, TransferState.SCAN_ITEMS, TransferState.DONE, action="finish")
        left = sum(ln.in_transit for ln in self.lines())
        self.state = TransferState.DONE
        assert self.transfer is not None
        return (warned if left else finished)("handheld.transfer_receive_summary", transfer=self.transfer.number, left=left)
