"""The status tables' combinators: lookup, presale and refund overlays."""

from __future__ import annotations

import pytest

from shared.orders.errors import OrderPayloadError
from shared.orders.model import OrderStatus, PresalePhase, RefundState
from shared.orders.status import DOUYIN_MAIN_STATUS, DOUYIN_ORDER_STATUS, combine_refunds, derive_status, lookup

S = OrderStatus
R = RefundState


def test_lookup_refuses_unlisted_values_with_the_path() -> None:
    with pytest.raises(OrderPayloadError) as caught:
        lookup(DOUYIN_ORDER_STATUS, 7, platform="douyin", path="shop_order.order_status")
    assert caught.value.code == "order.unknown_status"
    assert caught.value.details["path"] == "shop_order.order_status"
    assert "douyin" in caught.value.message("en") and "7" in caught.value.message("en")


@pytest.mark.parametrize("lookalike", [True, 1.0, "1", [1], {"1": 1}])
def test_lookup_does_not_let_lookalikes_pass_for_a_status(lookalike: object) -> None:
    with pytest.raises(OrderPayloadError, match="Unknown douyin order status"):
        lookup(DOUYIN_ORDER_STATUS, lookalike, platform="douyin", path="p")


def test_douyin_main_status_is_a_superset_of_order_status() -> None:
    assert DOUYIN_ORDER_STATUS.items() <= DOUYIN_MAIN_STATUS.items()
    assert {103, 21, 22, 39} <= DOUYIN_MAIN_STATUS.keys()


@pytest.mark.parametrize(("lines", "combined"), [
    ([], R.NONE),
    ([R.NONE, R.NONE], R.NONE),
    ([R.NONE, R.REFUNDED], R.NONE),  # one line refunded: ship the rest
    ([R.REFUNDED, R.REFUNDED], R.REFUNDED),
    ([R.REFUNDED, R.IN_PROGRESS], R.IN_PROGRESS),
    ([R.NONE, R.IN_PROGRESS], R.IN_PROGRESS),  # any open refund stops shipping
])
def test_line_refunds_combine(lines: list[RefundState], combined: RefundState) -> None:
    assert combine_refunds(lines) is combined


@pytest.mark.parametrize(("base", "refund", "phase", "derived"), [
    (S.PENDING_PAYMENT, R.NONE, PresalePhase.DEPOSIT_PAID, S.PRESALE_DEPOSIT_PAID),
    (S.PAID, R.NONE, PresalePhase.DEPOSIT_PAID, S.PRESALE_DEPOSIT_PAID),
    (S.PENDING_PAYMENT, R.NONE, PresalePhase.UNPAID, S.PENDING_PAYMENT),
    (S.PAID, R.NONE, PresalePhase.PAID_IN_FULL, S.PAID),
    (S.PAID, R.IN_PROGRESS, None, S.REFUNDING),
    (S.SHIPPED, R.IN_PROGRESS, None, S.REFUNDING),
    (S.ON_HOLD, R.REFUNDED, None, S.REFUNDED),
    (S.PAID, R.IN_PROGRESS, PresalePhase.DEPOSIT_PAID, S.REFUNDING),
    (S.COMPLETED, R.IN_PROGRESS, None, S.COMPLETED),  # after receipt: an after-sales matter
    (S.CANCELLED, R.IN_PROGRESS, None, S.CANCELLED),
    (S.PENDING_PAYMENT, R.IN_PROGRESS, None, S.PENDING_PAYMENT),
])
def test_derive_status_applies_presale_then_refund(base: OrderStatus, refund: RefundState,
                                                   phase: PresalePhase | None, derived: OrderStatus) -> None:
    assert derive_status(base, refund=refund, presale_phase=phase) is derived
