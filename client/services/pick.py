"""Picking: tasks in bin walking order; scan the bin, then the items; repeated scans count up.

    PickFlow(ctx)
        .tasks() -> list[PickTaskSummary]     open pick tasks and this device's claimed ones
        .start(task_id) -> Feedback           claim (``task.claim``) or resume; progress from the outbox
        .scan(raw) -> Feedback                a bin, an item, or (sort-while-picking) a slot label
        .type_qty(text) -> Feedback           the next item scan counts this many
        .confirm_slot(text) -> Feedback       sort-while-picking: the slot the unit was dropped into
        .cancel_item() -> Feedback            put back the item waiting for its slot (nothing was written)
        .short(reason, qty=None) -> Feedback  the current line is short (not_found, damaged, insufficient, other)
        .complete() -> Feedback               ``task.complete`` with the shorts
        .state, .lines(), .current_line(), .prompt_code, .task_id, .slots

States: choose_task → scan_bin ⇄ scan_item (→ scan_slot when the task has slots) → ready → done.
Refused locally, nothing written: wrong bin, item before bin, wrong item (in the task, other bin),
not in this task, over-pick, wrong batch, wrong slot. Each accepted item scan is one ``stock.pick``
op (with ``task_id``; with ``slot`` in a sort task, written when the slot is confirmed — dropping
the unit into its slot is the pick) recorded before the feedback returns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from client.replica.views import TaskView
from client.services.context import FlowContext, NextQty
from client.services.errors import FlowStateError
from client.services.feedback import Feedback, accepted, finished, label, refused, warned
from client.services.pick_lines import PickLine, add_pick, lines_of, shorts_payload, with_progress
from shared.core.errors import ValidationError
from shared.scan.resolve import BinScan, SkuScan
from sync.kinds import SHORT_REASONS
from sync.ports import ACKED, PENDING

_SLOT = re.compile(r"(?:SLOT|S|#)?[-\s]?0*([0-9]{1,3})")


class PickState(StrEnum):
    CHOOSE_TASK = "choose_task"
    SCAN_BIN = "scan_bin"
    SCAN_ITEM = "scan_item"
    SCAN_SLOT = "scan_slot"
    READY = "ready"  # every line picked or short: complete the task
    DONE = "done"


PROMPTS = {PickState.CHOOSE_TASK: "ui.prompt.choose_task", PickState.SCAN_BIN: "ui.prompt.scan_bin",
           PickState.SCAN_ITEM: "ui.prompt.scan_item", PickState.SCAN_SLOT: "ui.prompt.scan_slot",
           PickState.READY: "ui.prompt.complete_task", PickState.DONE: "ui.prompt.task_done"}


@dataclass(frozen=True, slots=True)
class PickTaskSummary:
    id: str
    state: str
    lines: int
    units: int
    slots: int
    mine: bool  # claimed (or being claimed) by this device


@dataclass(frozen=True, slots=True)
class _Held:
    """An item scanned in a sort-while-picking task, waiting for its slot."""

    line: PickLine
    qty: int


class PickFlow:
    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.state = PickState.CHOOSE_TASK
        self.task_id = ""
        self.slots = 0
        self._lines: list[PickLine] = []
        self._bin_id = ""
        self._held: _Held | None = None
        self._qty = NextQty()

    @property
    def prompt_code(self) -> str:
        return PROMPTS[self.state]

    def lines(self) -> list[PickLine]:
        return list(self._lines)

    def current_line(self) -> PickLine | None:
        """The line to work on: the first open one in the scanned bin, else the next in walking order."""
        here = [ln for ln in self._lines if not ln.done and ln.bin_id == self._bin_id]
        return here[0] if here else next((ln for ln in self._lines if not ln.done), None)

    # ---- choosing ----------------------------------------------------------------------------------

    def tasks(self) -> list[PickTaskSummary]:
        device_id = self.ctx.replicator.device_id
        out = []
        for t in self.ctx.replica.open_tasks():
            if t.kind == "pick" and (t.state == "open" or t.claimed_by_device == device_id):
                lines = lines_of(t.data)
                out.append(PickTaskSummary(t.id, t.state, len(lines), sum(ln.qty for ln in lines),
                                           int(t.data.get("slots") or 0), t.claimed_by_device == device_id))
        return out

    def start(self, task_id: str) -> Feedback:
        task = next((t for t in self.ctx.replica.open_tasks() if t.id == task_id and t.kind == "pick"), None)
        if task is None:
            return refused("handheld.task_gone")
        device_id = self.ctx.replicator.device_id
        if task.state == "claimed" and task.claimed_by_device != device_id:
            return refused("handheld.task_taken", user=task.claimed_by_user)
        if task.state == "open":
            self.ctx.record("task.claim", {"task_id": task.id})
        self._open(task)
        nxt = self.current_line()
        return accepted("handheld.task_started", lines=len(self._lines), bin=nxt.bin_code if nxt else "")

    def _open(self, task: TaskView) -> None:
        self.task_id, self.slots = task.id, int(task.data.get("slots") or 0)
        picks = [e.payload for e in self.ctx.replica.outbox_entries()  # seq order; rejected picks never posted
                 if e.state in (PENDING, ACKED) and e.kind == "stock.pick" and e.payload.get("task_id") == task.id]
        self._lines = with_progress(lines_of(task.data), picks)
        self._bin_id, self._held = "", None
        self._qty.clear()
        self.state = PickState.READY if all(ln.done for ln in self._lines) else PickState.SCAN_BIN

    # ---- scanning ----------------------------------------------------------------------------------

    def type_qty(self, text: str | int) -> Feedback:
        self._require(PickState.SCAN_BIN, PickState.SCAN_ITEM, action="type_qty")
        return self._qty.arm(text)

    def scan(self, raw: str) -> Feedback:
        if self.state in (PickState.CHOOSE_TASK, PickState.DONE):
            return refused("handheld.choose_task_first")
        if self.state is PickState.SCAN_SLOT:
            return self.confirm_slot(raw) if _SLOT.fullmatch(_clean(raw)) else refused("handheld.scan_slot_first",
                                                                                       slot=self._held_slot())
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return scan
        if isinstance(scan, BinScan):
            return self._scan_bin(scan)
        if isinstance(scan, SkuScan):
            return self._scan_item(scan)
        return refused("handheld.not_here", code=scan.number)

    def _scan_bin(self, scan: BinScan) -> Feedback:
        if not any(ln.bin_id == scan.bin_id and not ln.done for ln in self._lines):
            nxt = self.current_line()
            return refused("handheld.wrong_bin", bin=scan.bin_code, expected=nxt.bin_code if nxt else "")
        self._bin_id = scan.bin_id
        self.state = PickState.SCAN_ITEM
        line = self.current_line()
        assert line is not None
        return accepted("handheld.bin_ok", bin=scan.bin_code, qty=line.remaining, **self.ctx.sku_detail(line.sku_id))

    def _scan_item(self, scan: SkuScan) -> Feedback:
        if self.state is not PickState.SCAN_ITEM:
            nxt = self.current_line()
            return refused("handheld.go_to_bin", bin=nxt.bin_code if nxt else "")
        detail = self.ctx.sku_detail(scan.sku_id)
        of_sku = [ln for ln in self._lines if ln.sku_id == scan.sku_id]
        if not of_sku:
            return refused("handheld.not_in_task", **detail)
        here = [ln for ln in of_sku if ln.bin_id == self._bin_id]
        if not here:
            where = next((ln for ln in of_sku if not ln.done), of_sku[0])
            return refused("handheld.wrong_item", bin=where.bin_code, **detail)
        if scan.batch and self.ctx.sku(scan.sku_id).batch_tracked:
            here = [ln for ln in here if ln.batch == scan.batch]
            if not here:
                return refused("handheld.wrong_batch", batch=scan.batch, **detail)
        return self._take(here, self._qty.of(scan), detail)

    def _take(self, candidates: list[PickLine], qty: int, detail: dict[str, object]) -> Feedback:
        open_lines = [ln for ln in candidates if not ln.done]
        room = open_lines[0].remaining if self.slots and open_lines else sum(ln.remaining for ln in open_lines)
        if qty > room:
            return refused("handheld.over_pick", qty=qty, remaining=room, **detail)
        line = open_lines[0]
        self._qty.clear()
        if self.slots and line.slot:
            self._held = _Held(line, qty)
            self.state = PickState.SCAN_SLOT
            return accepted("handheld.put_in_slot", slot=line.slot, qty=qty, **detail)
        return self._write_pick(line, qty, slot=0, detail=detail)

    def _write_pick(self, line: PickLine, qty: int, *, slot: int, detail: dict[str, object]) -> Feedback:
        self.ctx.record("stock.pick", {"sku_id": line.sku_id, "bin_id": line.bin_id, "qty": qty, "batch": line.batch,
                                       "task_id": self.task_id, "slot": slot})
        self._lines = add_pick(self._lines, line.sku_id, line.bin_id, line.batch, slot, qty)
        self._after_line()
        picked = sum(ln.picked for ln in self._lines if ln.sku_id == line.sku_id and ln.bin_id == line.bin_id)
        wanted = sum(ln.qty for ln in self._lines if ln.sku_id == line.sku_id and ln.bin_id == line.bin_id)
        if self.state is PickState.READY:
            return finished("handheld.all_picked", qty=qty, picked=picked, of=wanted, **detail)
        nxt = self.current_line()
        return accepted("handheld.picked", qty=qty, picked=picked, of=wanted, next_bin=nxt.bin_code if nxt else "", **detail)

    def _after_line(self) -> None:
        if all(ln.done for ln in self._lines):
            self.state = PickState.READY
        elif not any(ln.bin_id == self._bin_id and not ln.done for ln in self._lines):
            self.state = PickState.SCAN_BIN
        else:
            self.state = PickState.SCAN_ITEM

    # ---- sort-while-picking ------------------------------------------------------------------------

    def confirm_slot(self, text: str) -> Feedback:
        self._require(PickState.SCAN_SLOT, action="confirm_slot")
        held = self._held
        assert held is not None
        match = _SLOT.fullmatch(_clean(text))
        slot = int(match.group(1)) if match else -1
        detail = self.ctx.sku_detail(held.line.sku_id)
        if slot != held.line.slot:
            return refused("handheld.wrong_slot", slot=held.line.slot, got=_clean(text)[:12], **detail)
        self._held = None
        return self._write_pick(held.line, held.qty, slot=slot, detail=detail)

    def cancel_item(self) -> Feedback:
        self._require(PickState.SCAN_SLOT, action="cancel_item")
        self._held = None
        self.state = PickState.SCAN_ITEM
        return warned("handheld.item_cancelled")

    def _held_slot(self) -> int:
        return self._held.line.slot if self._held else 0

    # ---- short and complete ------------------------------------------------------------------------

    def short(self, reason: str, qty: int | None = None) -> Feedback:
        """Mark the current line short by ``qty`` (default: all that is left) for ``reason``."""
        self._require(PickState.SCAN_BIN, PickState.SCAN_ITEM, action="short")
        if reason not in SHORT_REASONS:
            raise ValidationError("invalid.enum", field="reason", value=reason)
        line = self.current_line()
        assert line is not None  # a task with nothing left is READY
        amount = line.remaining if qty is None else qty
        if not 0 < amount <= line.remaining:
            return refused("handheld.short_too_many", qty=amount, remaining=line.remaining)
        self._lines[line.index] = replace(line, short=line.short + amount, short_reason=reason)
        self._after_line()
        return warned("handheld.short_noted", qty=amount, reason=reason, reason_zh=label(f"ui.short.{reason}", "zh-CN"),
                      reason_en=label(f"ui.short.{reason}", "en"), **self.ctx.sku_detail(line.sku_id))

    def complete(self) -> Feedback:
        self._require(PickState.SCAN_BIN, PickState.SCAN_ITEM, PickState.READY, action="complete")
        left = [ln for ln in self._lines if not ln.done]
        if left:
            return refused("handheld.lines_open", count=len(left))
        shorts = shorts_payload(self._lines)
        self.ctx.record("task.complete", {"task_id": self.task_id, "shorts": shorts})
        self.state = PickState.DONE
        return finished("handheld.task_completed", picked=sum(ln.picked for ln in self._lines),
                        short=sum(s["qty"] for s in shorts))

    def _require(self, *states: PickState, action: str) -> None:
        if self.state not in states:
            raise FlowStateError(action, self.state.value)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()
