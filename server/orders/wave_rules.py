"""The order rules that shape a wave: priority decides which reviewed orders go first (the order
rules' ``priority`` kind, or the built-in default: older paid first, promised ship time first), and the
``carrier`` rules choose each order's carrier by region, weight and cost, which groups the waves.

    choose(conn, candidate_ids, *, limit, now) -> WaveChoice(order_ids, carrier_of)

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


@dataclass(frozen=True, slots=True)
class WaveChoice:
    order_ids: list[str]  # soonest first, at most ``limit``
    carrier_of: dict[str, str]  # order id → carrier code ("" when no carrier rule takes it)


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
    return WaveChoice(chosen, carrier_of)
