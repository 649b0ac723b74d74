"""The order pipeline's states and how a platform update moves an order between them (pure).

    (new) ──▶ awaiting_payment ──paid──▶ mapping ──▶ pending_review ──review──▶ reviewed ──▶ (fulfilment:
               platform_hold    ◀─hold/refunding─┘     │        └─holds / out of stock─▶ exception   waves, picks …)
                                                   unmapped line ──▶ exception ──resolve──▶ mapping
    any pre-fulfilment state ──cancel / refund / close──▶ cancelled      (open reservations released)
    any fulfilment state     ──cancel / refund / close──▶ cancel_requested (fulfilment returns the goods)
    any pre-fulfilment state ──shipped / completed on the platform──▶ shipped_on_platform (released)
    manual: hold (on_hold, remembers held_from) / unhold; cancel; resolve (exception → mapping → review)

States owned here are listed in ``PIPELINE_STATES``; any other state (``in_wave``, ``picked``, ``packed``,
``shipped`` …) belongs to fulfilment, which the pull never overrides except to ask for a cancel.

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


MAP = "map"  # not a state: map the lines, then pending_review or exception

PIPELINE_STATES = frozenset(State)
BEFORE_FULFILMENT = frozenset({State.AWAITING_PAYMENT, State.PLATFORM_HOLD, State.EXCEPTION, State.PENDING_REVIEW,
                               State.REVIEWED, State.ON_HOLD})
ENDED = frozenset({State.CANCELLED, State.SHIPPED_ON_PLATFORM})
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
    if current in ENDED or current == State.CANCEL_REQUESTED:
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


def releases_stock(before: str, after: str) -> bool:
    """Whether moving ``before`` → ``after`` gives the order's open reservations back."""
    return after in ENDED and before not in ENDED
