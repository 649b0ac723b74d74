"""Pack verification (验货): scan the package (its waybill, order number or package label), then every
unit in the box; confirm when all lines are complete.

    PackFlow(ctx)
        .packages() -> list[PackTaskSummary]   open pack tasks and this device's claimed ones
        .start(task_id) -> Feedback            claim (``task.claim``) or resume this device's claim
        .scan(raw) -> Feedback                 choosing: a package/order/waybill code; verifying: an item
        .type_qty(text) -> Feedback            the next item scan counts this many (multiples)
        .restart() -> Feedback                 clear this package's scans and verify again
        .confirm() -> Feedback                 ``task.complete`` with the verified lines
        .state, .lines(), .prompt_code, .task_id, .order_ref, .waybill_code
    open_pack_count(replica, device_id) -> int the home screen's figure

States: choose → verify (→ ready when every unit is scanned) → done. Refused locally, nothing kept:
an item not in the package, more units than it still needs, a bin or document scan. The scans of a
package live in the flow (``shared.orders.pack``); only the confirmation is an op: ``task.complete``
carrying ``verified`` [{sku_id, qty}] is written in one replica transaction (the task then shows done,
rebased on the pending op) before the feedback returns. A device killed mid-package verifies that
package again from the start: nothing about it was written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from client.replica.db import Replica
from client.replica.views import TaskView
from client.services.context import FlowContext, NextQty
from client.services.errors import FlowStateError
from client.services.feedback import Feedback, accepted, finished, refused, warned
from shared.core.errors import DomainError
from shared.orders import pack
from shared.scan.resolve import SkuScan


class PackFlowState(StrEnum):
    CHOOSE = "choose"
    VERIFY = "verify"
    READY = "ready"
    DONE = "done"


PROMPTS = {PackFlowState.CHOOSE: "ui.prompt.pack_choose", PackFlowState.VERIFY: "ui.prompt.pack_scan",
           PackFlowState.READY: "ui.prompt.pack_confirm", PackFlowState.DONE: "ui.prompt.pack_done"}


@dataclass(frozen=True, slots=True)
class PackTaskSummary:
    id: str
    state: str
    order_ref: str
    waybill_code: str
    lines: int
    units: int
    mine: bool


def _pack_tasks(replica: Replica, device_id: str) -> list[TaskView]:
    return [t for t in replica.open_tasks()
            if t.kind == "pack" and (t.state == "open" or t.claimed_by_device == device_id)]


def open_pack_count(replica: Replica, device_id: str) -> int:
    return len(_pack_tasks(replica, device_id))


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


class PackFlow:
    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.state = PackFlowState.CHOOSE
        self.task_id = ""
        self.order_ref = ""
        self.waybill_code = ""
        self._pack: pack.PackState | None = None
        self._names: dict[str, dict[str, object]] = {}
        self._qty = NextQty()

    @property
    def prompt_code(self) -> str:
        return PROMPTS[self.state]

    def lines(self) -> list[pack.PackLine]:
        return list(self._pack.lines) if self._pack else []

    # ---- choosing ----------------------------------------------------------------------------------

    def packages(self) -> list[PackTaskSummary]:
        device_id = self.ctx.replicator.device_id
        out = []
        for t in _pack_tasks(self.ctx.replica, device_id):
            lines = [ln for ln in t.data.get("lines", []) if isinstance(ln, dict)]
            out.append(PackTaskSummary(t.id, t.state, str(t.data.get("order_ref", "")), str(t.data.get("waybill_code", "")),
                                       len(lines), sum(int(ln.get("qty", 0)) for ln in lines), t.claimed_by_device == device_id))
        return out

    def _find(self, code: str) -> TaskView | None:
        wanted = _clean(code)
        for t in self.ctx.replica.open_tasks():
            if t.kind != "pack":
                continue
            keys = {str(t.data.get(k, "")).upper() for k in ("package_id", "order_ref", "waybill_code")} | {t.id.upper()}
            if wanted and wanted in keys:
                return t
        return None

    def start(self, task_id: str) -> Feedback:
        task = next((t for t in self.ctx.replica.open_tasks() if t.id == task_id and t.kind == "pack"), None)
        return self._start(task, task_id)

    def _start(self, task: TaskView | None, code: str) -> Feedback:
        if task is None:
            return refused("handheld.pack.unknown_package", code=code[:40])
        device_id = self.ctx.replicator.device_id
        if task.state == "claimed" and task.claimed_by_device != device_id:
            return refused("handheld.pack.taken", user=task.claimed_by_user)
        try:
            state = pack.start(str(task.data.get("package_id", task.id)), task.data.get("lines", []))
        except DomainError as exc:
            return refused(exc.code, **exc.details)
        if task.state == "open":
            self.ctx.record("task.claim", {"task_id": task.id})
        self.task_id, self._pack = task.id, state
        self.order_ref, self.waybill_code = str(task.data.get("order_ref", "")), str(task.data.get("waybill_code", ""))
        self._names = {str(ln["sku_id"]): ln for ln in task.data.get("lines", []) if isinstance(ln, dict)}
        self._qty.clear()
        self.state = PackFlowState.VERIFY
        return accepted("handheld.pack.started", lines=len(state.lines), units=state.remaining, order=self.order_ref)

    # ---- verifying ---------------------------------------------------------------------------------

    def type_qty(self, text: str | int) -> Feedback:
        self._require(PackFlowState.VERIFY, action="type_qty")
        return self._qty.arm(text)

    def scan(self, raw: str) -> Feedback:
        if self.state is PackFlowState.CHOOSE or self.state is PackFlowState.DONE:
            self.state = PackFlowState.CHOOSE
            return self._start(self._find(raw), raw)
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return scan
        if not isinstance(scan, SkuScan):
            return refused("handheld.pack.not_an_item")
        return self._item(scan)

    def _item(self, scan: SkuScan) -> Feedback:
        assert self._pack is not None
        detail = self._detail(scan.sku_id)
        qty = self._qty.of(scan)
        try:
            self._pack = pack.scan(self._pack, scan.sku_id, qty)
        except DomainError as exc:
            if exc.code == "pack.over_scan":
                return refused("handheld.pack.over_scan", qty=qty, remaining=exc.details.get("remaining", 0), **detail)
            if exc.code == "pack.already_done":
                return refused("handheld.pack.all_scanned")
            return refused("handheld.pack.wrong_item", **detail)
        self._qty.clear()
        line = self._pack.line(scan.sku_id)
        assert line is not None
        if self._pack.done:
            self.state = PackFlowState.READY
            return finished("handheld.pack.all_scanned", scanned=line.scanned, qty=line.qty, **detail)
        return accepted("handheld.pack.scanned", scanned=line.scanned, qty=line.qty, **detail)

    def _detail(self, sku_id: str) -> dict[str, object]:
        known = self._names.get(sku_id)
        detail = self.ctx.sku_detail(sku_id)
        if known is not None and detail["sku"] == sku_id:  # not in the replica's catalogue: the task's own text
            detail = {"sku": known.get("sku_code", sku_id), "name_zh": known.get("name", ""), "name_en": known.get("name_en", "")}
        return detail

    def restart(self) -> Feedback:
        self._require(PackFlowState.VERIFY, PackFlowState.READY, action="restart")
        assert self._pack is not None
        self._pack = pack.start(self._pack.package_id, [{"sku_id": ln.sku_id, "sku_code": ln.sku_code, "name": ln.name,
                                                         "qty": ln.qty} for ln in self._pack.lines])
        self._qty.clear()
        self.state = PackFlowState.VERIFY
        return warned("handheld.pack.reset")

    def confirm(self) -> Feedback:
        self._require(PackFlowState.VERIFY, PackFlowState.READY, action="confirm")
        assert self._pack is not None
        if not self._pack.done:
            return refused("handheld.pack.lines_open", units=self._pack.remaining)
        self.ctx.record("task.complete", {"task_id": self.task_id, "shorts": [], "verified": pack.verified_lines(self._pack)})
        self.state = PackFlowState.DONE
        return finished("handheld.pack.completed", package=self.order_ref or self._pack.package_id[-8:])

    def _require(self, *states: PackFlowState, action: str) -> None:
        if self.state not in states:
            raise FlowStateError(action, self.state.value)
