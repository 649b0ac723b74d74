"""Pinduoduo: ``pdd.order.number.list.increment.get`` (by ``updated_at``; preferred for sync) and
``pdd.order.list.get`` (by deal time); detail ``pdd.order.information.get``.

Money is **yuan in JSON numbers** (floats once stdlib-parsed): each is read through its shortest
round-trip repr, i.e. the literal the JSON carried, never its binary value. Times are Unix seconds
per PLATFORMS.md, China-time strings in the SDK models: both are read. The lists only hold
deal-confirmed orders (paid); ``group_status`` and ``risk_control_status`` hold or cancel them
(see ``shared.orders.status``). The receiver is ``*_mask`` (shown) plus ciphertext in
``receiver_name/phone/address``, which PDD empties once the order has shipped.

Amounts: ``goods_amount`` is already net of ``order_change_amount`` (the seller's price change), so
goods = goods_amount + order_change_amount and the adjustment is -order_change_amount;
``discount_amount = platform_discount + seller_discount + capital_free_discount`` is checked;
``capital_free_discount`` (团长免单) counts as seller-funded [K]; paid = ``pay_amount``.
Lines are ``item_list[]`` plus the platform's ``gift_list[]`` (gifts, price 0, still shipped).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from server.orders.adapters.base import Adapter, ReceiverParts, build_receiver, plain_orders, response_body, seller_flag
from server.orders.adapters.paging import Limits, PageRequest, next_by_has_next, next_by_total
from server.orders.adapters.reader import Reader
from shared.orders import status as tables
from shared.orders.errors import OrderPayloadError
from shared.orders.model import (
    Amounts, CanonicalOrder, EncryptedReceiver, OrderFlags, OrderLine, OrderStatus, Presale, PresaleKind,
    PresalePhase, RefundState, Region,
)

LIMITS = Limits("pinduoduo", page_size_max=100, first_page=1, window_max=timedelta(minutes=30))
_WRAPPERS = ("order_sn_increment_get_response", "order_list_get_response")
_LISTS = ("order_sn_list", "order_list")


def to_canonical(raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder:
    """One element of ``order_sn_list`` / ``order_list``."""
    order = Reader(raw, "order")
    presale = _presale(order)
    refund = order.status("refund_status", tables.PDD_REFUND_STATUS, platform="pinduoduo")
    risk = order.integer("risk_control_status", required=False) == 1
    receiver, plaintext = build_receiver(_receiver(order))
    buyer_remark, seller_remark = order.text("buyer_memo", max_chars=500), order.text("remark", max_chars=500)
    return CanonicalOrder(
        platform="pinduoduo",
        shop_id=shop_id,
        platform_order_id=order.ident("order_sn"),
        status=tables.derive_status(_base_status(order, risk), refund=refund,
                                    presale_phase=presale.phase if presale else None),
        platform_status=f"{order.get('order_status')}/{order.get('refund_status')}",
        created_at=order.unix_or_china_time("created_time"),
        modified_at=order.unix_or_china_time("updated_at"),
        paid_at=order.opt_unix_or_china_time("pay_time"),
        shipped_at=order.opt_unix_or_china_time("shipping_time"),
        ship_by=order.opt_unix_or_china_time("last_ship_time"),
        buyer_open_id=None,
        receiver=receiver,
        lines=_lines(order, presale),
        amounts=_amounts(order),
        buyer_remark=buyer_remark,
        seller_remark=seller_remark,
        seller_flag=seller_flag(order, "remark_tag"),
        presale=presale,
        flags=OrderFlags(presale=presale is not None, risk=risk, refund_in_progress=refund is RefundState.IN_PROGRESS,
                         text_sanitized=order.sanitized, plaintext_pii_in_raw=plaintext),
        raw=raw,
    )


def orders_of_page(raw_page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    body = response_body(raw_page, _WRAPPERS, platform="pinduoduo")
    key = next((key for key in _LISTS if key in body.data), _LISTS[0])
    return plain_orders(body.objects(key, required=False))


def next_cursor(raw_page: Mapping[str, Any], request: PageRequest, *, link_header: str | None = None) -> PageRequest | None:
    """``has_next`` with ``use_has_next=true`` (no total then), else ``total_count``."""
    body = response_body(raw_page, _WRAPPERS, platform="pinduoduo")
    if "has_next" in body.data:
        return next_by_has_next(request, body.flag("has_next"))
    return next_by_total(LIMITS, request, body.integer("total_count", minimum=0))


def _base_status(order: Reader, risk: bool) -> OrderStatus:
    base = order.status("order_status", tables.PDD_ORDER_STATUS, platform="pinduoduo")
    group = (order.status("group_status", tables.PDD_GROUP_STATUS, platform="pinduoduo")
             if order.has("group_status") else None)
    if group is OrderStatus.CANCELLED:
        return group
    if base is OrderStatus.PAID and (group is OrderStatus.ON_HOLD or risk):
        return OrderStatus.ON_HOLD
    return base


def _lines(order: Reader, presale: Presale | None) -> tuple[OrderLine, ...]:
    lines: list[OrderLine] = []
    seen: dict[str, int] = {}
    items = [(item, False) for item in order.objects("item_list")]
    items += [(gift, True) for gift in order.objects("gift_list", required=False)]
    for item, is_gift in items:
        sku_id = item.ident("sku_id")
        seen[sku_id] = seen.get(sku_id, 0) + 1
        lines.append(OrderLine(
            line_id=sku_id if seen[sku_id] == 1 else f"{sku_id}#{seen[sku_id]}",
            platform_item_id=item.ident("goods_id"),
            platform_sku_id=sku_id,
            seller_sku_code=item.text("outer_id", max_chars=64) or item.text("outer_goods_id", max_chars=64),
            title=item.text("goods_name", required=True),
            spec=item.text("goods_spec"),
            qty=item.integer("goods_count", minimum=1),
            unit_price_fen=0 if is_gift else item.yuan("goods_price", allow_float=True),
            presale_kind=presale.kind if presale else None,
            presale_phase=presale.phase if presale else None,
            is_gift=is_gift,
        ))
    return tuple(lines)


def _amounts(order: Reader) -> Amounts:
    def yuan(key: str, *, required: bool = False, allow_negative: bool = False) -> int:
        return order.yuan(key, required=required, allow_negative=allow_negative, allow_float=True)

    platform, seller, capital_free = yuan("platform_discount"), yuan("seller_discount"), yuan("capital_free_discount")
    if order.has("discount_amount") and yuan("discount_amount") != platform + seller + capital_free:
        raise OrderPayloadError("order.amounts_mismatch", path=order.at("discount_amount"),
                                reason="discount_amount is not platform_discount + seller_discount + capital_free_discount")
    change = yuan("order_change_amount", allow_negative=True)
    return Amounts(goods_fen=yuan("goods_amount", required=True) + change, freight_fen=yuan("postage"),
                   platform_discount_fen=platform, seller_discount_fen=seller + capital_free,
                   adjustment_fen=-change, paid_fen=yuan("pay_amount", required=True))


def _presale(order: Reader) -> Presale | None:
    if order.integer("trade_type", required=False) == 1:
        step = order.opt_obj("step_order_info")
        phase = (step.status("step_trade_status", tables.PDD_STEP_STATUS, platform="pinduoduo")
                 if step is not None else PresalePhase.UNPAID)
        deposit = step.yuan("advanced_paid_fee", required=False, allow_float=True) if step is not None else None
        paid = step.yuan("step_paid_fee", required=False, allow_float=True) if step is not None else None
        return Presale(PresaleKind.DEPOSIT, phase, deposit_fen=deposit, paid_so_far_fen=paid)
    if order.flag("is_pre_sale"):
        return Presale(PresaleKind.FULL_PAYMENT, PresalePhase.PAID_IN_FULL,
                       ship_after=order.opt_unix_or_china_time("pre_sale_time"))
    return None


def _receiver(order: Reader) -> ReceiverParts:
    """Masks come in ``*_mask``; ``receiver_name/phone/address`` hold ``~...~`` ciphertext (empty
    after shipping), or plaintext for apps without encryption, which is then masked here."""
    ciphers: list[str] = []
    shown: list[str] = []
    for key, limit in (("receiver_name", 100), ("receiver_phone", 40), ("receiver_address", 300)):
        value = order.text(key, max_chars=4096)
        is_cipher = len(value) > 2 and value.startswith("~") and value.endswith("~")
        ciphers.append(value if is_cipher else "")
        shown.append(order.text(f"{key}_mask", max_chars=limit) or ("" if is_cipher else value[:limit]))
    if not shown[2]:
        shown[2] = order.text("address_mask", max_chars=300)
    return ReceiverParts(
        name=shown[0], phone=shown[1], address=shown[2],
        region=Region(province=order.text("province", max_chars=50), city=order.text("city", max_chars=50),
                      district=order.text("town", max_chars=50)),
        encrypted=EncryptedReceiver("pinduoduo", *ciphers) if any(ciphers) else None,
    )

ADAPTER = Adapter("pinduoduo", LIMITS, to_canonical, orders_of_page, next_cursor)
