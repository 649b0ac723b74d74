"""The order rules that shape a wave: priority decides which reviewed orders go first (the order
rules' ``priority`` kind, or the built-in default: older paid first, promised ship time first), the
``carrier`` rules choose each order's carrier by region, weight and cost, which groups the waves, a
``split`` rule cuts an order into packages (presale lines apart, a maximum parcel weight), and the
``merge`` rule (on by default) puts one buyer's reviewed orders to one address into one package.

    choose(conn, candidate_ids, *, limit, now) -> WaveChoice(order_ids, carrier_of, splits, merges)

Weights are the SKUs' ``weight_g`` × units; SKUs without a weight count 0 g. A merge group is never
cut by ``limit``: when its first order is chosen, the others come with it (after it, whatever their
rank), and the group's carrier is chosen once, for the first order with the group's whole weight.
An order the split rule cuts is never merged, nor a part of an order split across warehouses (it
ships as its own partial shipment). Orders merge on the platform's address key (Taobao
``oaid``, Douyin ``open_address_id``); where the platform gives none, on the receiver fields when
they are not masked (a masked name and phone can be two people), else not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from server.orders.review import canonical_of, to_ship
from server.store import order_rules
from server.store import orders as order_store
from server.store.catalogue import skus_by_id
from shared.core.errors import DomainError
from shared.orders.model import CanonicalOrder
from shared.orders.rules import MergeCandidate, RuleSet
from shared.orders.rules.merge import receiver_key
from shared.orders.rules.fields import sku_key


@dataclass(frozen=True, slots=True)
class WaveChoice:
    order_ids: list[str]  # soonest first, ``limit`` of them (and the rest of a merge group taken at the end)
    carrier_of: dict[str, str]  # order id → carrier code ("" when no carrier rule takes it)
    splits: dict[str, list[list[tuple[str, int]]]]  # order id → its packages' (sku id, units), when a split rule cuts it
    merges: list[list[str]] = field(default_factory=list)  # groups of order ids sharing one package, first one leading


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
    ranked = [by_key[order.key] for order in ruleset.queue(canonical.values(), now)] + [s.id for s in stored if s.id not in canonical]
    units = {s.id: to_ship(s) for s in stored}
    weights = {sku_id: sku.weight_g for sku_id, sku in skus_by_id(conn, {k for u in units.values() for k, _ in u}).items()}
    by_id = {s.id: s for s in stored}
    cut: dict[str, list[list[tuple[str, int]]]] = {}  # the split rule's packages, worked out when needed

    def split_of(oid: str) -> list[list[tuple[str, int]]]:
        if oid not in cut:
            in_force = ruleset.split_policy_in_force() and oid in canonical
            cut[oid] = _split(ruleset, canonical[oid], by_id[oid], weights) if in_force else []
        return cut[oid]

    groups = ruleset.merge_groups([_merge_candidate(canonical[oid], oid) for oid in ranked
                                   if oid in canonical and by_id[oid].parent_order_id is None])  # a part is never merged
    groups = [kept for kept in ([oid for oid in g if len(split_of(oid)) < 2] for g in groups) if len(kept) > 1]
    chosen, merges = _take(ranked, groups, limit)
    merged = {oid for group in merges for oid in group}
    splits = {oid: split_of(oid) for oid in chosen if oid not in merged and len(split_of(oid)) > 1}
    together = {group[0]: group for group in merges}
    carrier_of: dict[str, str] = {}
    for oid in chosen:
        if oid in carrier_of:
            continue  # a merged order: its group's first order chose
        members = together.get(oid, [oid])
        choice = None
        if oid in canonical:
            grams = sum(weights.get(sku, 0) * qty for member in members for sku, qty in units[member])
            choice = ruleset.carrier(canonical[oid], grams)
        carrier_of.update(dict.fromkeys(members, choice.carrier_code if choice is not None else ""))
    return WaveChoice(chosen, carrier_of, splits, merges)


def _take(ranked: list[str], groups: list[list[str]], limit: int) -> tuple[list[str], list[list[str]]]:
    """The first ``limit`` orders by rank, each merge group whole and led by its best-ranked order."""
    group_of = {oid: group for group in groups for oid in group}
    chosen: list[str] = []
    merges: list[list[str]] = []
    for oid in ranked:
        if len(chosen) >= limit:
            break
        if oid in group_of and oid not in chosen:
            members = [oid] + [m for m in group_of[oid] if m != oid]
            chosen.extend(members)
            merges.append(members)
        elif oid not in group_of:
            chosen.append(oid)
    return chosen, merges


def _merge_candidate(order: CanonicalOrder, order_id: str) -> MergeCandidate:
    return MergeCandidate(order_id, order.shop_id, order.buyer_open_id, receiver_key(order.receiver), shipped=False,
                          status=order.status.value, seller_remark=order.seller_remark, platform=order.platform)


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
