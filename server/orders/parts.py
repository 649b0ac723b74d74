"""拆单 by warehouse stock, at review: an order its own warehouse cannot cover, with a split rule in
force for it (``by_stock``), ships from the warehouses the rule allows.

    lock_stock(conn, orders, ruleset)                       lock every routable stock row first (sorted)
    route(conn, request, ruleset, *, hlc) -> Routing | None   plan and reserve (None: out of stock)
        one warehouse covers it → reroute: the order's warehouse changes, reserved there, ``reviewed``;
        several together → parts (子单): one child order per warehouse, each reserved in its warehouse;
        the parent goes to ``split`` and holds no reservations (the caller writes the parts, below)
    write_parts(conn, parent_id, parts) -> [OrderEvent]     the parts' rows, lines and gift lines
    follow_platform(conn, parent_id, status, values, refunds, *, hlc) -> FollowResult
        a newer platform update of a split parent moves each part (``pipeline.next_part_state``)
    settle(conn, parent_id) -> [OrderEvent]                 parent → shipped / cancelled once every part is over
    on_part_shipped(conn, order_id)                         the hook for fulfilment (a part shipped or cancelled)
    part_view(order, stored) -> CanonicalOrder              a part as the rules see it (its lines only)

Amounts: goods, discounts and what was paid for the goods are shared by the parts in proportion to
their lines' value (the line's paid amount, else price x quantity less its discount; largest
remainder, so every column adds up to the parent's); the freight goes with part 1 (the part covering
most). A line's discount and paid amount are shared by quantity the same way.
Gifts (new ones from the gift rules, or gift lines of an earlier review) go with the part from the home
warehouse when there is one and it still has the gift stock, else with the first part that has it; when
no part has it new gifts are left out (they are given only while stock lasts; ``gifts_left_out``), and
gift lines of an earlier review stay with the parent (split) or keep the order from moving (reroute).
Everything is written in the caller's transaction: any failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection

from server.store import order_events, order_parts, order_stock
from server.store import orders as order_store
from server.store.order_events import OrderEvent
from shared.core.errors import ConflictError
from shared.orders.ids import new_ids
from shared.orders.model import Amounts, CanonicalOrder, OrderStatus
from shared.orders.parts import PlannedPart, ShipLine, apportion, part_amounts, place_gifts, plan_parts, preference
from shared.orders.pipeline import MAP, State, in_fulfilment, next_part_state, parent_state, releases_stock
from shared.orders.rules import RuleSet

Gift = tuple[str, str, int, str]  # (sku id, SKU code, units, rule id): a new gift line
_END_CODES = {State.CANCELLED: "order.cancelled", State.CANCEL_REQUESTED: "order.cancel_requested",
              State.SHIPPED_ON_PLATFORM: "order.shipped_on_platform"}
_SETTLED_CODES = {State.CANCELLED: "order.parts_cancelled", State.SHIPPED_ON_PLATFORM: "order.shipped_on_platform"}


@dataclass(frozen=True, slots=True)
class RouteRequest:
    order_id: str
    order: CanonicalOrder
    home: str  # the order's own warehouse, which could not cover it
    lines: tuple[ShipLine, ...]  # the lines to ship (refs: stored line ids), gifts apart
    gift_lines: tuple[tuple[str, str, int], ...] = ()  # (line ref, sku id, units) gift lines already on the order
    gifts: tuple[Gift, ...] = ()  # new gift lines the gift rules give it


@dataclass(frozen=True, slots=True)
class Part:
    order_id: str
    part_no: int
    warehouse_id: str
    lines: tuple[tuple[str, int, int], ...]  # (parent line ref, qty, qty_base), gift lines of the order included
    gifts: tuple[Gift, ...] = ()  # new gift lines, added after the lines


@dataclass(frozen=True, slots=True)
class Routing:
    code: str  # order.rerouted / order.split
    details: dict[str, Any]
    warehouse_id: str | None = None  # reroute: the warehouse that ships the whole order
    gifts: tuple[Gift, ...] = ()  # reroute: the new gift lines it keeps
    parts: tuple[Part, ...] = ()  # split: the parts to write
    skus: frozenset[str] = frozenset()  # reserved, for the stock push


def route(conn: Connection, request: RouteRequest, ruleset: Any, *, hlc: int) -> Routing | None:
    """Reroute or split ``request`` by the split rule in force for it; ``None`` when no rule splits by
    stock or no set of allowed warehouses covers it (the order stays out of stock)."""
    if not isinstance(ruleset, RuleSet) or not request.lines:
        return None
    rule_id, policy = ruleset.split_policy(request.order)
    if rule_id is None or not policy.by_stock:
        return None
    known = order_parts.warehouse_refs(conn)
    codes = {ref.id: ref.code for ref in known}
    allowed = preference(policy, request.home, [(ref.id, ref.code, ref.kind) for ref in known])
    gift_units = _gift_units(request)
    skus = {line.sku_id for line in request.lines} | set(gift_units)
    found = order_stock.available(conn, [(sku, wh) for sku in skus for wh in allowed])
    stock = {wh: {sku: found.get((sku, wh), 0) for sku in skus} for wh in allowed}
    planned = plan_parts(request.lines, allowed, stock)
    if planned is None or (len(planned) == 1 and planned[0].warehouse_id == request.home):
        return None
    gifts_at = place_gifts(gift_units, planned, request.home, stock)
    if len(planned) == 1 and gifts_at is None and request.gift_lines:
        return None  # its gift lines (an earlier review's) would ship unreserved from the new warehouse
    if len(planned) == 1:
        return _reroute(conn, request, planned[0], gifts_at == 0, codes, rule_id, hlc)
    return _split(conn, request, planned, gifts_at, codes, rule_id, hlc)


def lock_stock(conn: Connection, orders: Sequence[tuple[CanonicalOrder, str, frozenset[str]]], ruleset: Any) -> None:
    """Before a review batch reserves: lock, in one sorted pass, the stock rows of every warehouse each
    order could be routed to ((order, home warehouse, SKU ids) each). Reserving locks the home rows
    first and routing the others later; two reviews with each other's warehouses as home would wait on
    each other (a deadlock on PostgreSQL) without this."""
    if not isinstance(ruleset, RuleSet) or not ruleset.split_policy_in_force():
        return
    known = [(ref.id, ref.code, ref.kind) for ref in order_parts.warehouse_refs(conn)]
    pairs: set[tuple[str, str]] = set()
    for order, home, sku_ids in orders:
        rule_id, policy = ruleset.split_policy(order)
        if rule_id is not None and policy.by_stock:
            pairs.update((sku, wh) for sku in sku_ids for wh in {home, *preference(policy, home, known)})
    if pairs:
        order_stock.available(conn, sorted(pairs))


def _gift_units(request: RouteRequest) -> dict[str, int]:
    units: dict[str, int] = {}
    for _ref, sku, qty in request.gift_lines:
        units[sku] = units.get(sku, 0) + qty
    for sku, _code, qty, _rule in request.gifts:
        units[sku] = units.get(sku, 0) + qty
    return units


def _reserve(conn: Connection, requests: list[order_stock.StockRequest], hlc: int) -> None:
    _reserved, short = order_stock.reserve_orders(conn, requests, hlc=hlc)
    if short:  # the plan was made from the stock read (and locked) in this transaction: someone wrote behind it
        raise ConflictError("order.stale")


def _reroute(conn: Connection, request: RouteRequest, part: PlannedPart, with_gifts: bool, codes: Mapping[str, str],
             rule_id: str, hlc: int) -> Routing:
    units = [(line.sku_id, line.qty_base) for line in part.lines]
    if with_gifts:
        units += [(sku, qty) for _ref, sku, qty in request.gift_lines] + [(g[0], g[2]) for g in request.gifts]
    _reserve(conn, [order_stock.StockRequest(request.order_id, part.warehouse_id, tuple(units))], hlc)
    left_out = 0 if with_gifts else len(request.gifts) + len(request.gift_lines)
    details = {"from_warehouse": codes.get(request.home, request.home), "to_warehouse": codes.get(part.warehouse_id, ""),
               "reservations": len(units), "rule_id": rule_id, **({"gifts_left_out": left_out} if left_out else {})}
    return Routing("order.rerouted", details, warehouse_id=part.warehouse_id, gifts=request.gifts if with_gifts else (),
                   skus=frozenset(sku for sku, _ in units))


def _split(conn: Connection, request: RouteRequest, planned: list[PlannedPart], gifts_at: int | None,
           codes: Mapping[str, str], rule_id: str, hlc: int) -> Routing:
    ids = new_ids(len(planned))
    parts, requests = [], []
    for index, (order_id, plan) in enumerate(zip(ids, planned, strict=True)):
        lines = tuple((line.ref, line.qty, line.qty_base) for line in plan.lines)
        units = [(line.sku_id, line.qty_base) for line in plan.lines]
        gifts: tuple[Gift, ...] = ()
        if index == gifts_at:
            lines += tuple((ref, 0, qty) for ref, _sku, qty in request.gift_lines)  # qty 0: the stored line's own
            units += [(sku, qty) for _ref, sku, qty in request.gift_lines] + [(g[0], g[2]) for g in request.gifts]
            gifts = request.gifts
        parts.append(Part(order_id, index + 1, plan.warehouse_id, lines, gifts))
        requests.append(order_stock.StockRequest(order_id, plan.warehouse_id, tuple(units)))
    _reserve(conn, requests, hlc)
    left_out = len(request.gifts) + len(request.gift_lines) if gifts_at is None else 0
    details = {"count": len(parts), "parts": ", ".join(f"{p.part_no} {codes.get(p.warehouse_id, '')}" for p in parts),
               "rule_id": rule_id, **({"gifts_left_out": left_out} if left_out else {})}
    return Routing("order.split", details, parts=tuple(parts),
                   skus=frozenset(sku for r in requests for sku, _ in r.lines))


# ---- writing the parts -----------------------------------------------------------------------------------


def write_parts(conn: Connection, parent_id: str, parts: Sequence[Part]) -> list[OrderEvent]:
    """The parts' rows (``reviewed``, reserved by ``route``), lines and new gift lines; returns their
    timeline rows (the caller appends them after the parent's)."""
    if not parts:
        return []
    parent = order_store.get_order(conn, parent_id)
    money = order_parts.money_of(conn, parent_id)
    lines = {line.id: line for line in parent.lines}
    weights = [sum(_line_value(money.lines[ref], qty) for ref, qty, _ in part.lines if qty) for part in parts]
    amounts = part_amounts(money.goods_fen, money.freight_fen, money.discount_fen, money.paid_fen, weights)
    shares = _line_shares(parts, money)
    rows = []
    for part, share in zip(parts, amounts, strict=True):
        part_lines = tuple(order_parts.NewPartLine(ref, qty or lines[ref].qty, qty_base, *shares[(part.part_no, ref)])
                           for ref, qty, qty_base in part.lines)
        rows.append(order_parts.NewPart(part.order_id, part.part_no, part.warehouse_id, share, part_lines))
    order_parts.insert_parts(conn, parent_id, rows, state=State.REVIEWED)
    codes = {ref.id: ref.code for ref in order_parts.warehouse_refs(conn)}
    events = []
    for part in parts:
        order_store.add_gift_lines(conn, part.order_id, part.gifts, first_line_no=len(part.lines) + 1)
        events.append(OrderEvent(part.order_id, None, State.REVIEWED, "order.part_created",
                                 details={"order": parent.platform_order_id, "part_no": part.part_no, "count": len(parts),
                                          "warehouse": codes.get(part.warehouse_id, part.warehouse_id),
                                          "parent_order_id": parent_id}))
    return events


def _line_value(line: order_parts.LineMoney, qty: int) -> int:
    value = line.paid_fen if line.paid_fen is not None else line.unit_price_fen * line.qty - line.discount_fen
    return max(0, value) * qty // max(1, line.qty)


def _line_shares(parts: Sequence[Part], money: order_parts.PartMoney) -> dict[tuple[int, str], tuple[int, int | None]]:
    """(part no, line ref) → the part's (discount, paid) of that line, shared by quantity."""
    by_line: dict[str, list[tuple[int, int]]] = {}
    for part in parts:
        for ref, qty, _ in part.lines:
            by_line.setdefault(ref, []).append((part.part_no, qty or money.lines[ref].qty))
    out: dict[tuple[int, str], tuple[int, int | None]] = {}
    for ref, taken in by_line.items():
        line = money.lines[ref]
        qtys = [qty for _, qty in taken]
        discounts = apportion(line.discount_fen, qtys)  # the parts take the whole line between them
        paid = apportion(line.paid_fen, qtys) if line.paid_fen is not None else [None] * len(qtys)
        for (part_no, _), discount, paid_fen in zip(taken, discounts, paid, strict=True):
            out[(part_no, ref)] = (discount, paid_fen)
    return out


# ---- after the split ---------------------------------------------------------------------------------------


@dataclass
class FollowResult:
    events: list[OrderEvent] = field(default_factory=list)
    released: set[str] = field(default_factory=set)  # SKU ids whose reservations were given back
    to_review: list[str] = field(default_factory=list)  # parts paid again without reservations: review them


def follow_platform(conn: Connection, parent_id: str, status: OrderStatus, values: Mapping[str, Any],
                    refunds: Mapping[str, str], *, hlc: int) -> FollowResult:
    """Apply the parent's newer platform data to each part and move it by ``next_part_state``
    (reservations released where an order's would be; a part in fulfilment is asked to cancel)."""
    result = FollowResult()
    heads = order_parts.parts_of(conn, parent_id)
    shipping = any(in_fulfilment(head.state) for head in heads)
    for head in heads:
        order_parts.update_platform(conn, head.id, values)
        order_store.set_line_refunds(conn, head.id, refunds)
        reserved = (head.state in (State.AWAITING_PAYMENT, State.PLATFORM_HOLD) and status is OrderStatus.PAID
                    and bool(order_stock.open_reservations(conn, head.id)))
        target = next_part_state(head.state, status, reserved=reserved, part_in_fulfilment=shipping)
        if target == MAP:  # its lines are mapped already
            target = State.PENDING_REVIEW
            result.to_review.append(head.id)
        code = _END_CODES.get(target, "order.updated") if target != head.state else "order.updated"
        if target != head.state:
            order_store.set_state(conn, head.id, target, expected_state=head.state)
        result.events.append(OrderEvent(head.id, head.state, target, code, details={"status": status.value}))
        if releases_stock(head.state, target):
            result.released.update(order_stock.release_order(conn, head.id, hlc=hlc))
    return result


def settle(conn: Connection, parent_id: str) -> list[OrderEvent]:
    """Move a split parent to ``parent_state`` of its parts once they are all over (no-op otherwise)."""
    parent = order_store.get_order(conn, parent_id)
    target = parent_state([head.state for head in order_parts.parts_of(conn, parent_id)])
    if target is None or target == parent.state or parent.state != State.SPLIT:
        return []
    order_store.set_state(conn, parent_id, target, expected_state=parent.state)
    return [OrderEvent(parent_id, parent.state, target, _SETTLED_CODES.get(target, "order.parts_shipped"))]


def on_part_shipped(conn: Connection, order_id: str) -> None:
    """For fulfilment, in the transaction that ships (or cancels) ``order_id``: when it is a part and its
    siblings are all over too, the parent becomes ``shipped`` (or ``cancelled``). No-op for other orders."""
    stored = order_store.get_order(conn, order_id)
    if stored.parent_order_id is not None:
        order_events.append(conn, settle(conn, stored.parent_order_id))


def part_view(order: CanonicalOrder, stored: order_store.StoredOrder) -> CanonicalOrder:
    """The parent's canonical order narrowed to a part: its lines with the part's quantities (in the
    part's line order, gift lines left out as for any order) and its paid amount (the rest of the money
    folded into the adjustment, so the amounts still reconcile). The parent's whole when nothing matches."""
    by_id = {line.line_id: line for line in order.lines}
    lines = tuple(replace(by_id[s.platform_line_id], qty=s.qty, discount_fen=0, paid_fen=None)
                  for s in sorted(stored.lines, key=lambda ln: ln.line_no) if not s.is_gift and s.platform_line_id in by_id)
    if not lines:
        return order
    goods = sum(line.goods_fen for line in lines)
    amounts = Amounts(goods, 0, 0, 0, stored.paid_fen, adjustment_fen=stored.paid_fen - goods)
    return replace(order, lines=lines, amounts=amounts)
