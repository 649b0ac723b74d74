"""JD POP: ``jingdong.pop.order.search`` (list) and ``jingdong.pop.order.get`` (detail).

Money is yuan in decimal strings; times are China-time strings. The response wrapper is spelled
``..._responce`` (JD's historic spelling) or ``..._response``; success is ``apiResult.success``, not
HTTP 200. JD lists orders once they are paid (or COD), so there is no unpaid status.

Amounts [K]: ``orderSellerPrice = orderTotalPrice - sellerDiscount`` (checked when present); the
buyer's payment is ``orderPayment`` plus ``balanceUsed`` (JD balance is the buyer's money); whatever
else is missing between the two is funded by JD (coupons, 京豆) and becomes the platform discount.
A negative remainder does not reconcile. Lines carry no line id, so a line's id is its ``skuId``
(``#2``, ``#3`` ... when the same SKU appears again, e.g. as a gift).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from server.orders.adapters.base import Adapter, ReceiverParts, build_receiver, plain_orders, response_body
from server.orders.adapters.paging import Limits, PageRequest, next_by_total
from server.orders.adapters.reader import Reader
from shared.orders import status as tables
from shared.orders.errors import OrderPayloadError, PlatformError
from shared.orders.model import Amounts, CanonicalOrder, OrderFlags, OrderLine, Region

LIMITS = Limits("jd", page_size_max=100, first_page=1, window_max=timedelta(days=30))
_SEARCH = ("jingdong_pop_order_search_responce", "jingdong_pop_order_search_response")
_DETAIL = ("jingdong_pop_order_get_responce", "jingdong_pop_order_get_response")


def to_canonical(raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder:
    """One element of ``orderInfoList`` (or the detail call's ``orderInfo``)."""
    order = Reader(raw, "order")
    lines = _lines(order)
    receiver, plaintext = build_receiver(_receiver(order.obj("consigneeInfo")))
    buyer_remark, seller_remark = order.text("orderRemark", max_chars=500), order.text("venderRemark", max_chars=500)
    return CanonicalOrder(
        platform="jd",
        shop_id=shop_id,
        platform_order_id=order.ident("orderId"),
        status=order.status("orderState", tables.JD_ORDER_STATE, platform="jd"),
        platform_status=order.text("orderState"),
        created_at=order.china_time("orderStartTime"),
        modified_at=order.china_time("modified"),
        paid_at=order.opt_china_time("paymentConfirmTime"),
        buyer_open_id=order.opaque("openIdBuyer") or order.opaque("openId") or None,
        receiver=receiver,
        lines=lines,
        amounts=_amounts(order),
        buyer_remark=buyer_remark,
        seller_remark=seller_remark,
        flags=OrderFlags(cod=_is_cod(order), text_sanitized=order.sanitized, plaintext_pii_in_raw=plaintext),
        raw=raw,
    )


def orders_of_page(raw_page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``searchorderinfo_result.orderInfoList`` (or ``orderDetailInfo.orderInfo`` of the detail)."""
    page = Reader(raw_page, "page")
    if any(key in page.data for key in _DETAIL):
        return [response_body(raw_page, _DETAIL, platform="jd").obj("orderDetailInfo").obj("orderInfo").data]
    return plain_orders(_result(raw_page).objects("orderInfoList", required=False))


def next_cursor(raw_page: Mapping[str, Any], request: PageRequest, *, link_header: str | None = None) -> PageRequest | None:
    return next_by_total(LIMITS, request, _result(raw_page).integer("orderTotal", minimum=0))


def _result(raw_page: Mapping[str, Any]) -> Reader:
    result = response_body(raw_page, _SEARCH, platform="jd").obj("searchorderinfo_result")
    api = result.opt_obj("apiResult")
    if api is not None and api.get("success") is False:
        raise PlatformError("order.platform_error", platform="jd", error_code=str(api.get("englishErrCode") or "")[:40],
                            error_message=str(api.get("chineseErr") or "")[:200])
    return result


def _lines(order: Reader) -> tuple[OrderLine, ...]:
    lines: list[OrderLine] = []
    seen: dict[str, int] = {}
    for item in order.objects("itemInfoList"):
        sku_id = item.ident("skuId")
        seen[sku_id] = seen.get(sku_id, 0) + 1
        lines.append(OrderLine(
            line_id=sku_id if seen[sku_id] == 1 else f"{sku_id}#{seen[sku_id]}",
            platform_item_id=item.ident("wareId", required=False) or sku_id,
            platform_sku_id=sku_id,
            seller_sku_code=item.text("outerSkuId", max_chars=64),
            title=item.text("skuName", required=True),
            spec="",
            qty=item.integer("itemTotal", minimum=1),
            unit_price_fen=item.yuan("jdPrice"),
        ))
    return tuple(lines)


def _amounts(order: Reader) -> Amounts:
    goods = order.yuan("orderTotalPrice")
    seller_discount = order.yuan("sellerDiscount", required=False)
    freight = order.yuan("freightPrice", required=False)
    paid = order.yuan("orderPayment") + order.yuan("balanceUsed", required=False)
    if order.has("orderSellerPrice") and order.yuan("orderSellerPrice") != goods - seller_discount:
        raise OrderPayloadError("order.amounts_mismatch", path=order.at("orderSellerPrice"),
                                reason="orderSellerPrice is not orderTotalPrice - sellerDiscount")
    platform_discount = goods - seller_discount + freight - paid
    if platform_discount < 0:
        raise OrderPayloadError("order.amounts_mismatch", path=order.at("orderPayment"),
                                reason="the buyer paid more than the goods and freight after the seller's discount")
    return Amounts(goods_fen=goods, freight_fen=freight, platform_discount_fen=platform_discount,
                   seller_discount_fen=seller_discount, paid_fen=paid)


def _receiver(consignee: Reader) -> ReceiverParts:
    return ReceiverParts(
        name=consignee.text("fullname", max_chars=100),
        phone=consignee.text("mobile", max_chars=40) or consignee.text("telephone", max_chars=40),
        address=consignee.text("fullAddress", max_chars=300),
        region=Region(
            province=consignee.text("province", max_chars=50),
            city=consignee.text("city", max_chars=50),
            district=consignee.text("county", max_chars=50),
            town=consignee.text("town", max_chars=50),
        ),
    )


def _is_cod(order: Reader) -> bool:
    """``payType`` is "1-货到付款"-style text or a bare number; 1 is cash on delivery."""
    pay_type = order.get("payType")
    return isinstance(pay_type, str | int) and not isinstance(pay_type, bool) and str(pay_type).split("-")[0] == "1"


ADAPTER = Adapter("jd", LIMITS, to_canonical, orders_of_page, next_cursor)
