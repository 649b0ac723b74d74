"""Taobao / Tmall: ``taobao.trades.sold.get`` / ``.increment.get`` (list) and
``taobao.trade.fullinfo.get`` (detail). One adapter, two platform names (a Tmall shop is a Taobao
shop on the same TOP API): ``to_canonical`` and ``to_canonical_tmall``.

Money is yuan in decimal strings; times are China-time strings; the receiver is masked, and the
trade's ``oaid`` is the key for OAID decryption (equal for equal receiver details, so the merge
rule can use it). A ``type=step`` trade is a deposit presale; ``step_trade_status`` gives its phase.

Amounts: ``payment = total_fee + post_fee - discount_fee + adjust_fee``. Taobao does not split
platform- from seller-funded discounts in these fields, so ``discount_fee`` counts as the seller's.
A line's SKU id is ``sku_id``, or ``num_iid`` for an item without SKUs; its seller code is
``outer_sku_id``, or the item's ``outer_iid`` for a single-SKU item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from server.orders.adapters.base import Adapter, ReceiverParts, build_receiver, plain_orders, response_body, seller_flag
from server.orders.adapters.paging import Limits, PageRequest, next_by_has_next, next_by_total
from server.orders.adapters.reader import Reader
from shared.orders import status as tables
from shared.orders.model import (
    Amounts, CanonicalOrder, EncryptedReceiver, OrderFlags, OrderLine, Presale, PresaleKind, RefundState, Region,
)

LIMITS = Limits("taobao", page_size_max=100, first_page=1, window_max=timedelta(days=1))
_WRAPPERS = ("trades_sold_increment_get_response", "trades_sold_get_response", "open_trades_sold_get_response")


def to_canonical(raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder:
    """One Taobao trade (an element of ``trades.trade[]``, or ``trade`` of the detail call)."""
    return _convert(raw, shop_id=shop_id, platform="taobao")


def to_canonical_tmall(raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder:
    """The same for a Tmall shop."""
    return _convert(raw, shop_id=shop_id, platform="tmall")


def orders_of_page(raw_page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``trades.trade[]`` of a list or increment response (an empty page has no ``trades``)."""
    body = response_body(raw_page, _WRAPPERS, platform="taobao")
    trades = body.opt_obj("trades")
    return plain_orders(trades.objects("trade", required=False)) if trades else []


def next_cursor(raw_page: Mapping[str, Any], request: PageRequest, *, link_header: str | None = None) -> PageRequest | None:
    """``has_next`` when the call used ``use_has_next``, else ``total_results``."""
    body = response_body(raw_page, _WRAPPERS, platform="taobao")
    if "has_next" in body.data:
        return next_by_has_next(request, body.flag("has_next"))
    return next_by_total(LIMITS, request, body.integer("total_results", minimum=0))


def _convert(raw: Mapping[str, Any], *, shop_id: str, platform: str) -> CanonicalOrder:
    trade = Reader(raw, "trade")
    presale = _presale(trade, platform)
    lines = tuple(_line(order, presale, platform) for order in _sub_orders(trade))
    refund = tables.combine_refunds(line.refund for line in lines)
    base = trade.status("status", tables.TAOBAO_TRADE_STATUS, platform=platform)
    status = tables.derive_status(base, refund=refund, presale_phase=presale.phase if presale else None)
    receiver, plaintext = build_receiver(_receiver(trade))
    step = trade.text("step_trade_status")
    buyer_remark, seller_remark = trade.text("buyer_message", max_chars=500), trade.text("seller_memo", max_chars=500)
    return CanonicalOrder(
        platform=platform,
        shop_id=shop_id,
        platform_order_id=trade.ident("tid"),
        status=status,
        platform_status=f"{trade.text('status')}/{step}" if step else trade.text("status"),
        created_at=trade.china_time("created"),
        modified_at=trade.china_time("modified"),
        paid_at=trade.opt_china_time("pay_time"),
        shipped_at=trade.opt_china_time("consign_time"),
        buyer_open_id=trade.opaque("buyer_open_uid") or trade.opaque("buyer_open_id") or None,
        receiver=receiver,
        lines=lines,
        amounts=Amounts(
            goods_fen=trade.yuan("total_fee"),
            freight_fen=trade.yuan("post_fee", required=False),
            platform_discount_fen=0,
            seller_discount_fen=trade.yuan("discount_fee", required=False),
            adjustment_fen=trade.yuan("adjust_fee", required=False, allow_negative=True),
            paid_fen=trade.yuan("payment"),
        ),
        buyer_remark=buyer_remark,
        seller_remark=seller_remark,
        seller_flag=seller_flag(trade, "seller_flag"),
        presale=presale,
        flags=OrderFlags(
            presale=presale is not None,
            cod=trade.text("type") == "cod",
            refund_in_progress=any(line.refund is RefundState.IN_PROGRESS for line in lines),
            text_sanitized=trade.sanitized,
            plaintext_pii_in_raw=plaintext,
        ),
        raw=raw,
    )


def _sub_orders(trade: Reader) -> list[Reader]:
    """``orders.order[]`` (TOP wraps every list in an object keyed by the singular)."""
    return trade.obj("orders").objects("order")


def _line(order: Reader, presale: Presale | None, platform: str) -> OrderLine:
    item_id = order.ident("num_iid")
    refund = (order.status("refund_status", tables.TAOBAO_REFUND_STATUS, platform=platform)
              if order.has("refund_status") else RefundState.NONE)
    return OrderLine(
        line_id=order.ident("oid"),
        platform_item_id=item_id,
        platform_sku_id=order.ident("sku_id", required=False) or item_id,
        seller_sku_code=order.text("outer_sku_id", max_chars=64) or order.text("outer_iid", max_chars=64),
        title=order.text("title", required=True),
        spec=order.text("sku_properties_name"),
        qty=order.integer("num", minimum=1),
        unit_price_fen=order.yuan("price"),
        discount_fen=order.yuan("discount_fee", required=False),
        paid_fen=order.yuan("payment") if order.has("payment") else None,
        refund=refund,
        presale_kind=presale.kind if presale else None,
        presale_phase=presale.phase if presale else None,
    )


def _presale(trade: Reader, platform: str) -> Presale | None:
    if trade.text("type") != "step":
        return None
    phase = trade.status("step_trade_status", tables.TAOBAO_STEP_STATUS, platform=platform)
    paid = trade.yuan("step_paid_fee", required=False) if trade.has("step_paid_fee") else None
    return Presale(PresaleKind.DEPOSIT, phase, paid_so_far_fen=paid)


def _receiver(trade: Reader) -> ReceiverParts:
    oaid = trade.opaque("oaid")
    return ReceiverParts(
        name=trade.text("receiver_name", max_chars=100),
        phone=trade.text("receiver_mobile", max_chars=40) or trade.text("receiver_phone", max_chars=40),
        address=trade.text("receiver_address", max_chars=300),
        region=Region(
            province=trade.text("receiver_state", max_chars=50),
            city=trade.text("receiver_city", max_chars=50),
            district=trade.text("receiver_district", max_chars=50),
            town=trade.text("receiver_town", max_chars=50),
        ),
        zip_code=trade.text("receiver_zip", max_chars=20),
        encrypted=EncryptedReceiver("taobao_oaid", decrypt_ref=oaid) if oaid else None,
        address_key=oaid or None,
    )


ADAPTER = Adapter("taobao", LIMITS, to_canonical, orders_of_page, next_cursor)
TMALL_ADAPTER = Adapter("tmall", replace(LIMITS, platform="tmall"), to_canonical_tmall, orders_of_page, next_cursor)
