"""Render a simulated order (``SimOrder``) in each platform's payload shape.

The templates (``templates.json``) are the first order of each adapter fixture, one line each; the
renderers fill in ids, times, lines, amounts and statuses from the ``SimOrder``. Amounts always
reconcile the way the adapters check them (see each adapter's ``_amounts``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

CHINA = timezone(timedelta(hours=8))
SHOP_TZ = timezone(timedelta(hours=-4))  # the Shopify shop's offset
TEMPLATES: dict[str, dict[str, Any]] = json.loads((Path(__file__).parent / "templates.json").read_text(encoding="utf-8"))
STATUSES = ("paid", "shipped", "cancelled", "refunded")


@dataclass(frozen=True, slots=True)
class SimLine:
    line_id: int
    item_id: int
    sku_id: int
    code: str
    title: str
    qty: int
    unit_fen: int

    @property
    def total_fen(self) -> int:
        return self.qty * self.unit_fen


@dataclass(slots=True)
class SimOrder:
    """One generated order, platform-neutral; ``key`` is the platform order id as the adapter reads it."""

    platform: str
    key: str
    number: int
    created: datetime
    modified: datetime
    lines: list[SimLine]
    freight_fen: int
    discount_fen: int
    status: str = "paid"
    presale: bool = False
    seller_memo: str = ""
    waybill: str = ""
    versions: list[datetime] = field(default_factory=list)
    waybills: list[str] = field(default_factory=list)  # every waybill a ship-confirm gave (a split shipment: several)

    @property
    def goods_fen(self) -> int:
        return sum(line.total_fen for line in self.lines)

    @property
    def paid_fen(self) -> int:
        return self.goods_fen + self.freight_fen - self.discount_fen


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def china(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def order_key(platform: str, seed: int, number: int) -> str:
    base = (seed % 9000 + 1000) * 10**6 + number
    return {
        "taobao": str(4012000000000000000 + base),
        "jd": str(300000000000 + base),
        "douyin": str(6936000000000000000 + base * 10),
        "pinduoduo": f"241111-{base:015d}",
        "shopify": str(5100000000000 + base),
    }[platform]


def buyer_of(number: int) -> int:
    """The simulated buyer of order ``number``: each 12th order (11, 23, …) is a second order of the
    buyer before it, to the same address, so the merge rule (合单) has work to do."""
    return number - 1 if number % 12 == 11 else number


def render(order: SimOrder) -> dict[str, Any]:
    payload = RENDERERS[order.platform](copy.deepcopy(TEMPLATES[order.platform]), order)
    return payload


def _taobao(t: dict[str, Any], o: SimOrder) -> dict[str, Any]:
    closed = o.status in ("cancelled", "refunded")
    t.update(tid=int(o.key), created=china(o.created), modified=china(o.modified),
             pay_time=china(o.created + timedelta(seconds=20)), payment=yuan(o.paid_fen), total_fee=yuan(o.goods_fen),
             post_fee=yuan(o.freight_fen), discount_fee=yuan(o.discount_fen), adjust_fee="0.00", seller_memo=o.seller_memo,
             status={"paid": "WAIT_SELLER_SEND_GOODS", "shipped": "WAIT_BUYER_CONFIRM_GOODS"}.get(o.status, "TRADE_CLOSED"),
             buyer_open_uid=f"AAH{buyer_of(o.number):012d}", oaid=f"1T7Hnka{buyer_of(o.number):016d}")
    if o.status == "shipped":
        t["consign_time"] = china(o.modified)
    if o.presale:
        t.update(type="step", step_trade_status="FRONT_PAID_FINAL_PAID", step_paid_fee=yuan(o.paid_fen))
    template = t["orders"]["order"][0]
    subs = []
    for line in o.lines:
        sub = dict(template, oid=line.line_id, num_iid=line.item_id, sku_id=str(line.sku_id), outer_sku_id=line.code,
                   outer_iid=line.code.split("-")[0], title=line.title, price=yuan(line.unit_fen), num=line.qty,
                   total_fee=yuan(line.total_fen), payment=yuan(line.total_fen), status=t["status"],
                   refund_status="SUCCESS" if o.status == "refunded" else ("CLOSED" if closed else "NO_REFUND"))
        subs.append(sub)
    t["orders"] = {"order": subs}
    return t


def _jd(t: dict[str, Any], o: SimOrder) -> dict[str, Any]:
    t.update(orderId=o.key, orderTotalPrice=yuan(o.goods_fen), orderSellerPrice=yuan(o.goods_fen - o.discount_fen),
             orderPayment=yuan(o.paid_fen), freightPrice=yuan(o.freight_fen), sellerDiscount=yuan(o.discount_fen),
             balanceUsed="0.00", orderStartTime=china(o.created), paymentConfirmTime=china(o.created + timedelta(seconds=30)),
             modified=china(o.modified), venderRemark=o.seller_memo,
             orderState={"paid": "WAIT_SELLER_STOCK_OUT", "shipped": "WAIT_GOODS_RECEIVE_CONFIRM"}.get(o.status, "TRADE_CANCELED"))
    if o.waybill:
        t["waybill"] = o.waybill
    template = t["itemInfoList"][0]
    t["itemInfoList"] = [dict(template, skuId=str(line.sku_id), outerSkuId=line.code, skuName=line.title,
                              jdPrice=yuan(line.unit_fen), itemTotal=str(line.qty), wareId=str(line.item_id))
                         for line in o.lines]
    return t


_DOUYIN_STATUS = {"paid": (2, 2, "备货中"), "shipped": (3, 3, "已发货"), "cancelled": (4, 4, "已取消"), "refunded": (4, 21, "已关闭")}


def _douyin(t: dict[str, Any], o: SimOrder) -> dict[str, Any]:
    status, main, desc = _DOUYIN_STATUS[o.status]
    t.update(order_id=o.key, create_time=unix(o.created), pay_time=unix(o.created) + 9, update_time=unix(o.modified),
             order_status=status, order_status_desc=desc, main_status=main, main_status_desc=desc,
             order_amount=o.goods_fen + o.freight_fen, pay_amount=o.paid_fen, post_amount=o.freight_fen,
             post_origin_amount=o.freight_fen, promotion_amount=o.discount_fen, promotion_shop_amount=o.discount_fen,
             promotion_platform_amount=0, promotion_talent_amount=0, promotion_pay_amount=0, modify_amount=0,
             modify_post_amount=0, shop_cost_amount=o.discount_fen, platform_cost_amount=0, only_platform_cost_amount=0,
             author_cost_amount=0, seller_words=o.seller_memo, cancel_reason="买家取消" if status == 4 else "",
             doudian_open_id=f"1@#Vrt{buyer_of(o.number):016d}", open_address_id=f"#vAb{buyer_of(o.number):016d}=")
    template = t["sku_order_list"][0]
    t["sku_order_list"] = [dict(template, order_id=str(line.line_id), parent_order_id=o.key, sku_id=line.sku_id,
                                product_id=line.item_id, product_name=line.title, code=line.code, out_sku_id=line.code,
                                item_num=line.qty, goods_price=line.unit_fen, origin_amount=line.unit_fen,
                                sum_amount=line.total_fen, pay_amount=line.total_fen, promotion_amount=0,
                                pre_sale_type=1 if o.presale else 0)
                           for line in o.lines]
    return t


def _pinduoduo(t: dict[str, Any], o: SimOrder) -> dict[str, Any]:
    def num(fen: int) -> float:
        return round(fen / 100, 2)

    t.update(order_sn=o.key, goods_amount=num(o.goods_fen), discount_amount=num(o.discount_fen), platform_discount=0,
             seller_discount=num(o.discount_fen), capital_free_discount=0, order_change_amount=0,
             pay_amount=num(o.paid_fen), postage=num(o.freight_fen), created_time=china(o.created),
             pay_time=china(o.created + timedelta(seconds=10)), confirm_time=china(o.created + timedelta(seconds=10)),
             updated_at=china(o.modified), last_ship_time=china(o.created + timedelta(days=2)), remark=o.seller_memo,
             order_status=2 if o.status == "shipped" else 1, refund_status=4 if o.status in ("cancelled", "refunded") else 1,
             after_sales_status=0, is_pre_sale=1 if o.presale else 0, tracking_number=o.waybill,
             shipping_time=china(o.modified) if o.status == "shipped" else "")
    if o.presale:
        t["pre_sale_time"] = china(o.created + timedelta(days=7))
    template = t["item_list"][0]
    t["item_list"] = [dict(template, goods_id=str(line.item_id), sku_id=str(line.sku_id), outer_id=line.code,
                           outer_goods_id=line.code.split("-")[0], goods_name=line.title,
                           goods_price=num(line.unit_fen), goods_count=line.qty)
                      for line in o.lines]
    return t


def _shopify(t: dict[str, Any], o: SimOrder) -> dict[str, Any]:
    iso = lambda moment: moment.astimezone(SHOP_TZ).isoformat()  # noqa: E731
    number = 1000 + o.number
    buyer = buyer_of(o.number)
    t["customer"] = dict(t["customer"], id=7012345000000 + buyer)
    t["shipping_address"] = dict(t["shipping_address"], address1=f"{100 + buyer} Main St")
    t.update(id=int(o.key), admin_graphql_api_id=f"gid://shopify/Order/{o.key}", name=f"#{number}", order_number=number,
             created_at=iso(o.created), updated_at=iso(o.modified), processed_at=iso(o.created), currency="USD",
             total_price=yuan(o.paid_fen), subtotal_price=yuan(o.goods_fen - o.discount_fen), total_tax="0.00",
             taxes_included=True, total_discounts=yuan(o.discount_fen), note=o.seller_memo,
             financial_status={"cancelled": "voided", "refunded": "refunded"}.get(o.status, "paid"),
             fulfillment_status="fulfilled" if o.status == "shipped" else None,
             cancelled_at=iso(o.modified) if o.status in ("cancelled", "refunded") else None,
             cancel_reason="customer" if o.status in ("cancelled", "refunded") else None,
             shipping_lines=[dict(t["shipping_lines"][0], price=yuan(o.freight_fen))],
             fulfillments=[{"id": int(o.key) + 7, "status": "success", "created_at": iso(o.modified),
                            "tracking_number": o.waybill, "tracking_company": "UPS"}] if o.status == "shipped" else [],
             refunds=[{"id": int(o.key) + 9, "created_at": iso(o.modified), "refund_line_items": [
                 {"line_item_id": line.line_id, "quantity": line.qty} for line in o.lines]}] if o.status == "refunded" else [])
    template = t["line_items"][0]
    t["line_items"] = [dict(template, id=line.line_id, product_id=line.item_id, variant_id=line.sku_id, sku=line.code,
                            title=line.title, quantity=line.qty, fulfillable_quantity=0 if o.status != "paid" else line.qty,
                            price=yuan(line.unit_fen), total_discount="0.00")
                       for line in o.lines]
    return t


RENDERERS: dict[str, Callable[[dict[str, Any], SimOrder], dict[str, Any]]] = {
    "taobao": _taobao, "jd": _jd, "douyin": _douyin, "pinduoduo": _pinduoduo, "shopify": _shopify,
}
PLATFORMS = tuple(RENDERERS)
