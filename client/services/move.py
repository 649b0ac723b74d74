"""Bin-to-bin moves (移库): scan the from-bin, the items, then the to-bin.

    MoveFlow(ctx)
        .scan(raw) -> Feedback        from-bin; items (repeat to count up); the to-bin writes the move
        .type_qty(text) -> Feedback   the next item scan counts this many (times its pack)
        .items() -> list[MoveItem]    what is in hand, not yet written
        .cancel() -> Feedback         put everything back: the draft is dropped, nothing was written
        .state, .prompt_code, .from_bin

States: scan_from_bin → scan_items → (to-bin scanned: one ``stock.move`` per SKU and batch) → scan_from_bin.
Items in hand are a draft until the to-bin is scanned, because the op needs both bins; the to-bin scan
writes each SKU's move as its own op (one replica transaction each) before the feedback returns.
A SKU the replica does not show in the from-bin (or shows fewer of) is taken with a warning: the
goods are in the operator's hand, and the server never refuses a physical movement for stock.
Warehouse transfers (调拨) are in ``client.services.transfer``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from client.services.context import FlowContext, NextQty
from client.services.feedback import Feedback, accepted, finished, refused, warned
from client.services.reads import BinInfo
from shared.scan.resolve import BinScan, SkuScan


class MoveState(StrEnum):
    SCAN_FROM = "scan_from_bin"
    SCAN_ITEMS = "scan_items"


PROMPTS = {MoveState.SCAN_FROM: "ui.prompt.scan_from_bin", MoveState.SCAN_ITEMS: "ui.prompt.scan_item_or_to_bin"}


@dataclass(frozen=True, slots=True)
class MoveItem:
    sku_id: str
    batch: str
    qty: int


class MoveFlow:
    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.state = MoveState.SCAN_FROM
        self.from_bin: BinInfo | None = None
        self._draft: dict[tuple[str, str], int] = defaultdict(int)
        self._qty = NextQty()

    @property
    def prompt_code(self) -> str:
        return PROMPTS[self.state]

    def items(self) -> list[MoveItem]:
        return [MoveItem(sku, batch, qty) for (sku, batch), qty in self._draft.items()]

    def type_qty(self, text: str | int) -> Feedback:
        return self._qty.arm(text)

    def cancel(self) -> Feedback:
        self._reset()
        return warned("handheld.move_cancelled")

    def scan(self, raw: str) -> Feedback:
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return scan
        if isinstance(scan, BinScan):
            return self._scan_bin(scan)
        if isinstance(scan, SkuScan):
            if self.state is MoveState.SCAN_FROM:
                return refused("handheld.scan_bin_first")
            return self._add(scan)
        return refused("handheld.not_here", code=scan.number)

    def _scan_bin(self, scan: BinScan) -> Feedback:
        info = self.ctx.storage_bin(scan)
        if isinstance(info, Feedback):
            return info
        if not self._draft:  # the from-bin (again, or another one)
            self.from_bin = info
            self.state = MoveState.SCAN_ITEMS
            return accepted("handheld.from_bin", bin=info.code)
        assert self.from_bin is not None
        if info.id == self.from_bin.id:
            return refused("movement.same_bin", bin=info.code)
        return self._write(info)

    def _add(self, scan: SkuScan) -> Feedback:
        assert self.from_bin is not None
        shown = {ln.batch: ln.on_hand for ln in self.ctx.replica.stock_view(bin_id=self.from_bin.id, sku_id=scan.sku_id)}
        batch = self.ctx.batch_for(scan, (b for b, q in shown.items() if q > 0))
        if isinstance(batch, Feedback):
            return batch
        qty = self._qty.of(scan)
        self._qty.clear()
        self._draft[(scan.sku_id, batch)] += qty
        total = self._draft[(scan.sku_id, batch)]
        detail = self.ctx.sku_detail(scan.sku_id)
        if total > shown.get(batch, 0):
            return warned("handheld.more_than_shown", qty=qty, total=total, shown=max(shown.get(batch, 0), 0),
                          bin=self.from_bin.code, **detail)
        return accepted("handheld.item_added", qty=qty, total=total, **detail)

    def _write(self, to_bin: BinInfo) -> Feedback:
        assert self.from_bin is not None
        for (sku_id, batch), qty in self._draft.items():
            self.ctx.record("stock.move", {"sku_id": sku_id, "from_bin_id": self.from_bin.id, "to_bin_id": to_bin.id,
                                           "qty": qty, "batch": batch})
        units, lines, source = sum(self._draft.values()), len(self._draft), self.from_bin.code
        self._reset()
        return finished("handheld.moved", units=units, lines=lines, from_bin=source, to_bin=to_bin.code)

    def _reset(self) -> None:
        self.state = MoveState.SCAN_FROM
        self.from_bin = None
        self._draft.clear()
        self._qty.clear()
