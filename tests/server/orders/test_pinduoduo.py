"""Pinduoduo orders → canonical orders (fixtures/pinduoduo_increment_page.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.orders.adapters import pinduoduo
from server.orders.adapters.base import loads
from shared.orders.errors import OrderPayloadError
from shared.orders.model import OrderStatus, PresaleKind, PresalePhase
from tests.server.orders.payloads import convert, order, page_text


def test_yuan_floats_become_exact_fen() -> None:
    result = convert("pinduoduo", order("pinduoduo", 0))
    amounts = result.amounts
    assert (amounts.goods_fen, amounts.freight_fen, amounts.paid_fen) == (5980, 200, 5680)
    assert (amounts.platform_discount_fen, amounts.seller_discount_fen) == (300, 200)
    assert result.lines[0].unit_price_fen == 2990 and result.lines[0].seller_sku_code == "SOCK-5P"
    assert result.key == ("pinduoduo", "shop-1", "241111-123456789012345") and result.status is OrderStatus.PAID


def test_a_decimal_parsed_page_gives_the_same_order() -> None:
    exact = pinduoduo.orders_of_page(loads(page_text("pinduoduo")))
    assert [convert("pinduoduo", dict(raw)) for raw in exact] == [convert("pinduoduo", order("pinduoduo", i)) for i in (0, 1)]


def test_china_time_strings_and_unix_seconds_are_both_read() -> None:
    first, second = convert("pinduoduo", order("pinduoduo", 0)), convert("pinduoduo", order("pinduoduo", 1))
    assert first.created_at == datetime(2024, 11, 11, 4, tzinfo=UTC)
    assert first.ship_by == datetime(2024, 11, 13, 4, 0, 10, tzinfo=UTC) and first.shipped_at is None
    assert second.created_at == datetime.fromtimestamp(1729512000, UTC)


def test_receiver_masks_shown_and_ciphertext_kept() -> None:
    result = convert("pinduoduo", order("pinduoduo", 0))
    receiver = result.receiver
    assert (receiver.name_masked, receiver.phone_masked, receiver.address_masked) == ("赵*", "186****0000", "张江路****")
    assert receiver.region.district == "浦东新区" and not result.flags.plaintext_pii_in_raw
    assert receiver.encrypted is not None and receiver.encrypted.name_cipher.startswith("~AgAAAAGGmNQJ")
    assert result.seller_flag == 1


def test_shipped_order_with_emptied_ciphertext_still_has_its_masks() -> None:
    raw = order("pinduoduo", 0) | {"order_status": 2, "receiver_name": "", "receiver_phone": "", "receiver_address": ""}
    result = convert("pinduoduo", raw)
    assert result.status is OrderStatus.SHIPPED and result.receiver.encrypted is None
    assert result.receiver.name_masked == "赵*"


def test_deposit_presale_and_platform_gift() -> None:
    result = convert("pinduoduo", order("pinduoduo", 1))
    assert result.status is OrderStatus.PRESALE_DEPOSIT_PAID
    assert result.presale is not None and (result.presale.kind, result.presale.phase) == (PresaleKind.DEPOSIT, PresalePhase.DEPOSIT_PAID)
    assert (result.presale.deposit_fen, result.presale.paid_so_far_fen) == (1000, 1000)
    gift = result.lines[1]
    assert gift.is_gift and gift.unit_price_fen == 0 and gift.seller_sku_code == "GIFT-SOCK"


def test_full_payment_presale_ships_after_its_date() -> None:
    result = convert("pinduoduo", order("pinduoduo", 0) | {"is_pre_sale": 1, "pre_sale_time": "2024-12-01 00:00:00"})
    assert result.presale is not None and result.presale.kind is PresaleKind.FULL_PAYMENT
    assert result.presale.ship_after == datetime(2024, 11, 30, 16, tzinfo=UTC) and result.status is OrderStatus.PAID


@pytest.mark.parametrize(("changes", "status", "risk"), [
    ({"group_status": 0}, OrderStatus.ON_HOLD, False),
    ({"group_status": 2}, OrderStatus.CANCELLED, False),
    ({"risk_control_status": 1}, OrderStatus.ON_HOLD, True),
    ({"refund_status": 2}, OrderStatus.REFUNDING, False),
    ({"refund_status": 3}, OrderStatus.REFUNDING, False),
    ({"refund_status": 4}, OrderStatus.REFUNDED, False),
    ({"order_status": 3, "refund_status": 3}, OrderStatus.COMPLETED, False),
])
def test_group_risk_and_refund_overlays(changes: dict[str, int], status: OrderStatus, risk: bool) -> None:
    result = convert("pinduoduo", order("pinduoduo", 0) | changes)
    assert (result.status, result.flags.risk) == (status, risk)


def test_seller_price_change_is_an_adjustment() -> None:
    raw = order("pinduoduo", 0) | {"order_change_amount": 5.0, "goods_amount": 54.8, "pay_amount": 51.8}
    amounts = convert("pinduoduo", raw).amounts
    assert (amounts.goods_fen, amounts.adjustment_fen, amounts.paid_fen) == (5980, -500, 5180)


@pytest.mark.parametrize(("changes", "code", "path"), [
    ({"discount_amount": 6.0}, "order.amounts_mismatch", "order.discount_amount"),
    ({"pay_amount": 56.9}, "order.amounts_mismatch", "amounts"),
    ({"postage": 2.005}, "order.bad_money", "order.postage"),
    ({"pay_amount": float("nan")}, "order.bad_money", "order.pay_amount"),
    ({"order_status": 5}, "order.unknown_status", "order.order_status"),  # 5 is the "all" filter
    ({"refund_status": 5}, "order.unknown_status", "order.refund_status"),
])
def test_malformed_orders_raise_typed_errors(changes: dict[str, object], code: str, path: str) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("pinduoduo", order("pinduoduo", 0) | changes)
    assert (caught.value.code, caught.value.path) == (code, path)


def test_plaintext_receiver_of_an_app_without_encryption_is_masked() -> None:
    raw = order("pinduoduo", 0) | {"receiver_name": "赵六", "receiver_name_mask": None, "receiver_phone": "18600000000",
                                     "receiver_phone_mask": None}
    result = convert("pinduoduo", raw)
    assert (result.receiver.name_masked, result.receiver.phone_masked) == ("赵**", "186****0000")
    assert result.flags.plaintext_pii_in_raw
