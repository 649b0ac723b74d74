"""Ingest: canonical orders of one shop → stored orders, many per transaction.

    ingest_batch(conn, shop, orders, hlc=…, source=…, plan=None) -> IngestResult

1. **dedup**: inside the batch one order per platform order id (the newest ``modified_at``); against the
   store by (shop, platform order id). A stored order changes only when the incoming modification is
   newer (``pipeline.is_newer``): a repeat or an older version arriving late changes nothing.
2. **new orders**: lines mapped to SKUs (``mapping``); the first state from the platform status; a paid
   order goes to ``pending_review``, or ``exception`` (``order.unmapped_line``) when a line has no SKU.
   With a review ``plan`` the pending ones are reviewed in the same transaction (``review.decide``).
   Orders, lines and timeline rows are inserted with ``executemany``; the raw payload is kept.
3. **updates**: the new platform data and ``pipeline.next_state``; reservations are released when the
   order ends (cancelled / refunded / shipped on the platform) and the shop's SKUs are queued for a
   stock push; an order in fulfilment becomes ``cancel_requested`` instead. Look-ups find the order as
   the platform sent it (part 0), never its parts. A split parent (拆单) takes the new data and each of
   its parts follows (``parts.follow_platform``: ``pipeline.next_part_state``, reservations released as
   above, a part in fulfilment asked to cancel); the parent settles once every part is over.
Every state change (and every applied platform update) appends a timeline row (``order_events``).
Orders whose ``shop_id`` is not the shop's are skipped (an adapter called with the wrong shop).

The pure parts (conversion by the adapter, rules) can run before the write transaction is opened; the
pull converts a page before it opens its transaction, so several shops' pulls overlap their CPU work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from server.orders import parts
from server.orders import review as reviewing
from server.orders.mapping import load_mapper, unmapped_reason
from server.store import audit, bulk, order_events, order_parts, order_stock, stock_push_queue
from server.store import orders as order_store
from server.store.shops import Shop
from shared.core.time import utc_now
from shared.orders.ids import new_ids
from shared.orders.model import CanonicalOrder, OrderStatus, RefundState
from shared.orders.parts import ShipLine
from shared.orders.pipeline import FULFILLED, MAP, State, first_state, is_newer, next_state, releases_stock

_END_CODES = {State.CANCELLED: "order.cancelled", State.CANCEL_REQUESTED: "order.cancel_requested",
              State.SHIPPED_ON_PLATFORM: "order.shipped_on_platform"}


@dataclass(slots=True)
class IngestResult:
    created: dict[str, str] = field(default_factory=dict)  # platform order id → order id
    updated: dict[str, str] = field(default_factory=dict)
    unchanged: int = 0  # repeats and older versions
    states: dict[str, str] = field(default_factory=dict)  # order id → state after the batch


def _number(value: object) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_RAW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_number)


def raw_json(payload: Any) -> str:
    """The raw payload as JSON text (exact big integers; decimals as JSON numbers)."""
    return _RAW.encode(payload)


@dataclass(frozen=True, slots=True)
class Prepared:
    """An order with the pure work done ahead of the write transaction: the raw payload as JSON text and,
    for a paid order when a plan is given, the review rules' outcome."""

    order: CanonicalOrder
    raw_text: str
    outcome: Any = None


def prepare(batch: Sequence[CanonicalOrder], shop: Shop, plan: reviewing.ReviewPlan | None = None) -> list[Prepared]:
    """Dedup inside the batch, drop other shops' orders, encode raw payloads, run the rules (pure: call it
    before opening the transaction to keep the write lock short)."""
    out = []
    for order in newest(batch):
        if order.shop_id != shop.id:
            continue
        outcome = plan.ruleset.review(order, plan.facts) if plan is not None and first_state(order.status) == MAP else None
        out.append(Prepared(order, raw_json(order.raw), outcome))
    return out


def newest(batch: Sequence[CanonicalOrder]) -> list[CanonicalOrder]:
    """One order per platform order id, the newest modification (the first of equals), in first-seen order."""
    chosen: dict[str, CanonicalOrder] = {}
    for order in batch:
        held = chosen.get(order.platform_order_id)
        if held is None or is_newer(order.modified_at, held.modified_at):
            chosen[order.platform_order_id] = order
    return list(chosen.values())


def ingest_batch(conn: Connection, shop: Shop, batch: Sequence[CanonicalOrder] | Sequence[Prepared], *, hlc: int,
                 source: str = "", plan: reviewing.ReviewPlan | None = None) -> IngestResult:
    """Store a batch of one shop's orders (canonical, or ``prepare``d with the same plan) in ``conn``'s
    transaction; see the module docstring."""
    result = IngestResult()
    items = batch if all(isinstance(item, Prepared) for item in batch) else prepare(batch, shop, plan)  # type: ignore[arg-type]
    prepared: list[Prepared] = list(items)  # type: ignore[arg-type]
    known = order_store.heads(conn, shop.id, [p.order.platform_order_id for p in prepared])
    fresh = [p for p in prepared if p.order.platform_order_id not in known]
    events: list[order_events.OrderEvent] = []
    _insert_new(conn, shop, fresh, events, result, hlc=hlc, plan=plan)
    for item in prepared:
        head = known.get(item.order.platform_order_id)
        if head is None:
            continue
        if not is_newer(item.order.modified_at, head.modified_at):
            result.unchanged += 1
            continue
        _update(conn, head, item, events, result, hlc=hlc, plan=plan, source=source)
    _append_events(conn, events, source)
    return result


def _insert_new(conn: Connection, shop: Shop, fresh: list[Prepared], events: list[order_events.OrderEvent],
                result: IngestResult, *, hlc: int, plan: reviewing.ReviewPlan | None) -> None:
    if not fresh:
        return
    mapper = load_mapper(conn, shop.platform, shop.id, [line for item in fresh for line in item.order.lines])
    now = bulk.db_time(conn)
    staged: list[tuple[Prepared, str, list[tuple[str | None, int]], str, list[dict[str, Any]], list[str]]] = []
    candidates = []
    order_ids = new_ids(len(fresh))
    line_ids = iter(new_ids(sum(len(item.order.lines) for item in fresh)))
    for item, order_id in zip(fresh, order_ids):
        order = item.order
        ids = [next(line_ids) for _ in order.lines]
        mapped = [mapper.map(line) for line in order.lines]
        state, reasons = first_state(order.status), []
        if state == MAP:
            reason = unmapped_reason(order.lines, mapped)
            state, reasons = (State.EXCEPTION, [reason]) if reason else (State.PENDING_REVIEW, [])
        events.append(order_events.OrderEvent(order_id, None, state, reasons[0]["code"] if reasons else "order.ingested",
                                              details=reasons[0]["details"] if reasons else {}))
        if state == State.PENDING_REVIEW and plan is not None:
            shipped = [(line_id, sku, line.qty, line.qty * pack) for line_id, line, (sku, pack) in zip(ids, order.lines, mapped)
                       if sku and line.refund is not RefundState.REFUNDED]
            units = tuple((sku, base) for _, sku, _, base in shipped)
            candidates.append(reviewing.Candidate(order_id, order, shop.warehouse_id, units, item.outcome,  # type: ignore[arg-type]
                                                  split_lines=tuple(ShipLine(*line) for line in shipped)))
        staged.append((item, order_id, mapped, state, reasons, ids))
    decided = {d.order_id: d for d in reviewing.decide(conn, candidates, plan, hlc=hlc)} if candidates and plan else {}
    order_rows, line_rows = [], []
    for item, order_id, mapped, state, reasons, ids in staged:
        order = item.order
        decision = decided.get(order_id)
        if decision is not None:
            events.append(order_events.OrderEvent(order_id, state, decision.state, decision.code, details=decision.details))
            state, reasons = decision.state, decision.reasons
        warehouse_id = decision.warehouse_id if decision is not None and decision.warehouse_id else shop.warehouse_id
        order_rows.append(order_store.order_row(conn, order, order_id=order_id, warehouse_id=warehouse_id,
                                                state=state, reasons=reasons, now=now, raw_text=item.raw_text))
        line_rows.extend(order_store.line_rows(order_id, order.lines, mapped, ids))
        result.created[order.platform_order_id] = order_id
        result.states[order_id] = state
    order_store.insert_orders(conn, order_rows)
    order_store.insert_lines(conn, line_rows)
    for item, order_id, _mapped, _state, _reasons, _ids in staged:  # gift lines the review added (reserved with the order)
        decision = decided.get(order_id)
        if decision is not None and decision.gifts:
            order_store.add_gift_lines(conn, order_id, decision.gifts, first_line_no=len(item.order.lines) + 1)
        if decision is not None and decision.parts:  # split: the parts, reserved by the review
            events.extend(parts.write_parts(conn, order_id, decision.parts))


def _update(conn: Connection, head: order_store.OrderHead, item: Prepared, events: list[order_events.OrderEvent],
            result: IngestResult, *, hlc: int, plan: reviewing.ReviewPlan | None, source: str) -> None:
    order = item.order
    # a split parent (settled as shipped it still passes cancels on to its parts; settled as cancelled or
    # shipped on the platform its parts are over and it takes the update like any ended order)
    if head.state == State.SPLIT or (head.state == FULFILLED and order_parts.parts_of(conn, head.id)):
        _update_split(conn, head, item, events, result, hlc=hlc, plan=plan, source=source)
        return
    reserved = (head.state in (State.AWAITING_PAYMENT, State.PLATFORM_HOLD) and order.status is OrderStatus.PAID
                and bool(order_stock.open_reservations(conn, head.id)))
    target = next_state(head.state, order.status, reserved=reserved)
    stored = order_store.get_order(conn, head.id)
    reasons: list[dict[str, Any]] = stored.reasons
    code, details = _END_CODES.get(target, "order.updated") if target != head.state else "order.updated", {}
    if target == MAP:
        target, reasons, code, details = _remap(conn, stored)
    order_store.update_from_platform(conn, [{"order_id": head.id, "expected_version": head.version, "state": target,
                                             "reasons": reasons, **_platform_values(item)}])
    order_store.set_line_refunds(conn, head.id, {line.line_id: line.refund.value for line in order.lines})
    events.append(order_events.OrderEvent(head.id, head.state, target, code,
                                          details={"status": order.status.value, **details}))
    if releases_stock(head.state, target):
        stock_push_queue.enqueue_skus(conn, order_stock.release_order(conn, head.id, hlc=hlc))
    result.updated[order.platform_order_id] = head.id
    result.states[head.id] = target
    if target == State.PENDING_REVIEW and plan is not None:
        _append_events(conn, events, source)  # the review's timeline row must follow this one
        events.clear()
        with audit.acting(audit.current_actor()[0], source or audit.current_actor()[1]):
            result.states[head.id] = reviewing.review(conn, head.id, plan, hlc=hlc)


def _platform_values(item: Prepared) -> dict[str, Any]:
    order = item.order
    return {"platform_status": order.status.value, "platform_status_raw": order.platform_status[:64],
            "modified_at": order.modified_at, "paid_at": order.paid_at, "seller_remark": order.seller_remark,
            "buyer_remark": order.buyer_remark, "paid_fen": order.amounts.paid_fen, "raw": item.raw_text,
            "flags": order_store.flags_json(order), "updated_at": utc_now()}


def _update_split(conn: Connection, head: order_store.OrderHead, item: Prepared, events: list[order_events.OrderEvent],
                  result: IngestResult, *, hlc: int, plan: reviewing.ReviewPlan | None, source: str) -> None:
    """A newer platform update of a split parent: its data changes, its state only by its parts'."""
    order = item.order
    stored = order_store.get_order(conn, head.id)
    values = _platform_values(item)
    order_store.update_from_platform(conn, [{"order_id": head.id, "expected_version": head.version, "state": head.state,
                                             "reasons": stored.reasons, **values}])
    refunds = {line.line_id: line.refund.value for line in order.lines}
    order_store.set_line_refunds(conn, head.id, refunds)
    events.append(order_events.OrderEvent(head.id, head.state, head.state, "order.updated",
                                          details={"status": order.status.value}))
    followed = parts.follow_platform(conn, head.id, order.status, values, refunds, hlc=hlc)
    events.extend(followed.events)
    settled = parts.settle(conn, head.id)
    events.extend(settled)
    stock_push_queue.enqueue_skus(conn, followed.released)
    result.updated[order.platform_order_id] = head.id
    result.states[head.id] = settled[-1].to_state if settled else head.state
    if followed.to_review and plan is not None:
        _append_events(conn, events, source)
        events.clear()
        with audit.acting(audit.current_actor()[0], source or audit.current_actor()[1]):
            for part_id in followed.to_review:
                result.states[part_id] = reviewing.review(conn, part_id, plan, hlc=hlc)


def _remap(conn: Connection, stored: order_store.StoredOrder) -> tuple[str, list[dict[str, Any]], str, dict[str, Any]]:
    """A stored order that became paid: map lines still unmapped; pending_review or exception."""
    mapper = load_mapper(conn, stored.platform, stored.shop_id, [line for line in stored.lines if not line.sku_id])
    mapped = [(line.sku_id, 1) if line.sku_id else mapper.map(line) for line in stored.lines]
    order_store.set_line_skus(conn, {line.id: (sku, line.qty * pack) for line, (sku, pack) in zip(stored.lines, mapped)
                                     if sku and not line.sku_id})
    reason = unmapped_reason(stored.lines, mapped)
    if reason is not None:
        return State.EXCEPTION, [reason], reason["code"], reason["details"]
    return State.PENDING_REVIEW, [], "order.updated", {}


def _append_events(conn: Connection, events: list[order_events.OrderEvent], source: str) -> None:
    order_events.append(conn, events, source=source or None)
