"""Parts (子单) of an order split across warehouses by stock (pure): which warehouse ships what, and
how the money is shared.

    preference(policy, home, known) -> [warehouse id]              the warehouses a split rule allows, in order
    plan_parts(lines, preference, stock) -> [PlannedPart] | None   None: no set of warehouses covers it
    place_gifts(gifts, parts, home, stock) -> part index | None     the part that takes the gifts
    apportion(total, weights) -> [int]                                  largest remainder, sums to total
    part_amounts(amounts, weights) -> [PartAmounts]                     goods/discount/paid by weight, freight on part 1

The allocation is the split rule engine's (``shared.orders.rules.split.allocate``: the fewest
warehouses that cover everything, the most preferred such set). It counts in the line's platform units:
a line of packs (``qty_base`` = ``qty`` x pack) is placed in whole packs, so a part's ``qty_base`` is its
``qty`` x pack. ``stock`` is available base units by warehouse id, then SKU id; a plan is returned only
when every warehouse it uses has the base units of every SKU it takes (two lines of one SKU in
different pack sizes are checked together).

Quantities are conserved: for every line the parts' ``qty`` add up to the line's ``qty`` and their
``qty_base`` to its ``qty_base``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.orders.model import OrderLine
from shared.orders.rules.split import SplitPolicy, allocate


@dataclass(frozen=True, slots=True)
class ShipLine:
    """A line to ship: ``ref`` names it for the caller (the stored line id)."""

    ref: str
    sku_id: str
    qty: int  # platform units
    qty_base: int  # units of ``sku_id`` (qty x pack)


@dataclass(frozen=True, slots=True)
class PartLine:
    ref: str
    sku_id: str
    qty: int
    qty_base: int


@dataclass(frozen=True, slots=True)
class PlannedPart:
    warehouse_id: str
    lines: tuple[PartLine, ...]

    def units(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for line in self.lines:
            out[line.sku_id] += line.qty_base
        return dict(out)


@dataclass(frozen=True, slots=True)
class PartAmounts:
    goods_fen: int
    freight_fen: int
    discount_fen: int
    paid_fen: int


def preference(policy: SplitPolicy, home: str, known: Sequence[tuple[str, str, str]]) -> list[str]:
    """Warehouse ids to ship from, most preferred first. ``known`` are the usable warehouses as (id, code,
    kind). A rule names warehouses by code (``WH-SH``; what the rule editor shows) or by id; names it does
    not know are skipped. With a ``warehouses`` list: those, in its order. Without one: the
    ``default_warehouse`` (else the order's home warehouse) first, then every other warehouse of kind
    ``warehouse`` by code (stores only when named)."""
    ids = {wh_id: wh_id for wh_id, _, _ in known} | {code.strip().upper(): wh_id for wh_id, code, _ in known}

    def resolve(name: str | None) -> str | None:
        return None if name is None else ids.get(name) or ids.get(name.strip().upper())

    if policy.warehouses:
        chosen = [resolve(name) for name in policy.warehouses]
    else:
        first = resolve(policy.default_warehouse) or (home if home in ids else None)
        rest = [wh_id for wh_id, _, kind in sorted(known, key=lambda k: k[1]) if kind == "warehouse" and wh_id != first]
        chosen = [first, *rest]
    return list(dict.fromkeys(wh for wh in chosen if wh is not None))


def plan_parts(lines: Sequence[ShipLine], preference: Sequence[str],
               stock: Mapping[str, Mapping[str, int]]) -> list[PlannedPart] | None:
    """The parts that ship ``lines`` from the warehouses in ``preference`` (most preferred first)."""
    if not lines or not preference:
        return None
    keys: dict[tuple[str, int], str] = {}
    stand_ins: list[tuple[OrderLine, int]] = []
    by_ref = {line.ref: line for line in lines}
    for line in lines:
        pack = _pack(line)
        key = keys.setdefault((line.sku_id, pack), f"K{len(keys)}")
        stand_ins.append((OrderLine(line.ref, "", "", key, "", "", line.qty, 0), line.qty))
    offered = {wh: {key: max(0, int(stock.get(wh, {}).get(sku, 0))) // pack for (sku, pack), key in keys.items()}
               for wh in preference}
    allocated = allocate(stand_ins, SplitPolicy(warehouses=tuple(preference)), offered)
    if any(wh is None for wh, _ in allocated):
        return None
    parts = []
    for wh, need in allocated:
        merged: dict[str, int] = defaultdict(int)
        for stand_in, qty in need:
            merged[stand_in.line_id] += qty
        part_lines = tuple(PartLine(ref, by_ref[ref].sku_id, qty, _base(by_ref[ref], qty)) for ref, qty in merged.items())
        parts.append(PlannedPart(str(wh), part_lines))
    if not _fits(parts, stock):
        return None
    return parts


def _pack(line: ShipLine) -> int:
    return max(1, line.qty_base // line.qty) if line.qty_base % line.qty == 0 else 1


def _base(line: ShipLine, qty: int) -> int:
    return line.qty_base if qty == line.qty else qty * _pack(line)


def _fits(parts: Sequence[PlannedPart], stock: Mapping[str, Mapping[str, int]]) -> bool:
    return all(qty <= stock.get(part.warehouse_id, {}).get(sku, 0) for part in parts for sku, qty in part.units().items())


def place_gifts(gifts: Mapping[str, int], parts: Sequence[PlannedPart], home: str,
                stock: Mapping[str, Mapping[str, int]]) -> int | None:
    """The index of the part that takes every gift (``gifts``: SKU id → units): the part from the home
    warehouse first, then the parts in order; one whose warehouse still has the gift stock after its own
    lines. ``None``: no part can (the gifts are left out; they are given only while stock lasts)."""
    if not gifts:
        return None
    order = sorted(range(len(parts)), key=lambda i: (parts[i].warehouse_id != home, i))
    for index in order:
        part = parts[index]
        taken = part.units()
        left = stock.get(part.warehouse_id, {})
        if all(qty <= left.get(sku, 0) - taken.get(sku, 0) for sku, qty in gifts.items()):
            return index
    return None


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (largest remainder, earlier first on ties); the
    shares add up to ``total``. Non-positive weights only: equal shares."""
    if not weights:
        return []
    weights = [max(0, w) for w in weights]
    if sum(weights) == 0:
        weights = [1] * len(weights)
    sign, total = (-1 if total < 0 else 1), abs(total)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return [sign * share for share in shares]


def part_amounts(goods_fen: int, freight_fen: int, discount_fen: int, paid_fen: int,
                 weights: Sequence[int]) -> list[PartAmounts]:
    """The order's amounts shared by the parts: goods, discounts and what was paid for goods in
    proportion to ``weights`` (each part's line value), the freight on part 1. Every column adds up to
    the order's."""
    goods = apportion(goods_fen, weights)
    discount = apportion(discount_fen, weights)
    paid_goods = apportion(paid_fen - freight_fen, weights)
    return [PartAmounts(goods[i], freight_fen if i == 0 else 0, discount[i], paid_goods[i] + (freight_fen if i == 0 else 0))
            for i in range(len(weights))]
