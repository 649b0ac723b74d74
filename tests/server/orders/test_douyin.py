"""Douyin shop orders → canonical orders (fixtures/douyin_search_page.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.orders.adapters import douyin
from server.orders.adapters.paging import first_request
from shared.orders.errors import OrderPayloadError, PlatformError, PullWindowError
from shared.orders.model import OrderStatus, PresaleKind, PresalePhase, RefundState
from tests.server.orders.payloads import convert, order, page


def test_paid_order_in_fen_with_discounts_split_by_who_funds_them() -> None:
    result = convert("douyin", order("douyin", 0))
    assert result.key == ("douyin", "shop-1", "6936476692437472563") and result.status is OrderStatus.PAID
    amounts = result.amounts
    assert amounts.goods_fen == 4990 * 2 + 1990
    assert (amounts.seller_discount_fen, amounts.platform_discount_fen, amounts.paid_fen) == (1000, 500 + 200, 10270)
    assert result.created_at == datetime(2024, 11, 18, 7, 55, 51, tzinfo=UTC)
    assert result.ship_by == datetime.fromtimestamp(1732031999, UTC)
    assert result.buyer_open_id is not None and result.buyer_open_id.startswith("1@#VrtJKX59")


def test_lines_keep_big_product_ids_exact_and_the_seller_code() -> None:
    chair = convert("douyin", order("douyin", 0)).lines[0]
    assert chair.platform_item_id == "3660207428038974464"  # > 2**53: never through a float
    assert (chair.platform_sku_id, chair.seller_sku_code, chair.qty, chair.unit_price_fen) == ("3410716076201730", "CHAIR-BLK", 2, 4990)
    assert (chair.title, chair.spec, chair.discount_fen, chair.paid_fen) == ("办公椅 人体工学 🪑", "颜色:黑色", 1250, 8615)


def test_receiver_stays_masked_with_ciphertext_kept_for_decryption() -> None:
    receiver = convert("douyin", order("douyin", 0)).receiver
    assert (receiver.name_masked, receiver.phone_masked, receiver.address_masked) == ("王*", "138****5678", "莲前街道软件园****")
    assert (receiver.region.province, receiver.region.city, receiver.region.district, receiver.region.town) == ("福建省", "厦门市", "思明区", "莲前街道")
    assert receiver.encrypted is not None and receiver.encrypted.scheme == "douyin"
    assert receiver.encrypted.name_cipher.startswith("##qIOpbL") and receiver.encrypted.phone_cipher.startswith("$$KlqdO")
    assert receiver.encrypted.address_cipher.startswith("##i688")
    assert receiver.address_key == "#vAbwXG8mR3aL0Cq1nA9bUu4p2VsxhQ0TQ1d3wE7mMb4="


@pytest.mark.parametrize("bad", [102.7, "10270", 10270.0, True, None])
def test_money_must_be_integer_fen(bad: object) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("douyin", order("douyin", 0) | {"pay_amount": bad})
    assert caught.value.path == "shop_order.pay_amount"
    assert caught.value.code == ("order.missing_field" if bad is None else "order.bad_money")


def test_deposit_presale_has_its_phase_from_the_phase_list() -> None:
    result = convert("douyin", order("douyin", 1))
    assert result.status is OrderStatus.PRESALE_DEPOSIT_PAID and result.platform_status == "1/103"
    assert result.presale is not None and (result.presale.kind, result.presale.phase) == (PresaleKind.DEPOSIT, PresalePhase.DEPOSIT_PAID)
    assert result.presale.paid_so_far_fen == 5000 and result.ship_by is None
    assert result.lines[0].presale_phase is PresalePhase.DEPOSIT_PAID and result.flags.presale


def test_deposit_presale_with_the_balance_paid_is_paid_in_full() -> None:
    raw = order("douyin", 1) | {"order_status": 2, "main_status": 2}
    raw["order_phase_list"][1]["pay_success"] = True
    result = convert("douyin", raw)
    assert result.status is OrderStatus.PAID and result.presale is not None
    assert result.presale.phase is PresalePhase.PAID_IN_FULL


@pytest.mark.parametrize(("pre_sale_type", "kind"), [(1, PresaleKind.FULL_PAYMENT), (2, PresaleKind.STAGED)])
def test_full_payment_and_staged_presale_lines(pre_sale_type: int, kind: PresaleKind) -> None:
    raw = order("douyin", 0)
    raw["sku_order_list"][0]["pre_sale_type"] = pre_sale_type
    result = convert("douyin", raw)
    assert result.flags.presale and result.presale is not None
    assert (result.presale.kind, result.presale.phase) == (kind, PresalePhase.PAID_IN_FULL)
    assert result.lines[0].presale_kind is kind and result.status is OrderStatus.PAID


def test_refunds_from_main_status_and_from_lines() -> None:
    assert convert("douyin", order("douyin", 0) | {"order_status": 4, "main_status": 22}).status is OrderStatus.REFUNDED
    raw = order("douyin", 0)
    raw["sku_order_list"][1]["after_sale_info"]["refund_status"] = 2
    result = convert("douyin", raw)
    assert result.status is OrderStatus.REFUNDING and result.lines[1].refund is RefundState.IN_PROGRESS


def test_paid_but_in_risk_check_is_on_hold_and_flagged() -> None:
    raw = order("douyin", 0) | {"order_status": 105, "main_status": 105}
    result = convert("douyin", raw)
    assert result.status is OrderStatus.ON_HOLD and result.flags.risk


def test_unpaid_order_has_no_paid_time_and_cod_is_pay_type_zero() -> None:
    result = convert("douyin", order("douyin", 0) | {"pay_time": 0, "order_status": 1, "main_status": 1, "pay_type": 0})
    assert result.paid_at is None and result.status is OrderStatus.PENDING_PAYMENT and result.flags.cod


def test_milliseconds_instead_of_seconds_are_refused() -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("douyin", order("douyin", 0) | {"update_time": 1731916700000})
    assert (caught.value.code, caught.value.path) == ("order.bad_time", "shop_order.update_time")


def test_page_envelope_errors_and_the_50000_row_limit() -> None:
    request = first_request(douyin.LIMITS, datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 2, tzinfo=UTC))
    assert request.page == 0 and douyin.next_cursor(page("douyin"), request) is None
    big = page("douyin")
    big["data"]["total"] = 250
    assert douyin.next_cursor(big, request) is not None
    big["data"]["total"] = 60_000
    with pytest.raises(PullWindowError) as caught:
        douyin.next_cursor(big, request)
    assert caught.value.code == "order.window_overfull"
    with pytest.raises(PlatformError, match="access_token"):
        douyin.orders_of_page({"code": 40004, "msg": "access_token已过期", "data": None})
    assert douyin.orders_of_page({"err_no": 0, "message": "success", "data": {"shop_order_list": [], "total": 0}}) == []
