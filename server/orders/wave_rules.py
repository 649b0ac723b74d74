"""The order rules that shape a wave: priority decides which reviewed orders go first (the order
rules' ``priority`` kind, or the built-in default: older paid first, promised ship time first), the
``carrier`` rules choose each order's carrier by region, weight and cost, which groups the waves, and a
``split`` rule cuts an order into packages (presale lines apart, a maximum parcel weight).

    choose(conn, candidate_ids, *, limit, now) -> WaveChoice(order_ids, carrier_of, splits)

Weights are the SKUs' ``weight_g`` × units; SKUs without a weight count 0 g.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from server.orders.review import canonical_of, to_ship
from server.store import order_rules
from server.store import orders as order_store
from server.store.catalogue import skus_by_id
from shared.core.errors import DomainError
from shared.orders.model import CanonicalOrder
from shared.orders.rules import RuleSet
from shared.orders.rules.fields import sku_key


@dataclass(frozen=True, slots=True)
class WaveChoice:
    order_ids: list[str]  # soonest first, at most ``limit``
    carrier_of: dict[str, str]  # order id → carrier code ("" when no carrier rule takes it)
    splits: dict[str, list[list[tuple[str, int]]]]  # order id → its packages' (sku id, units), when a split rule cuts it


def choose(conn: Connection, candidate_ids: Sequence[str], *, limit: int, now: datetime) -> WaveChoice:
    ruleset = RuleSet.parse(order_rules.rows(conn))
    stored = [order_store.get_order(conn, oid) for oid in candidate_ids]
    canonical: dict[str, CanonicalOrder] = {}
    for s in stored:
        try:
            canonical[s.id] = canonical_of(conn, s)
        except DomainError:  # no usable raw payload (entered by hand): after the ranked ones, by paid time
            continue
    by_key = {order.key: oid for oid, order in canonical.items()}
    ranked = [by_key[order.key] for order in ruleset.queue(canonical.values(), now)]
    chosen = (ranked + [s.id for s in stored if s.id not in canonical])[:limit]
    units = {s.id: to_ship(s) for s in stored if s.id in set(chosen)}
    weights = {sku_id: sku.weight_g for sku_id, sku in skus_by_id(conn, {k for u in units.values() for k, _ in u}).items()}
    carrier_of: dict[str, str] = {}
    for oid in chosen:
        if oid not in canonical:
            carrier_of[oid] = ""
            continue
        choice = ruleset.carrier(canonical[oid], sum(weights.get(sku, 0) * qty for sku, qty in units[oid]))
        carrier_of[oid] = choice.carrier_code if choice is not None else ""
    splits = {}
    if ruleset.split_policy_in_force():
        for s in stored:
            if s.id in canonical and s.id in set(chosen):
                parts = _split(ruleset, canonical[s.id], s, weights)
                if len(parts) > 1:
                    splits[s.id] = parts
    return WaveChoice(chosen, carrier_of, splits)


def _split(ruleset: RuleSet, order: CanonicalOrder, stored: order_store.StoredOrder,
           weights: dict[str, int]) -> list[list[tuple[str, int]]]:
    """The order's packages by the split rule (presale lines apart, a maximum parcel weight), within the
    warehouse that holds its reservations; a plan that would need stock elsewhere keeps the order whole."""
    lines = sorted(stored.lines, key=lambda ln: ln.line_no)
    by_line = {c.line_id: ln for c, ln in zip(order.lines, lines, strict=False) if ln.sku_id}
    own = {sku_key(c.seller_sku_code): c.qty for c in order.lines}
    unit_g = {sku_key(c.seller_sku_code): weights.get(by_line[c.line_id].sku_id or "", 0) * by_line[c.line_id].qty_base
              // max(1, by_line[c.line_id].qty) for c in order.lines if c.line_id in by_line}
    try:
        planned = ruleset.split(order, {stored.warehouse_id: own}, unit_g)
    except DomainError:
        return []
    if any(p.short or p.warehouse_id not in (None, stored.warehouse_id) for p in planned):
        return []
    parts = []
    for package in planned:
        group = [(by_line[pl.line_id].sku_id or "", pl.qty * by_line[pl.line_id].qty_base // max(1, by_line[pl.line_id].qty))
                 for pl in package.lines if pl.line_id in by_line]
        if group:
            parts.append(group)
    return parts
