"""Review: run the review rules, then reserve every line's stock in the order's warehouse (all lines or
none, one transaction) → ``reviewed``; rule holds or missing stock → ``exception`` with reasons. When
the order's warehouse is short and a split rule by stock is in force for it, ``server.orders.parts``
reroutes it to one other warehouse (``reviewed``, ``order.rerouted``) or splits it into parts, one
child order per warehouse (the parent → ``split``, ``order.split``); only when no allowed set of
warehouses covers it is it out of stock. A part is never split again.

    decide(conn, candidates, plan, hlc)     the batch core (the ingest calls it per page)
    review(conn, order_id, plan, hlc)       one stored order in pending_review
    hold / unhold / resolve / cancel        the manual actions (each appends to the timeline); on a split
                                            parent only cancel, which cancels its parts; the parts
                                            themselves take every action

Rules are data (``order_rules``) read by ``shared.orders.rules.RuleSet``; ``load_plan`` loads the
enabled ones by position. Anything with ``review(order, facts)`` returning an outcome with ``passed``
and ``holds`` (``code``, ``details``, ``rule_id``) will do.

Errors: ``order.not_found`` (404), ``order.bad_transition`` (409: the action is not allowed in the
order's state, or another writer moved it first), ``order.note_required`` (422).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, select

from server.orders import parts
from server.orders.adapters import adapter_for
from server.orders.mapping import load_mapper, unmapped_reason
from server.store import ledger, order_events, order_parts, order_rules, order_stock, stock_push_queue
from server.store import orders as order_store
from server.store.order_events import OrderEvent
from server.store.schema import skus
from shared.core.errors import RuleViolation, ValidationError
from shared.orders.model import CanonicalOrder, OrderStatus
from shared.orders.rules import ReviewFacts, RuleSet
from shared.orders.rules.gift import GiftRule
from shared.orders.rules.rule import RuleKind
from shared.orders.parts import ShipLine
from shared.orders.pipeline import BEFORE_FULFILMENT, ENDED, FULFILLED, MAP, State, in_fulfilment, next_state


class Reviewer(Protocol):
    def review(self, order: CanonicalOrder, facts: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    ruleset: Reviewer
    facts: Any = ReviewFacts()


@dataclass(frozen=True, slots=True)
class Candidate:
    order_id: str
    order: CanonicalOrder
    warehouse_id: str
    lines: tuple[tuple[str, int], ...]  # (sku_id, base units) of every line still to ship
    outcome: Any = None  # the rules' outcome when already computed (ingest.prepare), else run here
    has_gifts: bool = False  # gifts were added at an earlier review (they are among ``lines``)
    split_lines: tuple[ShipLine, ...] = ()  # the non-gift ``lines`` by stored line id: may be split (a part: empty)
    gift_lines: tuple[tuple[str, str, int], ...] = ()  # (stored line id, sku id, units) of its gift lines


@dataclass(frozen=True, slots=True)
class Decision:
    order_id: str
    state: str
    reasons: list[dict[str, Any]]
    code: str
    details: dict[str, Any] = field(default_factory=dict)
    gifts: tuple[tuple[str, str, int, str], ...] = ()  # (sku id, SKU code, units, rule id) reserved with the order
    warehouse_id: str | None = None  # rerouted: the warehouse that ships it now (reserved there)
    parts: tuple[parts.Part, ...] = ()  # split: the parts to write (``parts.write_parts``) once the parent is stored


def load_plan(conn: Connection, facts: Any = None) -> ReviewPlan:
    """The enabled rules of ``order_rules`` by position, parsed (``rule.invalid`` for a bad row)."""
    return ReviewPlan(RuleSet.parse(order_rules.rows(conn)), facts if facts is not None else ReviewFacts())


def decide(conn: Connection, candidates: Sequence[Candidate], plan: ReviewPlan, *, hlc: int) -> list[Decision]:
    """Rules first; the orders that pass reserve their stock together. Reservations are written here;
    the caller stores the decisions' states and timeline entries in the same transaction."""
    decisions: dict[str, Decision] = {}
    passed = []
    for candidate in candidates:
        outcome = candidate.outcome if candidate.outcome is not None else plan.ruleset.review(candidate.order, plan.facts)
        if outcome.passed:
            passed.append(candidate)
            continue
        reasons = [{"code": hold.code, "details": {**hold.details, "rule_id": hold.rule_id}} for hold in outcome.holds]
        codes = ",".join(hold.code for hold in outcome.holds)
        decisions[candidate.order_id] = Decision(candidate.order_id, State.EXCEPTION, reasons, "order.held_by_rule",
                                                 {"codes": codes})
    gifts = _gifts(conn, passed, plan)
    parts.lock_stock(conn, [(c.order, c.warehouse_id, frozenset(sku for sku, _ in c.lines) | {g[0] for g in gifts.get(c.order_id, ())})
                            for c in passed if c.split_lines], plan.ruleset)
    requests = [order_stock.StockRequest(c.order_id, c.warehouse_id, c.lines + tuple((g[0], g[2]) for g in gifts.get(c.order_id, ())))
                for c in passed]
    reserved, short = order_stock.reserve_orders(conn, requests, hlc=hlc)
    codes = _sku_codes(conn, {s.sku_id for shortages in short.values() for s in shortages})
    routed: set[str] = set()
    for candidate in passed:
        routing = _route(conn, candidate, plan, gifts.get(candidate.order_id, ()), hlc) if candidate.order_id in short else None
        if routing is not None:
            decisions[candidate.order_id] = _routed(candidate.order_id, routing)
            routed |= routing.skus
        elif candidate.order_id in short:
            text = ", ".join(f"{codes.get(s.sku_id, s.sku_id)} ({s.available}/{s.needed})" for s in short[candidate.order_id])
            details = {"skus": text[:500]}
            decisions[candidate.order_id] = Decision(candidate.order_id, State.EXCEPTION,
                                                     [{"code": "order.out_of_stock", "details": details}],
                                                     "order.out_of_stock", details)
        else:
            decisions[candidate.order_id] = Decision(candidate.order_id, State.REVIEWED, [], "order.reviewed",
                                                     {"reservations": len(reserved[candidate.order_id])},
                                                     tuple(gifts.get(candidate.order_id, ())))
    stock_push_queue.enqueue_skus(conn, {sku for c in passed if c.order_id in reserved for sku, _ in c.lines} | routed)
    return [decisions[c.order_id] for c in candidates]


def _route(conn: Connection, candidate: Candidate, plan: ReviewPlan, gifts: Sequence[tuple[str, str, int, str]],
           hlc: int) -> parts.Routing | None:
    if not candidate.split_lines:
        return None
    request = parts.RouteRequest(candidate.order_id, candidate.order, candidate.warehouse_id, candidate.split_lines,
                                 candidate.gift_lines, tuple(gifts))
    return parts.route(conn, request, plan.ruleset, hlc=hlc)


def _routed(order_id: str, routing: parts.Routing) -> Decision:
    if routing.parts:
        return Decision(order_id, State.SPLIT, [], routing.code, routing.details, parts=routing.parts)
    return Decision(order_id, State.REVIEWED, [], routing.code, routing.details, routing.gifts, warehouse_id=routing.warehouse_id)


def _gifts(conn: Connection, passed: Sequence[Candidate], plan: ReviewPlan) -> dict[str, list[tuple[str, str, int, str]]]:
    """The gift rules' lines for each order that passed, taken in turn from each warehouse's available
    gift stock (so gifts stop when the stock runs out); none for an order that already has its gifts."""
    ruleset = plan.ruleset
    if not isinstance(ruleset, RuleSet) or not passed:
        return {}
    codes = {rule.gift_sku for _, rule in ruleset.of_kind(RuleKind.GIFT, GiftRule)}
    if not codes:
        return {}
    ids = {str(code): str(sku_id) for code, sku_id in conn.execute(select(skus.c.code, skus.c.id).where(skus.c.code.in_(codes)))}
    remaining: dict[str, dict[str, int]] = {}  # warehouse → gift SKU code → units left to give
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    for c in passed:
        if c.has_gifts:
            continue
        if c.warehouse_id not in remaining:
            remaining[c.warehouse_id] = {code: max(0, ledger.warehouse_level(conn, sku_id, c.warehouse_id).available)
                                         for code, sku_id in ids.items()}
        stock = remaining[c.warehouse_id]
        for line in ruleset.gifts(c.order, stock):
            if line.sku_code in ids and line.qty > 0:
                stock[line.sku_code] -= line.qty
                out.setdefault(c.order_id, []).append((ids[line.sku_code], line.sku_code, line.qty, line.rule_id))
    return out


def _sku_codes(conn: Connection, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {r.id: r.code for r in conn.execute(select(skus.c.id, skus.c.code).where(skus.c.id.in_(sorted(ids))))}


def canonical_of(conn: Connection, stored: order_store.StoredOrder) -> CanonicalOrder:
    """The canonical order again, from the raw payload kept at ingest (a part: its parent's current one,
    narrowed to the part's lines by ``parts.part_view``)."""
    raw = order_store.raw_payload(conn, stored.parent_order_id or stored.id)
    order = adapter_for(stored.platform).to_canonical(raw, shop_id=stored.shop_id)
    return parts.part_view(order, stored) if stored.is_part else order


def to_ship(stored: order_store.StoredOrder) -> tuple[tuple[str, int], ...]:
    return tuple((line.sku_id, line.qty_base) for line in stored.lines if line.sku_id and line.refund != "refunded")


def candidate_of(conn: Connection, stored: order_store.StoredOrder) -> Candidate:
    shipped = [line for line in stored.lines if line.sku_id and line.refund != "refunded"]
    split_lines = () if stored.is_part else tuple(ShipLine(line.id, line.sku_id or "", line.qty, line.qty_base)
                                                  for line in shipped if not line.is_gift)
    gift_lines = tuple((line.id, line.sku_id or "", line.qty_base) for line in shipped if line.is_gift)
    return Candidate(stored.id, canonical_of(conn, stored), stored.warehouse_id, to_ship(stored),
                     has_gifts=bool(gift_lines), split_lines=split_lines, gift_lines=gift_lines)


def review(conn: Connection, order_id: str, plan: ReviewPlan, *, hlc: int, note: str = "") -> str:
    """Review one order in ``pending_review``; returns its new state."""
    stored = order_store.get_order(conn, order_id)
    if stored.state != State.PENDING_REVIEW:
        raise RuleViolation("order.bad_transition", state=stored.state, action="review")
    decision = decide(conn, [candidate_of(conn, stored)], plan, hlc=hlc)[0]
    order_store.set_state(conn, stored.id, decision.state, reasons=decision.reasons, expected_state=State.PENDING_REVIEW)
    if decision.warehouse_id is not None:
        order_store.set_warehouse(conn, stored.id, decision.warehouse_id)
    order_store.add_gift_lines(conn, stored.id, decision.gifts, first_line_no=max((ln.line_no for ln in stored.lines), default=0) + 1)
    order_events.append(conn, [OrderEvent(stored.id, State.PENDING_REVIEW, decision.state, decision.code, note,
                                          decision.details)])
    order_events.append(conn, parts.write_parts(conn, stored.id, decision.parts))
    return decision.state


def hold(conn: Connection, order_id: str, *, note: str = "") -> None:
    stored = order_store.get_order(conn, order_id)
    if stored.state not in BEFORE_FULFILMENT or stored.state == State.ON_HOLD:
        raise RuleViolation("order.bad_transition", state=stored.state, action="hold")
    order_store.set_state(conn, order_id, State.ON_HOLD, held_from=stored.state, expected_state=stored.state)
    order_events.append(conn, [OrderEvent(order_id, stored.state, State.ON_HOLD, "order.held", note)])


def unhold(conn: Connection, order_id: str, *, hlc: int, note: str = "", plan: ReviewPlan | None = None) -> str:
    """Back to the state the hold came from (re-evaluated against the platform status it has now)."""
    stored = order_store.get_order(conn, order_id)
    if stored.state != State.ON_HOLD:
        raise RuleViolation("order.bad_transition", state=stored.state, action="unhold")
    back = stored.held_from or State.PENDING_REVIEW
    reserved = bool(order_stock.open_reservations(conn, order_id))
    target = next_state(back, OrderStatus(stored.platform_status), reserved=reserved)
    if target == MAP:
        target = State.PENDING_REVIEW
    order_store.set_state(conn, order_id, target, expected_state=State.ON_HOLD)
    order_events.append(conn, [OrderEvent(order_id, State.ON_HOLD, target, "order.unheld", note)])
    if target in ENDED:
        _release(conn, order_id, hlc)
        parts.on_part_shipped(conn, order_id)
    if target == State.PENDING_REVIEW and plan is not None:
        return review(conn, order_id, plan, hlc=hlc)
    return target


def resolve(conn: Connection, order_id: str, plan: ReviewPlan, *, hlc: int, note: str) -> str:
    """A person fixed the cause (a mapping, stock, the rule's concern): map the lines again, then review."""
    if not note.strip():
        raise ValidationError("order.note_required")
    stored = order_store.get_order(conn, order_id)
    if stored.state != State.EXCEPTION:
        raise RuleViolation("order.bad_transition", state=stored.state, action="resolve")
    mapper = load_mapper(conn, stored.platform, stored.shop_id, stored.lines)
    mapped = [(line.sku_id, 1) if line.sku_id else mapper.map(line) for line in stored.lines]
    order_store.set_line_skus(conn, {line.id: (sku, line.qty * pack) for line, (sku, pack) in zip(stored.lines, mapped)
                                     if sku and not line.sku_id})
    reason = unmapped_reason(stored.lines, mapped)
    if reason is not None:
        order_store.set_state(conn, order_id, State.EXCEPTION, reasons=[reason], expected_state=State.EXCEPTION)
        order_events.append(conn, [OrderEvent(order_id, State.EXCEPTION, State.EXCEPTION, reason["code"], note,
                                              reason["details"])])
        return State.EXCEPTION
    order_store.set_state(conn, order_id, State.PENDING_REVIEW, reasons=[], expected_state=State.EXCEPTION)
    order_events.append(conn, [OrderEvent(order_id, State.EXCEPTION, State.PENDING_REVIEW, "order.resolved", note,
                                          {"note": note[:200]})])
    return review(conn, order_id, plan, hlc=hlc)


def cancel(conn: Connection, order_id: str, *, hlc: int, note: str = "") -> str:
    """Cancel by hand: before fulfilment → ``cancelled`` (reservations released); in fulfilment →
    ``cancel_requested`` (fulfilment returns the goods). A split parent: each part not yet shipped or
    over is cancelled so (the parent becomes ``cancelled`` once every part is); a part: that part only."""
    stored = order_store.get_order(conn, order_id)
    if stored.state == State.SPLIT or (not stored.is_part and order_parts.parts_of(conn, stored.id)):
        return _cancel_parts(conn, stored, hlc=hlc, note=note)
    target = _cancel_one(conn, stored, hlc=hlc, note=note)
    parts.on_part_shipped(conn, order_id)
    return target


def _cancel_parts(conn: Connection, parent: order_store.StoredOrder, *, hlc: int, note: str) -> str:
    heads = [h for h in order_parts.parts_of(conn, parent.id)
             if h.state not in ENDED and h.state not in (State.CANCEL_REQUESTED, FULFILLED)]
    if not heads:
        raise RuleViolation("order.bad_transition", state=parent.state, action="cancel")
    for head in heads:
        _cancel_one(conn, order_store.get_order(conn, head.id), hlc=hlc, note=note)
    settled = parts.settle(conn, parent.id)
    event = OrderEvent(parent.id, parent.state, settled[0].to_state, settled[0].code, note) if settled else \
        OrderEvent(parent.id, parent.state, parent.state, "order.cancel_requested", note)
    order_events.append(conn, [event])
    return event.to_state


def _cancel_one(conn: Connection, stored: order_store.StoredOrder, *, hlc: int, note: str) -> str:
    order_id = stored.id
    if stored.state in ENDED or stored.state == State.CANCEL_REQUESTED:
        raise RuleViolation("order.bad_transition", state=stored.state, action="cancel")
    target = State.CANCEL_REQUESTED if in_fulfilment(stored.state) else State.CANCELLED
    order_store.set_state(conn, order_id, target, expected_state=stored.state)
    code = "order.cancel_requested" if target == State.CANCEL_REQUESTED else "order.cancelled"
    order_events.append(conn, [OrderEvent(order_id, stored.state, target, code, note)])
    if target == State.CANCELLED:
        _release(conn, order_id, hlc)
    return target


def _release(conn: Connection, order_id: str, hlc: int) -> None:
    released = order_stock.release_order(conn, order_id, hlc=hlc)
    stock_push_queue.enqueue_skus(conn, released)
