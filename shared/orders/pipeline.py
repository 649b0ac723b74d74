"""The order pipeline's states and how a platform update moves an order between them (pure).

    (new) ──▶ awaiting_payment ──paid──▶ mapping ──▶ pending_review ──review──▶ reviewed ──▶ (fulfilment:
               platform_hold    ◀─hold/refunding─┘     │        └─holds / out of stock─▶ exception   waves, picks …)
                                                   unmapped line ──▶ exception ──resolve──▶ mapping
    any pre-fulfilment state ──cancel / refund / close──▶ cancelled      (open reservations released)
    any fulfilment state     ──cancel / refund / close──▶ cancel_requested (fulfilment returns the goods)
    any pre-fulfilment state ──shipped / completed on the platform──▶ shipped_on_platform (released)
    manual: hold (on_hold, remembers held_from) / unhold; cancel; resolve (exception → mapping → review)

    拆单 by warehouse stock (``server.orders.parts``), when the home warehouse cannot cover the order:
    pending_review ──one other warehouse covers it──▶ reviewed (rerouted: the order's warehouse changes)
    pending_review ──several warehouses together──▶ split (the parent; no reservations, never reviewed,
                     waved or reserved again) + child orders (parts 1..n, each ``reviewed`` in its warehouse)
    split ──every part shipped / cancelled──▶ shipped / cancelled (``parent_state``)

States owned here are listed in ``PIPELINE_STATES``; any other state (``in_wave``, ``picked``, ``packed``,
``shipped`` …) belongs to fulfilment, which the pull never overrides except to ask for a cancel.

A split parent moves only when its parts do: a platform update changes each part by
``next_part_state`` (``next_state``, except that a "shipped" status while a part is already in
fulfilment is our own shipment of that part: the other parts keep their state).

``MAP`` is not a state: it tells the ingest to map the lines now and choose ``pending_review`` or
``exception``. An older platform modification never changes a stored order (``is_newer``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from shared.orders.model import ENDED_UNFULFILLED, OrderStatus


class State(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PLATFORM_HOLD = "platform_hold"
    EXCEPTION = "exception"
    PENDING_REVIEW = "pending_review"
    REVIEWED = "reviewed"
    ON_HOLD = "on_hold"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELLED = "cancelled"
    SHIPPED_ON_PLATFORM = "shipped_on_platform"
    SPLIT = "split"  # a parent split into child orders (parts) by warehouse stock; its parts move, it does not


MAP = "map"  # not a state: map the lines, then pending_review or exception

PIPELINE_STATES = frozenset(State)
BEFORE_FULFILMENT = frozenset({State.AWAITING_PAYMENT, State.PLATFORM_HOLD, State.EXCEPTION, State.PENDING_REVIEW,
                               State.REVIEWED, State.ON_HOLD})
ENDED = frozenset({State.CANCELLED, State.SHIPPED_ON_PLATFORM})
PARENT_STATES = frozenset({State.SPLIT})  # neither before fulfilment, nor in it, nor ended
FULFILLED = "shipped"  # fulfilment's last state (``server.orders.fulfilment.SHIPPED``)
NOT_YET_PAID = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PRESALE_DEPOSIT_PAID})
PLATFORM_STOPS = frozenset({OrderStatus.ON_HOLD, OrderStatus.REFUNDING})
SHIPPED_ON_PLATFORM = frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.COMPLETED})


def in_fulfilment(state: str) -> bool:
    """Fulfilment (waves, picking, packing) owns the order: any state this module does not define."""
    return state not in PIPELINE_STATES


def is_newer(incoming: datetime, stored: datetime) -> bool:
    """Newer modification wins; an equal or older one is a repeat and changes nothing."""
    return incoming > stored


def first_state(status: OrderStatus) -> str:
    """The state of an order seen for the first time (``MAP`` for a paid one)."""
    if status in ENDED_UNFULFILLED:
        return State.CANCELLED
    if status in NOT_YET_PAID:
        return State.AWAITING_PAYMENT
    if status in PLATFORM_STOPS:
        return State.PLATFORM_HOLD
    if status in SHIPPED_ON_PLATFORM:
        return State.SHIPPED_ON_PLATFORM
    return MAP


def next_state(current: str, status: OrderStatus, *, reserved: bool) -> str:
    """The state after a newer platform update with canonical ``status``; ``current`` when nothing
    changes. ``reserved`` says whether the order holds open reservations (kept through a platform hold)."""
    if current in ENDED or current == State.CANCEL_REQUESTED or current in PARENT_STATES:
        return current
    if in_fulfilment(current):
        return State.CANCEL_REQUESTED if status in ENDED_UNFULFILLED else current
    if status in ENDED_UNFULFILLED:
        return State.CANCELLED
    if status in SHIPPED_ON_PLATFORM:
        return State.SHIPPED_ON_PLATFORM
    if current == State.ON_HOLD:
        return current  # a person holds it; unhold re-evaluates
    if status in PLATFORM_STOPS:
        return State.PLATFORM_HOLD if current in (State.AWAITING_PAYMENT, State.PENDING_REVIEW, State.REVIEWED) else current
    if status in NOT_YET_PAID:
        return current
    # paid and shippable
    if current in (State.AWAITING_PAYMENT, State.PLATFORM_HOLD):
        return State.REVIEWED if reserved else MAP
    return current


def next_part_state(current: str, status: OrderStatus, *, reserved: bool, part_in_fulfilment: bool) -> str:
    """The state of one part (child order) of a split parent after a newer platform update of the parent.
    ``part_in_fulfilment``: some part of the parent is in fulfilment or shipped by us; then a shipped status
    is (most likely) the platform echoing our own ship-confirm of that part, so parts not yet in
    fulfilment keep their state instead of ending as shipped on the platform."""
    if part_in_fulfilment and status in SHIPPED_ON_PLATFORM and not in_fulfilment(current):
        return current
    return next_state(current, status, reserved=reserved)


def parent_state(part_states: list[str]) -> str | None:
    """The state a split parent takes from its parts' states once every part is over: ``cancelled`` when
    all were cancelled, ``shipped`` when one was shipped by us (the rest cancelled or shipped on the
    platform), ``shipped_on_platform`` when the platform shipped the rest; ``None`` while one is open."""
    done = ENDED | {FULFILLED}
    if not part_states or any(state not in done for state in part_states):
        return None
    if all(state == State.CANCELLED for state in part_states):
        return State.CANCELLED
    return FULFILLED if FULFILLED in part_states else State.SHIPPED_ON_PLATFORM


def releases_stock(before: str, after: str) -> bool:
    """Whether moving ``before`` → ``after`` gives the order's open reservations back."""
    return after in ENDED and before not in ENDED
