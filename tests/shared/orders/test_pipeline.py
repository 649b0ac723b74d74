"""The pipeline's state rules (pure): what a newer platform update does to an order's state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.orders.model import ENDED_UNFULFILLED, OrderStatus
from shared.orders.pipeline import (
    BEFORE_FULFILMENT, ENDED, MAP, State, first_state, in_fulfilment, is_newer, next_state, releases_stock,
)

STATES = st.sampled_from([*State, "in_wave", "picked", "packed", "shipped"])
STATUSES = st.sampled_from(list(OrderStatus))


def test_first_state_of_a_paid_order_is_mapping() -> None:
    assert first_state(OrderStatus.PAID) == MAP
    assert first_state(OrderStatus.PENDING_PAYMENT) == State.AWAITING_PAYMENT
    assert first_state(OrderStatus.REFUNDED) == State.CANCELLED
    assert first_state(OrderStatus.SHIPPED) == State.SHIPPED_ON_PLATFORM
    assert first_state(OrderStatus.REFUNDING) == State.PLATFORM_HOLD


def test_paid_again_after_a_platform_hold_keeps_the_reservation() -> None:
    assert next_state(State.REVIEWED, OrderStatus.REFUNDING, reserved=True) == State.PLATFORM_HOLD
    assert next_state(State.PLATFORM_HOLD, OrderStatus.PAID, reserved=True) == State.REVIEWED
    assert next_state(State.PLATFORM_HOLD, OrderStatus.PAID, reserved=False) == MAP


@given(STATES, STATUSES, st.booleans())
def test_ended_states_never_change(state: str, status: OrderStatus, reserved: bool) -> None:
    if state in ENDED:
        assert next_state(state, status, reserved=reserved) == state


@given(STATES, STATUSES, st.booleans())
def test_fulfilment_is_only_ever_asked_to_cancel(state: str, status: OrderStatus, reserved: bool) -> None:
    if in_fulfilment(state):
        after = next_state(state, status, reserved=reserved)
        assert after == (State.CANCEL_REQUESTED if status in ENDED_UNFULFILLED else state)


@given(STATES, STATUSES, st.booleans())
def test_a_platform_cancel_ends_every_order_before_fulfilment(state: str, status: OrderStatus, reserved: bool) -> None:
    if state in BEFORE_FULFILMENT and status in ENDED_UNFULFILLED:
        after = next_state(state, status, reserved=reserved)
        assert after == State.CANCELLED and releases_stock(state, after)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_only_a_strictly_newer_modification_wins(shift_s: int) -> None:
    stored = datetime(2024, 11, 11, tzinfo=UTC)
    assert is_newer(stored + timedelta(seconds=shift_s), stored) == (shift_s > 0)
