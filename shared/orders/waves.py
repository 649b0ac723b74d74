"""Wave planning (波次): reviewed orders grouped into waves a picker walks at once. Pure and
deterministic: the same orders, in any input order, give the same waves.

    plan_waves(orders, *, slots, group_by="carrier", min_bulk=2, max_bulk=200) -> list[PlannedWave]
    allocate_bins(needs, stock) -> (pick lines, missing)   needs taken from bins in walking order

Two kinds of wave, each within one group (the orders' carrier, or zone, as ``group_by`` says):

    single_sku  爆款波次  orders whose every line is the same SKU, when at least ``min_bulk`` orders
                         share that SKU: picked in bulk (one pick line per bin, no slots), then
                         packed order by order; at most ``max_bulk`` orders a wave
    multi       边拣边分  every other order: at most ``slots`` orders a wave, each given a slot
                         1..n; the picker drops each unit into its order's slot while walking

Inside a group, orders go by priority (higher first), then by ``sort_key`` (e.g. paid time), then
id. Errors (``ValidationError``): ``fulfil.bad_slots`` (slots < 1), ``fulfil.order_without_lines``,
``fulfil.duplicate_order``; quantities go through ``parse_qty``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from shared.core.errors import ValidationError
from shared.core.quantity import parse_qty

SINGLE_SKU = "single_sku"
MULTI = "multi"
GroupBy = Literal["carrier", "zone"]


@dataclass(frozen=True, slots=True)
class WaveOrder:
    """One reviewed order as the planner sees it: lines are (sku_id, qty) pairs."""

    order_id: str
    lines: tuple[tuple[str, int], ...]
    carrier: str = ""
    zone: str = ""
    priority: int = 0
    sort_key: str = ""

    @property
    def skus(self) -> frozenset[str]:
        return frozenset(sku for sku, _qty in self.lines)

    @property
    def units(self) -> int:
        return sum(qty for _sku, qty in self.lines)


@dataclass(frozen=True, slots=True)
class PlannedWave:
    """``slots`` maps each order to its slot (multi waves); a single-SKU wave has none."""

    kind: str  # SINGLE_SKU | MULTI
    group: str  # the carrier or zone the wave's orders share
    order_ids: tuple[str, ...]
    slots: tuple[tuple[str, int], ...] = ()
    sku_id: str = ""  # the one SKU of a single-SKU wave

    def slot_of(self, order_id: str) -> int:
        return dict(self.slots).get(order_id, 0)


def plan_waves(orders: Iterable[WaveOrder], *, slots: int, group_by: GroupBy = "carrier", min_bulk: int = 2,
               max_bulk: int = 200) -> list[PlannedWave]:
    if slots < 1 or max_bulk < 1:
        raise ValidationError("fulfil.bad_slots", slots=slots)
    clean = _checked(orders)
    groups: dict[str, list[WaveOrder]] = defaultdict(list)
    for order in clean:
        groups[order.carrier if group_by == "carrier" else order.zone].append(order)
    waves: list[PlannedWave] = []
    for group in sorted(groups):
        members = sorted(groups[group], key=_rank)
        bulk, rest = _split_bulk(members, min_bulk)
        for sku_id in sorted(bulk):
            waves += [PlannedWave(SINGLE_SKU, group, tuple(o.order_id for o in part), (), sku_id)
                      for part in _chunks(bulk[sku_id], max_bulk)]
        for part in _chunks(rest, slots):
            waves.append(PlannedWave(MULTI, group, tuple(o.order_id for o in part),
                                     tuple((o.order_id, i + 1) for i, o in enumerate(part))))
    return waves


def _checked(orders: Iterable[WaveOrder]) -> list[WaveOrder]:
    seen: set[str] = set()
    out = []
    for order in orders:
        if order.order_id in seen:
            raise ValidationError("fulfil.duplicate_order", order=order.order_id)
        seen.add(order.order_id)
        if not order.lines:
            raise ValidationError("fulfil.order_without_lines", order=order.order_id)
        for _sku, qty in order.lines:
            parse_qty(qty)
        out.append(order)
    return out


def _rank(order: WaveOrder) -> tuple[int, str, str]:
    return (-order.priority, order.sort_key, order.order_id)


def _split_bulk(members: list[WaveOrder], min_bulk: int) -> tuple[dict[str, list[WaveOrder]], list[WaveOrder]]:
    """Orders of one SKU only, by SKU, where the SKU has ``min_bulk`` such orders; and the rest."""
    by_sku: dict[str, list[WaveOrder]] = defaultdict(list)
    for order in members:
        if len(order.skus) == 1:
            by_sku[next(iter(order.skus))].append(order)
    bulk = {sku: group for sku, group in by_sku.items() if len(group) >= min_bulk}
    taken = {o.order_id for group in bulk.values() for o in group}
    return bulk, [o for o in members if o.order_id not in taken]


def _chunks(items: Sequence[WaveOrder], size: int) -> list[Sequence[WaveOrder]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


@dataclass(frozen=True, slots=True)
class BinStock:
    """Units of a SKU that can be picked from a bin (storage bins in walking order)."""

    sku_id: str
    bin_id: str
    batch: str
    available: int


@dataclass(frozen=True, slots=True)
class PickAllocation:
    sku_id: str
    bin_id: str
    batch: str
    qty: int
    slot: int


def allocate_bins(needs: Sequence[tuple[int, str, int]], stock: Sequence[BinStock]) -> tuple[list[PickAllocation], dict[str, int]]:
    """Take each need (slot, sku_id, qty), in the order given, from the bins of ``stock`` in its order
    (walking order): first bins first. Returns (pick lines, sku_id → units no bin could give)."""
    free = [s.available for s in stock]
    lines: list[PickAllocation] = []
    missing: dict[str, int] = defaultdict(int)
    for slot, sku_id, qty in needs:
        want = qty
        for i, s in enumerate(stock):
            if want == 0:
                break
            if s.sku_id != sku_id or free[i] <= 0:
                continue
            take = min(want, free[i])
            free[i] -= take
            want -= take
            lines.append(PickAllocation(sku_id, s.bin_id, s.batch, take, slot))
        if want:
            missing[sku_id] += want
    return lines, dict(missing)
