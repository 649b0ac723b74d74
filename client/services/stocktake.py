"""Stocktake (盘点): blind count per bin of an open stocktake, and recounts when a task asks.

    StocktakeFlow(ctx)                          (completes a bin confirmation a crash interrupted)
        .stocktakes() -> list[StocktakeDoc]     open stocktakes of this warehouse (shelves, in a store)
        .recounts() -> list[RecountTask]        open recount tasks (the server opens them on disagreement)
        .open(ref) -> Feedback                  by id or number; scanning ``ST-…`` does the same
        .start_recount(task_id) -> Feedback     claims the task; only its bin and SKU count
        .scan(raw) -> Feedback                  a bin in scope, then units (each scan counts one pack)
        .type_qty(text) -> Feedback             the count of the SKU scanned last is this number (0 allowed)
        .lines() -> list[CountLineView]         counted so far in this bin (expected only when not blind)
        .bins() -> list[BinProgress]            the stocktake's bins, counted here or not
        .confirm_bin() -> Feedback              writes the bin's count (see below)
        .cancel_bin() -> Feedback               drop this bin's draft; nothing was written
        .state, .prompt_code, .stocktake, .bin, .recount

States: choose_stocktake → scan_bin → counting → (confirm) → scan_bin | done (a recount).

A count is a statement about the whole bin (``shared.inventory.stocktake``: a counted bin is counted in
full, a SKU with stock there but no line is taken as 0), so units scanned are a draft until
``confirm_bin``, which writes one ``stocktake.count`` per SKU and batch counted. A bin confirmed with
nothing counted is sent as 0 of each SKU the replica shows there (with nothing shown, there is
nothing to send). The first op carries every line of the bin as its ``local_count`` rows, so if the
device dies between the bin's ops, opening the flow again writes the missing ones (see
``recover_interrupted_counts``): a bin is never half-stated.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from client.services.context import MAX_TYPED_QTY, FlowContext
from client.services.errors import FlowStateError
from client.services.feedback import Feedback, accepted, finished, from_error, refused, warned
from client.services.reads import StocktakeDoc
from shared.core.errors import ValidationError
from shared.core.quantity import parse_qty
from shared.scan.resolve import BinScan, DocumentScan, SkuScan

Key = tuple[str, str]  # (sku_id, batch)


class CountState(StrEnum):
    CHOOSE = "choose_stocktake"
    SCAN_BIN = "scan_bin"
    COUNTING = "counting"
    DONE = "done"


PROMPTS = {CountState.CHOOSE: "ui.prompt.choose_stocktake", CountState.SCAN_BIN: "ui.prompt.scan_bin",
           CountState.COUNTING: "ui.prompt.count_items", CountState.DONE: "ui.prompt.count_done"}


@dataclass(frozen=True, slots=True)
class RecountTask:
    task_id: str
    stocktake_id: str
    bin_id: str
    sku_id: str
    batch: str


@dataclass(frozen=True, slots=True)
class CountLineView:
    sku_id: str
    batch: str
    counted: int
    expected: int | None  # None in a blind count


@dataclass(frozen=True, slots=True)
class BinProgress:
    bin_id: str
    code: str
    counted: bool  # confirmed on this device


class StocktakeFlow:
    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.state = CountState.CHOOSE
        self.stocktake: StocktakeDoc | None = None
        self.bin: BinScan | None = None
        self.recount: RecountTask | None = None
        self._draft: dict[Key, int] = defaultdict(int)
        self._last: Key | None = None
        self.recovered = recover_interrupted_counts(ctx)

    @property
    def prompt_code(self) -> str:
        return PROMPTS[self.state]

    # ---- choosing ----------------------------------------------------------------------------------

    def stocktakes(self) -> list[StocktakeDoc]:
        return self.ctx.reads.stocktakes(self.ctx.warehouse_id)

    def recounts(self) -> list[RecountTask]:
        device_id = self.ctx.replicator.device_id
        return [RecountTask(t.id, str(t.data.get("stocktake_id", "")), str(t.data.get("bin_id", "")),
                            str(t.data.get("sku_id", "")), str(t.data.get("batch", "")))
                for t in self.ctx.replica.open_tasks()
                if t.kind == "recount" and (t.state == "open" or t.claimed_by_device == device_id)]

    def open(self, ref: str) -> Feedback:
        doc = self.ctx.reads.stocktake(ref)
        if doc is None or doc.state != "open":
            return refused("handheld.stocktake_not_open", stocktake=ref)
        self._start(doc, None)
        return accepted("handheld.stocktake_opened", stocktake=doc.number, bins=len(doc.bin_ids))

    def start_recount(self, task_id: str) -> Feedback:
        task = next((t for t in self.recounts() if t.task_id == task_id), None)
        doc = self.ctx.reads.stocktake(task.stocktake_id) if task else None
        if task is None or doc is None or doc.state != "open":
            return refused("handheld.task_gone")
        if not any(t.id == task_id and t.state == "claimed" for t in self.ctx.replica.open_tasks()):
            self.ctx.record("task.claim", {"task_id": task_id})
        self._start(doc, task)
        bin_info = self.ctx.reads.bin(task.bin_id)
        return accepted("handheld.recount_started", bin=bin_info.code if bin_info else "", **self.ctx.sku_detail(task.sku_id))

    def _start(self, doc: StocktakeDoc, recount: RecountTask | None) -> None:
        self.stocktake, self.recount, self.bin = doc, recount, None
        self._draft.clear()
        self._last = None
        self.state = CountState.SCAN_BIN

    def bins(self) -> list[BinProgress]:
        if self.stocktake is None:
            return []
        done = {c.bin_id for c in self.ctx.replica.local_counts(self.stocktake.id)}
        out = [BinProgress(b, info.code, b in done) for b in self.stocktake.bin_ids if (info := self.ctx.reads.bin(b))]
        return sorted(out, key=lambda p: p.code)

    # ---- counting ----------------------------------------------------------------------------------

    def scan(self, raw: str) -> Feedback:
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return scan
        if isinstance(scan, DocumentScan):
            if self.state is CountState.CHOOSE and scan.doc_type == "stocktake":
                return self.open(scan.number)
            return refused("handheld.not_here", code=scan.number)
        if self.state in (CountState.CHOOSE, CountState.DONE):
            return refused("handheld.choose_stocktake_first")
        if isinstance(scan, BinScan):
            return self._scan_bin(scan)
        if self.state is CountState.SCAN_BIN:
            return refused("handheld.scan_bin_first")
        return self._count(scan)

    def _scan_bin(self, scan: BinScan) -> Feedback:
        assert self.stocktake is not None
        if self.state is CountState.COUNTING:
            if self.bin is not None and scan.bin_id == self.bin.bin_id:
                return accepted("handheld.count_bin", bin=scan.bin_code)
            return refused("handheld.confirm_bin_first", bin=self.bin.bin_code if self.bin else "")
        if scan.bin_id not in self.stocktake.bin_ids:
            return refused("stocktake.bin_not_in_scope", bin=scan.bin_code, stocktake=self.stocktake.number)
        if self.recount is not None and scan.bin_id != self.recount.bin_id:
            target = self.ctx.reads.bin(self.recount.bin_id)
            return refused("handheld.wrong_bin", bin=scan.bin_code, expected=target.code if target else "")
        self.bin = scan
        self.state = CountState.COUNTING
        return accepted("handheld.count_bin", bin=scan.bin_code)

    def _count(self, scan: SkuScan) -> Feedback:
        assert self.bin is not None
        detail = self.ctx.sku_detail(scan.sku_id)
        if self.recount is not None and scan.sku_id != self.recount.sku_id:
            return refused("handheld.not_in_task", **detail)
        batch = self.ctx.batch_for(scan, (ln.batch for ln in self.ctx.replica.stock_view(bin_id=self.bin.bin_id,
                                                                                        sku_id=scan.sku_id)))
        if isinstance(batch, Feedback):
            return batch
        self._draft[(scan.sku_id, batch)] += scan.qty_base
        self._last = (scan.sku_id, batch)
        return accepted("handheld.counted_unit", qty=scan.qty_base, total=self._draft[self._last], **detail)

    def type_qty(self, text: str | int) -> Feedback:
        """The count of the SKU scanned last is ``text`` (replacing what the scans added up to)."""
        self._require(CountState.COUNTING, action="type_qty")
        if self._last is None:
            return refused("handheld.scan_item_first")
        raw = unicodedata.normalize("NFKC", text).strip() if isinstance(text, str) else text
        try:
            qty = parse_qty(raw, allow_zero=True)
        except ValidationError as exc:
            return from_error(exc)
        if qty > MAX_TYPED_QTY:
            return refused("handheld.qty_too_large", qty=qty, limit=MAX_TYPED_QTY)
        self._draft[self._last] = qty
        return accepted("handheld.count_set", total=qty, **self.ctx.sku_detail(self._last[0]))

    def lines(self) -> list[CountLineView]:
        shown: dict[Key, int] = {}
        if self.bin is not None and self.stocktake is not None and not self.stocktake.blind:
            shown = {(ln.sku_id, ln.batch): ln.on_hand for ln in self.ctx.replica.stock_view(bin_id=self.bin.bin_id)}
        blind = self.stocktake is None or self.stocktake.blind
        return [CountLineView(s, b, q, None if blind else shown.get((s, b), 0)) for (s, b), q in self._draft.items()]

    def cancel_bin(self) -> Feedback:
        self._require(CountState.COUNTING, action="cancel_bin")
        self._draft.clear()
        self._last, self.bin = None, None
        self.state = CountState.SCAN_BIN
        return warned("handheld.count_cancelled")

    # ---- confirming --------------------------------------------------------------------------------

    def confirm_bin(self) -> Feedback:
        self._require(CountState.COUNTING, action="confirm_bin")
        assert self.stocktake is not None and self.bin is not None
        shown = [ln for ln in self.ctx.replica.stock_view(bin_id=self.bin.bin_id) if ln.on_hand != 0]
        if self.recount is not None:
            key = (self.recount.sku_id, self.recount.batch)
            counts = {key: self._draft.get(key, 0)}
        elif self._draft:
            counts = dict(self._draft)
        else:  # counted empty: say so for each SKU the replica shows here
            counts = {(ln.sku_id, ln.batch): 0 for ln in shown}
        not_counted = len({(ln.sku_id, ln.batch) for ln in shown} - set(counts)) if self.recount is None else 0
        bin_code = self.bin.bin_code
        if counts:
            self._write(counts)
        if self.recount is not None:
            self.ctx.record("task.complete", {"task_id": self.recount.task_id, "shorts": []})
        self._draft.clear()
        self._last, self.bin = None, None
        self.state = CountState.DONE if self.recount is not None else CountState.SCAN_BIN
        units = sum(counts.values())
        if not_counted:
            return warned("handheld.bin_counted_zeros", bin=bin_code, units=units, lines=len(counts), zeros=not_counted)
        return finished("handheld.bin_counted", bin=bin_code, units=units, lines=len(counts))

    def _write(self, counts: dict[Key, int]) -> None:
        assert self.stocktake is not None and self.bin is not None
        recount = self.recount is not None
        payloads = [{"stocktake_id": self.stocktake.id, "bin_id": self.bin.bin_id, "sku_id": sku_id, "batch": batch,
                     "counted_qty": qty, "is_recount": recount} for (sku_id, batch), qty in sorted(counts.items())]
        # the first op states the whole bin locally; the rest follow (completed on reopen if cut short)
        self.ctx.record("stocktake.count", payloads[0], local_effect={"local_count": payloads})
        for payload in payloads[1:]:
            self.ctx.record("stocktake.count", payload)

    def _require(self, *states: CountState, action: str) -> None:
        if self.state not in states:
            raise FlowStateError(action, self.state.value)


def recover_interrupted_counts(ctx: FlowContext) -> int:
    """Write the ``stocktake.count`` ops a bin confirmation stated locally (``local_count`` rows of its
    first op) but did not get to write before the device died. Returns how many were written."""
    entries = [e for e in ctx.replica.outbox_entries() if e.kind == "stocktake.count"]
    by_op = {e.op_id: e for e in entries}
    written = 0
    for doc in ctx.reads.stocktakes(ctx.warehouse_id):
        rows_by_anchor: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in ctx.replica.local_counts(doc.id):
            rows_by_anchor[c.op_id].append({"stocktake_id": c.stocktake_id, "bin_id": c.bin_id, "sku_id": c.sku_id,
                                            "batch": c.batch, "counted_qty": c.counted_qty, "is_recount": c.is_recount})
        for op_id, rows in rows_by_anchor.items():
            anchor = by_op.get(op_id)
            if anchor is None:
                continue  # answered and pruned long ago: its bin was complete
            later = [e.payload for e in entries if e.seq >= anchor.seq]
            for row in rows:
                if row not in later:
                    ctx.replicator.record("stocktake.count", row, anchor.user_id)
                    written += 1
    return written
