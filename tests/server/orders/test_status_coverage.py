"""Every status value of every platform, through its adapter, against expectations written here
(independently of the tables in ``shared.orders.status``); anything unlisted is a typed error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from shared.orders import status as tables
from shared.orders.errors import OrderPayloadError
from tests.server.orders.payloads import convert, order

TAOBAO = {
    "TRADE_NO_CREATE_PAY": "pending_payment", "WAIT_BUYER_PAY": "pending_payment", "PAY_PENDING": "pending_payment",
    "WAIT_PRE_AUTH_CONFIRM": "pending_payment", "WAIT_SELLER_SEND_GOODS": "paid", "PAID_FORBID_CONSIGN": "on_hold",
    "SELLER_CONSIGNED_PART": "partially_shipped", "WAIT_BUYER_CONFIRM_GOODS": "shipped", "TRADE_BUYER_SIGNED": "completed",
    "TRADE_FINISHED": "completed", "TRADE_CLOSED": "refunded", "TRADE_CLOSED_BY_TAOBAO": "cancelled",
}
TAOBAO_LINE_REFUND = {  # on one of two lines of a paid trade
    "NO_REFUND": "paid", "WAIT_SELLER_AGREE": "refunding", "WAIT_BUYER_RETURN_GOODS": "refunding",
    "WAIT_SELLER_CONFIRM_GOODS": "refunding", "SELLER_REFUSE_BUYER": "refunding", "CLOSED": "paid", "SUCCESS": "paid",
}
JD = {
    "WAIT_SELLER_STOCK_OUT": "paid", "WAIT_SELLER_DELIVERY": "paid", "WAIT_SEND_CODE": "paid", "POP_ORDER_PAUSE": "on_hold",
    "LOCKED": "on_hold", "WAIT_GOODS_RECEIVE_CONFIRM": "shipped", "FINISHED_L": "completed", "TRADE_CANCELED": "closed",
}
DOUYIN_ORDER = {1: "pending_payment", 105: "on_hold", 2: "paid", 101: "partially_shipped", 3: "shipped", 4: "cancelled",
                5: "completed"}
DOUYIN_MAIN = DOUYIN_ORDER | {103: "presale_deposit_paid", 21: "refunded", 22: "refunded", 39: "refunded"}
DOUYIN_LINE_REFUND = {0: "paid", 1: "refunding", 2: "refunding", 3: "paid", 4: "paid"}
PDD_ORDER = {1: "paid", 2: "shipped", 3: "completed"}
PDD_REFUND = {1: "paid", 2: "refunding", 3: "refunding", 4: "refunded"}
PDD_GROUP = {0: "on_hold", 1: "paid", 2: "cancelled"}
SHOPIFY_FINANCIAL = {
    "pending": "pending_payment", "authorized": "paid", "partially_paid": "pending_payment", "paid": "paid",
    "partially_refunded": "paid", "refunded": "refunded", "voided": "cancelled", "expired": "cancelled",
}
SHOPIFY_FULFILLMENT = {None: "paid", "partial": "partially_shipped", "fulfilled": "shipped", "restocked": "cancelled"}
SHOPIFY_CANCELLED = {
    "pending": "cancelled", "authorized": "cancelled", "partially_paid": "refunding", "paid": "refunding",
    "partially_refunded": "refunding", "refunded": "refunded", "voided": "cancelled", "expired": "cancelled",
}


def _taobao_line_refund(value: str) -> dict[str, Any]:
    raw = order("taobao", 0)
    raw["orders"]["order"][0]["refund_status"] = value
    return raw


def _douyin_line_refund(value: int) -> dict[str, Any]:
    raw = order("douyin", 0)
    raw["sku_order_list"][0]["after_sale_info"]["refund_status"] = value
    return raw


def _without_main_status(value: int) -> dict[str, Any]:
    raw = order("douyin", 0) | {"order_status": value}
    del raw["main_status"]
    return raw


CASES: list[tuple[str, Mapping[Any, str], Mapping[Any, Any], Any]] = [
    ("taobao", TAOBAO, tables.TAOBAO_TRADE_STATUS, lambda v: order("taobao", 0) | {"status": v}),
    ("tmall", TAOBAO, tables.TAOBAO_TRADE_STATUS, lambda v: order("tmall", 0) | {"status": v}),
    ("taobao", TAOBAO_LINE_REFUND, tables.TAOBAO_REFUND_STATUS, _taobao_line_refund),
    ("jd", JD, tables.JD_ORDER_STATE, lambda v: order("jd", 0) | {"orderState": v}),
    ("douyin", DOUYIN_ORDER, tables.DOUYIN_ORDER_STATUS, _without_main_status),
    ("douyin", DOUYIN_MAIN, tables.DOUYIN_MAIN_STATUS, lambda v: order("douyin", 0) | {"main_status": v}),
    ("douyin", DOUYIN_LINE_REFUND, tables.DOUYIN_REFUND_STATUS, _douyin_line_refund),
    ("pinduoduo", PDD_ORDER, tables.PDD_ORDER_STATUS, lambda v: order("pinduoduo", 0) | {"order_status": v}),
    ("pinduoduo", PDD_REFUND, tables.PDD_REFUND_STATUS, lambda v: order("pinduoduo", 0) | {"refund_status": v}),
    ("pinduoduo", PDD_GROUP, tables.PDD_GROUP_STATUS, lambda v: order("pinduoduo", 0) | {"group_status": v}),
    ("shopify", SHOPIFY_FINANCIAL, tables.SHOPIFY_FINANCIAL_STATUS, lambda v: order("shopify", 0) | {"financial_status": v}),
    ("shopify", SHOPIFY_FULFILLMENT, tables.SHOPIFY_FULFILLMENT_STATUS,
     lambda v: order("shopify", 0) | {"fulfillment_status": v}),
    ("shopify", SHOPIFY_CANCELLED, tables.SHOPIFY_CANCELLED,
     lambda v: order("shopify", 0) | {"financial_status": v, "cancelled_at": "2024-05-01T11:00:00-04:00"}),
]
PARAMS = [pytest.param(platform, value, expected, build, id=f"{platform}-{value}")
          for platform, expected_by_value, _, build in CASES for value, expected in expected_by_value.items()]


@pytest.mark.parametrize(("platform", "expected", "table"), [(c[0], c[1], c[2]) for c in CASES])
def test_expectations_cover_every_table_entry(platform: str, expected: Mapping[Any, str], table: Mapping[Any, Any]) -> None:
    assert set(expected) == set(table), platform


@pytest.mark.parametrize(("platform", "value", "expected", "build"), PARAMS)
def test_every_status_maps(platform: str, value: object, expected: str, build: Any) -> None:
    assert convert(platform, build(value)).status.value == expected


@pytest.mark.parametrize(("platform", "raw", "path"), [
    ("taobao", order("taobao", 0) | {"status": "ALL_WAIT_PAY"}, "trade.status"),  # a request filter, not a status
    ("taobao", order("taobao", 0) | {"status": "ALL_CLOSED"}, "trade.status"),
    ("taobao", order("taobao", 0) | {"status": "wait_seller_send_goods"}, "trade.status"),
    ("taobao", _taobao_line_refund("PARTIAL_REFUND"), "trade.orders.order[0].refund_status"),
    ("jd", order("jd", 0) | {"orderState": "NOT_PAY"}, "order.orderState"),
    ("douyin", order("douyin", 0) | {"main_status": 6}, "shop_order.main_status"),
    ("douyin", _without_main_status(103), "shop_order.order_status"),  # 103 exists only as main_status
    ("douyin", order("douyin", 0) | {"main_status": "2"}, "shop_order.main_status"),
    ("douyin", _douyin_line_refund(9), "shop_order.sku_order_list[0].after_sale_info.refund_status"),
    ("pinduoduo", order("pinduoduo", 0) | {"order_status": 0}, "order.order_status"),
    ("pinduoduo", order("pinduoduo", 0) | {"group_status": 3}, "order.group_status"),
    ("shopify", order("shopify", 0) | {"fulfillment_status": "shipped"}, "order.fulfillment_status"),  # a filter value
    ("shopify", order("shopify", 0) | {"financial_status": "PAID"}, "order.financial_status"),
])
def test_unknown_status_is_a_typed_error_with_its_path(platform: str, raw: dict[str, Any], path: str) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert(platform, raw)
    assert (caught.value.code, caught.value.path) == ("order.unknown_status", path)
    assert platform.replace("tmall", "taobao") in caught.value.message("en")


def test_missing_status_is_a_missing_field() -> None:
    raw = order("jd", 0)
    del raw["orderState"]
    with pytest.raises(OrderPayloadError) as caught:
        convert("jd", raw)
    assert (caught.value.code, caught.value.path) == ("order.missing_field", "order.orderState")
