"""Split rules (拆单): how one order becomes parcels: by warehouse stock, presale apart, by weight.

Definition (every key optional; without a split rule these defaults apply)::

    {
      "by_stock": true,                   # false: everything from the default warehouse
      "default_warehouse": "WH-SH",       # preferred whenever it can ship
      "warehouses": ["WH-SH", "WH-GZ"],   # allowed, in preference order (default: all offered,
                                          #  the default first, then by id)
      "presale_apart": true,              # presale lines in their own parcel
      "max_package_weight_g": 20000,      # oversize: split parcels above this weight
      "scope": {"shops": ["shop-1"]}
    }

The plan (pure; stock and unit weights are passed in, keyed by seller SKU code):

1. Refunded lines are left out; presale lines (a line's presale kind, or every line of a presale
   order whose lines say nothing) go to a presale parcel from the default warehouse.
2. By stock: the fewest warehouses that together can ship everything (the most preferred such set;
   exhaustive for up to 12 stocked warehouses), each taking in turn what it can, the one covering
   most first; when no set covers everything, greedily the warehouse covering the most remaining
   units (ties: preference order). A line may be split across warehouses. What no warehouse covers
   is a ``short`` parcel without warehouse.
3. By weight: first-fit decreasing into parcels of at most ``max_package_weight_g``; a single unit
   heavier than that is a parcel of its own marked ``oversize``. Every SKU then needs a weight
   (``rule.missing_weight``), except in a short part, which is not weighed out; a plan of more than 1000 parcels is refused (``rule.too_many_packages``).

Quantities are conserved: per line, the parcels' quantities add up to the line's quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from shared.core.errors import ValidationError
from shared.orders.model import CanonicalOrder, OrderLine, RefundState
from shared.orders.rules.fields import Reader, sku_key
from shared.orders.rules.gift import normalised_stock
from shared.orders.rules.scope import Scope, with_scope

MAX_PACKAGE_WEIGHT_G = 10**7
MAX_PACKAGES = 1000  # more parcels for one order is a unit mix-up (grams vs kilograms), not a plan
EXACT_WAREHOUSES = 12  # up to this many stocked warehouses the fewest-parcel search is exhaustive

Need = list[tuple[OrderLine, int]]  # (line, units still to place)


@dataclass(frozen=True, slots=True)
class PackageLine:
    line_id: str
    sku_code: str  # normalised seller SKU code
    qty: int


@dataclass(frozen=True, slots=True)
class PlannedPackage:
    warehouse_id: str | None  # None: no warehouse chosen (short, or no default for presale)
    lines: tuple[PackageLine, ...]
    weight_g: int  # from the weights given; SKUs without a weight count 0 when no limit is set
    presale: bool = False
    short: bool = False  # no offered warehouse has the stock
    oversize: bool = False  # one unit alone is over the maximum parcel weight
    rule_id: str | None = None


@dataclass(frozen=True, slots=True)
class SplitPolicy:
    by_stock: bool = True
    default_warehouse: str | None = None
    warehouses: tuple[str, ...] = ()
    presale_apart: bool = True
    max_package_weight_g: int | None = None
    scope: Scope = Scope()

    @classmethod
    def parse(cls, reader: Reader) -> SplitPolicy:
        default = reader.text("default_warehouse") if reader.has("default_warehouse") else reader.raw("default_warehouse")
        policy = cls(by_stock=reader.boolean("by_stock", default=True), default_warehouse=default,
                     warehouses=reader.texts("warehouses"), presale_apart=reader.boolean("presale_apart", default=True),
                     max_package_weight_g=reader.optional_integer("max_package_weight_g", minimum=1, maximum=MAX_PACKAGE_WEIGHT_G),
                     scope=Scope.parse(reader))
        if default is not None and policy.warehouses and default not in policy.warehouses:
            reader.fail("default_warehouse", "must be one of warehouses")
        reader.finish()
        return policy

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"by_stock": self.by_stock, "presale_apart": self.presale_apart}
        if self.default_warehouse is not None:
            data["default_warehouse"] = self.default_warehouse
        if self.warehouses:
            data["warehouses"] = list(self.warehouses)
        if self.max_package_weight_g is not None:
            data["max_package_weight_g"] = self.max_package_weight_g
        return with_scope(data, self.scope)

    def preference(self, offered: Mapping[str, object]) -> list[str]:
        """Warehouses to use, most preferred first."""
        if self.warehouses:
            return list(self.warehouses)
        rest = sorted(wh for wh in offered if wh != self.default_warehouse)
        return ([self.default_warehouse] if self.default_warehouse else []) + rest


def plan(order: CanonicalOrder, policy: SplitPolicy, stock_by_warehouse: Mapping[str, Mapping[str, int]],
         weights_g: Mapping[str, int], rule_id: str | None) -> list[PlannedPackage]:
    lines = [line for line in order.lines if line.refund is not RefundState.REFUNDED]
    presale = [line for line in lines if policy.presale_apart and _is_presale(order, line)]
    presale_ids = {id(line) for line in presale}
    regular = [line for line in lines if id(line) not in presale_ids]
    groups: list[tuple[str | None, Need, bool, bool]] = []  # (warehouse, need, presale, short)
    if presale:
        groups.append((policy.default_warehouse, [(line, line.qty) for line in presale], True, False))
    if regular:
        need: Need = [(line, line.qty) for line in regular]
        if policy.by_stock:
            groups.extend((wh, part, False, wh is None) for wh, part in allocate(need, policy, stock_by_warehouse))
        else:
            groups.append((policy.default_warehouse, need, False, False))
    weights = normalised_stock(weights_g, what="weight")
    packages: list[PlannedPackage] = []
    for warehouse, need, is_presale, short in groups:
        limit = None if short else policy.max_package_weight_g  # a short part ships from nowhere yet
        for content, oversize in by_weight(need, weights, limit):
            packages.append(PlannedPackage(warehouse, content, _weight(content, weights), is_presale, short, oversize, rule_id))
    return packages


def allocate(need: Need, policy: SplitPolicy, stock_by_warehouse: Mapping[str, Mapping[str, int]]) -> list[tuple[str | None, Need]]:
    """Fewest warehouses that cover everything (exact for up to ``EXACT_WAREHOUSES`` warehouses;
    among equally few, the most preferred), else greedily the warehouse covering most; what no
    warehouse covers is a ``None`` (short) part."""
    stock = {wh: normalised_stock(stock_by_warehouse.get(wh, {})) for wh in policy.preference(stock_by_warehouse)}
    chosen = _smallest_cover(need, stock) or list(stock)
    candidates = [wh for wh in stock if wh in chosen]
    parts: list[tuple[str | None, Need]] = []
    while need and candidates:
        best = max(candidates, key=lambda wh: (_coverable(need, stock[wh]), -candidates.index(wh)))
        if _coverable(need, stock[best]) == 0:
            break
        taken, need = _take(need, stock[best])
        parts.append((best, taken))
        candidates.remove(best)
    if need:
        parts.append((None, need))
    return parts


def _smallest_cover(need: Need, stock: dict[str, dict[str, int]]) -> list[str] | None:
    """The first (in preference order) smallest set of warehouses whose stock covers ``need``."""
    warehouses = [wh for wh in stock if _coverable(need, stock[wh]) > 0]
    if len(warehouses) > EXACT_WAREHOUSES:
        return None
    wanted = _wanted(need)
    for size in range(1, len(warehouses) + 1):
        for combo in combinations(warehouses, size):
            if all(sum(stock[wh].get(key, 0) for wh in combo) >= qty for key, qty in wanted.items()):
                return list(combo)
    return None


def _wanted(need: Need) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for line, qty in need:
        key = sku_key(line.seller_sku_code)
        wanted[key] = wanted.get(key, 0) + qty
    return wanted


def _coverable(need: Need, stock: dict[str, int]) -> int:
    return sum(min(qty, stock.get(key, 0)) for key, qty in _wanted(need).items())


def _take(need: Need, stock: dict[str, int]) -> tuple[Need, Need]:
    """Take from ``stock`` (mutated) what it can give of ``need``: (taken, still needed)."""
    taken: Need = []
    left: Need = []
    for line, qty in need:
        key = sku_key(line.seller_sku_code)
        got = min(qty, stock.get(key, 0))
        if got:
            stock[key] -= got
            taken.append((line, got))
        if qty - got:
            left.append((line, qty - got))
    return taken, left


def by_weight(need: Need, weights: dict[str, int], max_g: int | None) -> list[tuple[tuple[PackageLine, ...], bool]]:
    """First-fit decreasing into parcels of at most ``max_g``; ``(content, oversize)`` each."""
    if max_g is None:
        return [(_content(need), False)]
    unit = {id(line): _unit_weight(line, weights) for line, _ in need}
    oversize = [(line, qty) for line, qty in need if unit[id(line)] > max_g]
    bins: list[tuple[int, Need]] = []  # (used grams, content)
    for line, qty in sorted((n for n in need if unit[id(n[0])] <= max_g), key=lambda n: -unit[id(n[0])]):
        qty = _fill_open_bins(bins, line, qty, unit[id(line)], max_g)
        while qty:
            fit = qty if unit[id(line)] == 0 else min(qty, max_g // unit[id(line)])
            bins.append((fit * unit[id(line)], [(line, fit)]))
            qty -= fit
            _check_count(len(bins))
    _check_count(len(bins) + sum(qty for _, qty in oversize))
    out = [(_content(content), False) for _, content in bins]
    out += [(_content([(line, 1)]), True) for line, qty in oversize for _ in range(qty)]
    return out


def _check_count(count: int) -> None:
    if count > MAX_PACKAGES:
        raise ValidationError("rule.too_many_packages", count=count, limit=MAX_PACKAGES)


def _fill_open_bins(bins: list[tuple[int, Need]], line: OrderLine, qty: int, unit_g: int, max_g: int) -> int:
    for index, (used, content) in enumerate(bins):
        if not qty:
            break
        fit = qty if unit_g == 0 else min(qty, (max_g - used) // unit_g)
        if fit:
            bins[index] = (used + fit * unit_g, content + [(line, fit)])
            qty -= fit
    return qty


def _content(need: Need) -> tuple[PackageLine, ...]:
    merged: dict[str, PackageLine] = {}
    for line, qty in need:
        before = merged.get(line.line_id)
        merged[line.line_id] = PackageLine(line.line_id, sku_key(line.seller_sku_code), qty + (before.qty if before else 0))
    return tuple(merged.values())


def _unit_weight(line: OrderLine, weights: dict[str, int]) -> int:
    key = sku_key(line.seller_sku_code)
    if key not in weights:
        raise ValidationError("rule.missing_weight", sku=key or line.line_id)
    return weights[key]


def _weight(content: tuple[PackageLine, ...], weights: dict[str, int]) -> int:
    return sum(weights.get(line.sku_code, 0) * line.qty for line in content)


def _is_presale(order: CanonicalOrder, line: OrderLine) -> bool:
    if line.presale_kind is not None:
        return True
    whole_order = order.flags.presale or order.presale is not None
    return whole_order and all(other.presale_kind is None for other in order.lines)
