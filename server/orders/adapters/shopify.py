"""Shopify: the REST Admin ``Order`` (``GET /admin/api/<version>/orders.json``).

REST is legacy since 2024-10 and GraphQL is primary for new public apps (PLATFORMS.md); the REST
shape is what PLATFORMS.md documents, so this adapter reads it, and a GraphQL adapter can map
``Order`` nodes onto the same canonical order later.

Money is decimal strings in the shop's ``currency``: amounts become that currency's minor units
(cents, yen, fils). Times are ISO 8601 with the shop's offset. Shopify sends the receiver in
plaintext: it is masked here, and the order says its raw payload holds plaintext PII.

Amounts [K]: goods = Σ ``price × quantity``; freight = Σ ``shipping_lines[].price``; all of
``total_discounts`` is the seller's; tax counts only when prices exclude it (``taxes_included``
false); paid = ``total_price``. Status: see ``shared.orders.status`` (a COD order -- a payment
gateway named "Cash on Delivery" -- is shippable while ``pending``). A line is REFUNDED when
``refunds[].refund_line_items`` cover its whole quantity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from server.orders.adapters.base import Adapter, ReceiverParts, build_receiver
from server.orders.adapters.paging import Limits, PageRequest
from server.orders.adapters.reader import Reader
from shared.orders import money
from shared.orders import status as tables
from shared.orders.errors import PlatformError
from shared.orders.model import Amounts, CanonicalOrder, OrderFlags, OrderLine, OrderStatus, RefundState, Region

LIMITS = Limits("shopify", page_size_max=250, first_page=1, window_max=None)
_NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
_PAGE_INFO = re.compile(r"[?&]page_info=([^&]+)")


def to_canonical(raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder:
    """One element of ``orders[]``."""
    order = Reader(raw, "order")
    currency = order.text("currency", required=True, max_chars=10)
    money.currency_exponent(currency, path=order.at("currency"))
    cod = any(isinstance(name, str) and "cash on delivery" in name.lower()
              for name in _strings(order, "payment_gateway_names"))
    lines = _lines(order, currency)
    receiver, plaintext = build_receiver(_receiver(order))
    note = order.text("note", max_chars=500)
    paid = order.text("financial_status") in ("authorized", "paid", "partially_refunded")
    return CanonicalOrder(
        platform="shopify",
        shop_id=shop_id,
        platform_order_id=order.ident("id"),
        status=tables.derive_status(_base_status(order, cod), refund=tables.combine_refunds(line.refund for line in lines)),
        platform_status="/".join(str(order.get(key) or "-") for key in ("financial_status", "fulfillment_status"))
        + ("/cancelled" if order.has("cancelled_at") else ""),
        created_at=order.iso_time("created_at"),
        modified_at=order.iso_time("updated_at"),
        paid_at=order.opt_iso_time("processed_at") if paid else None,
        shipped_at=_shipped_at(order),
        buyer_open_id=order.obj("customer").ident("id") if order.get("customer") is not None else None,
        receiver=receiver,
        lines=lines,
        amounts=_amounts(order, lines, currency),
        currency=currency,
        buyer_remark=note,
        flags=OrderFlags(cod=cod, refund_in_progress=False, text_sanitized=order.sanitized, plaintext_pii_in_raw=plaintext),
        raw=raw,
    )


def orders_of_page(raw_page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    page = Reader(raw_page, "page")
    if page.get("errors") is not None:
        raise PlatformError("order.platform_error", platform="shopify", error_code="errors",
                            error_message=str(page.get("errors"))[:200])
    return [reader.data for reader in page.objects("orders")]


def next_cursor(raw_page: Mapping[str, Any], request: PageRequest, *, link_header: str | None = None) -> PageRequest | None:
    """The ``page_info`` of the ``Link`` header's ``rel="next"``; no such link ends the window."""
    match = _NEXT_LINK.search(link_header or "")
    page_info = _PAGE_INFO.search(match.group(1)) if match else None
    return replace(request, page=request.page + 1, cursor=page_info.group(1)) if page_info else None


def _base_status(order: Reader, cod: bool) -> OrderStatus:
    if order.opt_iso_time("cancelled_at") is not None:
        return order.status("financial_status", tables.SHOPIFY_CANCELLED, platform="shopify")
    base = order.status("financial_status", tables.SHOPIFY_FINANCIAL_STATUS, platform="shopify")
    shipped = tables.lookup(tables.SHOPIFY_FULFILLMENT_STATUS, order.get("fulfillment_status"),
                            platform="shopify", path=order.at("fulfillment_status"))
    if base is OrderStatus.PENDING_PAYMENT and cod:
        base = OrderStatus.PAID
    if shipped is OrderStatus.CANCELLED or (shipped is not None and base is OrderStatus.PAID):
        base = shipped
    if base is OrderStatus.SHIPPED and order.opt_iso_time("closed_at") is not None:
        return OrderStatus.COMPLETED
    return base


def _lines(order: Reader, currency: str) -> tuple[OrderLine, ...]:
    refunded: dict[str, int] = {}
    for refund in order.objects("refunds", required=False):
        for item in refund.objects("refund_line_items", required=False):
            line_id = item.ident("line_item_id")
            refunded[line_id] = refunded.get(line_id, 0) + item.integer("quantity", minimum=0)
    lines = []
    for item in order.objects("line_items"):
        line_id, qty = item.ident("id"), item.integer("quantity", minimum=1)
        lines.append(OrderLine(
            line_id=line_id,
            platform_item_id=item.ident("product_id", required=False),
            platform_sku_id=item.ident("variant_id", required=False) or line_id,
            seller_sku_code=item.text("sku", max_chars=64),
            title=item.text("title", required=True),
            spec=item.text("variant_title"),
            qty=qty,
            unit_price_fen=item.minor("price", currency),
            discount_fen=item.minor("total_discount", currency, required=False),
            refund=RefundState.REFUNDED if refunded.get(line_id, 0) >= qty else RefundState.NONE,
        ))
    return tuple(lines)


def _amounts(order: Reader, lines: tuple[OrderLine, ...], currency: str) -> Amounts:
    freight = sum(line.minor("price", currency) for line in order.objects("shipping_lines", required=False))
    tax = 0 if order.flag("taxes_included") else order.minor("total_tax", currency, required=False)
    return Amounts(goods_fen=sum(line.goods_fen for line in lines), freight_fen=freight, platform_discount_fen=0,
                   seller_discount_fen=order.minor("total_discounts", currency, required=False), tax_fen=tax,
                   paid_fen=order.minor("total_price", currency))


def _receiver(order: Reader) -> ReceiverParts:
    address = order.opt_obj("shipping_address")
    if address is None:
        return ReceiverParts("", "", "", Region(country_code=""))
    name = address.text("name", max_chars=100) or " ".join(
        part for part in (address.text("first_name", max_chars=50), address.text("last_name", max_chars=50)) if part)
    street = " ".join(part for part in (address.text("address1", max_chars=200), address.text("address2", max_chars=200)) if part)
    return ReceiverParts(
        name=name,
        phone=address.text("phone", max_chars=40) or order.text("phone", max_chars=40),
        address=street,
        region=Region(province=address.text("province", max_chars=50), city=address.text("city", max_chars=50),
                      country_code=address.text("country_code", max_chars=2)),
        zip_code=address.text("zip", max_chars=20),
    )


def _shipped_at(order: Reader) -> datetime | None:
    times = [fulfillment.opt_iso_time("created_at") for fulfillment in order.objects("fulfillments", required=False)]
    return min((moment for moment in times if moment is not None), default=None)


def _strings(order: Reader, key: str) -> list[object]:
    value = order.get(key)
    return list(value) if isinstance(value, list) else []


ADAPTER = Adapter("shopify", LIMITS, to_canonical, orders_of_page, next_cursor)
