"""Pick task lines and their progress (pure): how far each line is, from this device's pick ops.

    lines_of(task_data)                      -> list[PickLine]   in walking order, nothing picked
    with_progress(lines, pick_payloads)      -> list[PickLine]   picks filled into lines in order
    shorts_payload(lines)                    -> [{sku_id, bin_id, qty, reason}]  for ``task.complete``

Progress is rebuilt from the outbox (the ``stock.pick`` ops of this task, pending or acked) every
time a task is opened, so a device killed mid-task resumes exactly where its confirmed scans were.
A pick op fills the lines with its SKU, bin, batch (and slot, in a sort-while-picking task) in
walking order; short quantities are the operator's decision and live in the flow until completion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class PickLine:
    index: int
    sku_id: str
    bin_id: str
    bin_code: str
    batch: str
    qty: int
    slot: int  # order slot to drop into (sort-while-picking), 0 when none
    picked: int = 0
    short: int = 0
    short_reason: str = ""

    @property
    def remaining(self) -> int:
        return max(self.qty - self.picked - self.short, 0)

    @property
    def done(self) -> bool:
        return self.remaining == 0


def lines_of(data: Mapping[str, Any]) -> list[PickLine]:
    raw = data.get("lines")
    if not isinstance(raw, list):
        return []
    return [PickLine(i, str(ln["sku_id"]), str(ln["bin_id"]), str(ln.get("bin_code", "")), str(ln.get("batch", "")),
                     int(ln["qty"]), int(ln.get("slot", 0) or 0)) for i, ln in enumerate(raw) if isinstance(ln, dict)]


def matches(line: PickLine, sku_id: str, bin_id: str, batch: str, slot: int) -> bool:
    return (line.sku_id == sku_id and line.bin_id == bin_id and line.batch == batch
            and (slot == 0 or line.slot == slot))


def with_progress(lines: Sequence[PickLine], picks: Iterable[Mapping[str, Any]]) -> list[PickLine]:
    """``lines`` with the quantities of ``picks`` (stock.pick payloads, oldest first) filled in."""
    picked: dict[int, int] = defaultdict(int)
    for p in picks:
        qty = int(p["qty"])
        targets = [ln for ln in lines if matches(ln, p["sku_id"], p["bin_id"], p.get("batch", ""), int(p.get("slot") or 0))]
        for ln in targets:
            take = min(qty, max(ln.remaining - picked[ln.index], 0))
            picked[ln.index] += take
            qty -= take
        if qty and targets:  # more than the lines asked for: shown on the last line (an over-pick)
            picked[targets[-1].index] += qty
    return [replace(ln, picked=ln.picked + picked[ln.index]) for ln in lines]


def add_pick(lines: Sequence[PickLine], sku_id: str, bin_id: str, batch: str, slot: int, qty: int) -> list[PickLine]:
    return with_progress(lines, [{"sku_id": sku_id, "bin_id": bin_id, "batch": batch, "slot": slot, "qty": qty}])


def shorts_payload(lines: Iterable[PickLine]) -> list[dict[str, Any]]:
    """Short lines as ``task.complete`` wants them, one per SKU, bin and reason."""
    total: dict[tuple[str, str, str], int] = defaultdict(int)
    for ln in lines:
        if ln.short:
            total[(ln.sku_id, ln.bin_id, ln.short_reason)] += ln.short
    return [{"sku_id": s, "bin_id": b, "qty": q, "reason": r} for (s, b, r), q in total.items()]
