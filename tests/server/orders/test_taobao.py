"""Taobao/Tmall trades → canonical orders (fixtures/taobao_increment_page.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.orders.adapters import ADAPTERS
from shared.orders.errors import OrderPayloadError
from shared.orders.model import OrderStatus, PresaleKind, PresalePhase, RefundState
from tests.server.orders.payloads import convert, order


def test_paid_trade_maps_header_lines_and_exact_amounts() -> None:
    raw = order("taobao", 0)
    result = convert("taobao", raw)
    assert result.key == ("taobao", "shop-1", "4012345678901234567")  # a JSON integer beyond 2**53, exact
    assert result.status is OrderStatus.PAID and result.platform_status == "WAIT_SELLER_SEND_GOODS"
    assert result.created_at == datetime(2024, 11, 10, 16, 1, 2, tzinfo=UTC)
    assert result.paid_at == datetime(2024, 11, 10, 16, 1, 30, tzinfo=UTC)
    assert result.amounts.goods_fen == result.amounts.paid_fen == 30  # "0.10" + "0.20"
    assert [line.unit_price_fen for line in result.lines] == [10, 20]
    assert result.buyer_open_id == "AAHk5d-EAAeGwJedwSHuhbvq"
    assert result.buyer_remark == "请尽快发货 🙏" and result.seller_flag == 1
    assert result.raw is raw


def test_sku_and_seller_code_fall_back_to_the_item_for_single_sku_items() -> None:
    first, second = convert("taobao", order("taobao", 0)).lines
    assert (first.platform_sku_id, first.seller_sku_code) == ("5012345678901", "TS-001-WHT-L")
    assert (second.platform_sku_id, second.seller_sku_code) == ("680123456790", "BAG-CANVAS")
    assert first.spec == "颜色分类:白色;尺码:L" and first.line_id == "4012345678901234568"


def test_masked_receiver_stays_masked_and_keeps_the_oaid() -> None:
    receiver = convert("taobao", order("taobao", 0)).receiver
    assert (receiver.name_masked, receiver.phone_masked, receiver.address_masked) == ("张**", "*******5678", "软件园二期观日路**号****")
    assert (receiver.region.province, receiver.region.city, receiver.region.district) == ("福建省", "厦门市", "思明区")
    assert receiver.encrypted is not None and receiver.encrypted.scheme == "taobao_oaid"
    assert receiver.encrypted.decrypt_ref == receiver.address_key == "1T7HnkaLsEsU8Cq0aQ7DdAubwQgC3L2mmgibyia6ic0bB0A"


def test_plaintext_receiver_is_masked_and_the_order_says_raw_holds_pii() -> None:
    raw = order("taobao", 0) | {"receiver_name": "张三", "receiver_mobile": "13812345678",
                                 "receiver_address": "软件园二期观日路 12 号", "oaid": None}
    result = convert("taobao", raw)
    assert (result.receiver.name_masked, result.receiver.phone_masked) == ("张**", "138****5678")
    assert result.receiver.address_masked == "软件园****" and result.receiver.encrypted is None
    assert result.flags.plaintext_pii_in_raw


def test_step_trade_with_deposit_paid_is_a_presale_deposit_paid() -> None:
    result = convert("taobao", order("taobao", 1))
    assert result.status is OrderStatus.PRESALE_DEPOSIT_PAID and result.flags.presale
    assert result.presale is not None and result.presale.kind is PresaleKind.DEPOSIT
    assert (result.presale.phase, result.presale.paid_so_far_fen) == (PresalePhase.DEPOSIT_PAID, 5000)
    assert [(line.presale_kind, line.presale_phase) for line in result.lines] == [(PresaleKind.DEPOSIT, PresalePhase.DEPOSIT_PAID)]
    assert result.paid_at is None


@pytest.mark.parametrize(("status", "step", "expected"), [
    ("WAIT_BUYER_PAY", "FRONT_NOPAID_FINAL_NOPAID", OrderStatus.PENDING_PAYMENT),
    ("WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", OrderStatus.PRESALE_DEPOSIT_PAID),
    ("WAIT_SELLER_SEND_GOODS", "FRONT_PAID_FINAL_PAID", OrderStatus.PAID),
    ("TRADE_CLOSED_BY_TAOBAO", "FRONT_PAID_FINAL_NOPAID", OrderStatus.CANCELLED),
])
def test_presale_phases(status: str, step: str, expected: OrderStatus) -> None:
    assert convert("taobao", order("taobao", 1) | {"status": status, "step_trade_status": step}).status is expected


def test_unknown_step_status_is_a_typed_error() -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("taobao", order("taobao", 1) | {"step_trade_status": "FRONT_MAYBE_PAID"})
    assert (caught.value.code, caught.value.path) == ("order.unknown_status", "trade.step_trade_status")


def test_an_open_refund_on_one_line_makes_the_order_refunding() -> None:
    result = convert("taobao", order("taobao", 2))
    assert result.status is OrderStatus.REFUNDING and result.flags.refund_in_progress
    assert [line.refund for line in result.lines] == [RefundState.IN_PROGRESS, RefundState.NONE]
    assert (result.amounts.adjustment_fen, result.amounts.freight_fen, result.amounts.paid_fen) == (-500, 800, 15100)
    assert result.seller_remark == "客户要求改价，已优惠5元" and result.seller_flag == 4


def test_all_lines_refunded_is_refunded_and_one_refunded_line_is_not_shipped() -> None:
    raw = order("taobao", 2)
    for line in raw["orders"]["order"]:
        line["refund_status"] = "SUCCESS"
    assert convert("taobao", raw).status is OrderStatus.REFUNDED
    raw["orders"]["order"][1]["refund_status"] = "CLOSED"
    result = convert("taobao", raw)
    assert result.status is OrderStatus.PAID and result.lines[0].refund is RefundState.REFUNDED


def test_amounts_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("taobao", order("taobao", 2) | {"payment": "152.00"})
    assert caught.value.code == "order.amounts_mismatch"


@pytest.mark.parametrize(("field", "value"), [("payment", "151.005"), ("total_fee", "1,580.00"), ("post_fee", 8.0),
                                              ("payment", "NaN"), ("discount_fee", "-10.00")])
def test_bad_money_names_the_field(field: str, value: object) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("taobao", order("taobao", 2) | {field: value})
    assert (caught.value.code, caught.value.path) == ("order.bad_money", f"trade.{field}")


def test_bad_line_money_names_the_line() -> None:
    raw = order("taobao", 0)
    raw["orders"]["order"][1]["price"] = "0.205"
    with pytest.raises(OrderPayloadError) as caught:
        convert("taobao", raw)
    assert caught.value.path == "trade.orders.order[1].price"


def test_missing_sub_orders_is_a_missing_field() -> None:
    raw = order("taobao", 0)
    del raw["orders"]
    with pytest.raises(OrderPayloadError) as caught:
        convert("taobao", raw)
    assert (caught.value.code, caught.value.path) == ("order.missing_field", "trade.orders")


def test_cod_trade_is_flagged() -> None:
    assert convert("taobao", order("taobao", 0) | {"type": "cod", "status": "TRADE_BUYER_SIGNED"}).flags.cod


def test_tmall_uses_the_same_adapter_under_its_own_name() -> None:
    result = ADAPTERS["tmall"].to_canonical(order("tmall", 0), shop_id="tmall-shop")
    assert result.key == ("tmall", "tmall-shop", "4012345678901234567")
    assert result.amounts == convert("taobao", order("taobao", 0)).amounts
