"""Shopify REST orders → canonical orders (fixtures/shopify_orders_page.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.orders.adapters import shopify
from server.orders.adapters.paging import first_request
from shared.orders.errors import OrderPayloadError, PlatformError
from shared.orders.model import OrderStatus, RefundState
from tests.server.orders.payloads import convert, order, page


def test_usd_order_in_cents_with_tax_added_on_top() -> None:
    result = convert("shopify", order("shopify", 0))
    assert result.key == ("shopify", "shop-1", "5123456789012") and result.currency == "USD"
    amounts = result.amounts
    assert (amounts.goods_fen, amounts.freight_fen, amounts.tax_fen, amounts.seller_discount_fen, amounts.paid_fen) == (4000, 500, 350, 500, 4350)
    assert result.status is OrderStatus.PAID and result.buyer_open_id == "7012345678901"
    assert result.created_at == datetime(2024, 5, 1, 14, tzinfo=UTC) and result.buyer_remark == "Gift wrap please"
    line = result.lines[0]
    assert (line.platform_sku_id, line.seller_sku_code, line.unit_price_fen, line.discount_fen) == ("44123456789", "MUG-RED", 2000, 500)


def test_plaintext_shipping_address_is_masked_and_flagged() -> None:
    result = convert("shopify", order("shopify", 0))
    receiver = result.receiver
    assert (receiver.name_masked, receiver.phone_masked) == ("J**", "****0100")
    assert "Main" not in receiver.address_masked and "123" not in receiver.address_masked
    assert (receiver.region.country_code, receiver.region.province, receiver.zip_code) == ("US", "Illinois", "62701")
    assert result.flags.plaintext_pii_in_raw and receiver.encrypted is None


def test_jpy_order_with_tax_included_fulfilled_and_closed_is_completed() -> None:
    result = convert("shopify", order("shopify", 1))
    assert result.currency == "JPY" and result.amounts.paid_fen == 3300 and result.amounts.tax_fen == 0
    assert result.status is OrderStatus.COMPLETED
    assert result.shipped_at == datetime(2024, 5, 3, 6, tzinfo=UTC)


@pytest.mark.parametrize(("changes", "status"), [
    ({"financial_status": "pending"}, OrderStatus.PENDING_PAYMENT),
    ({"financial_status": "pending", "payment_gateway_names": ["Cash on Delivery (COD)"]}, OrderStatus.PAID),
    ({"fulfillment_status": "partial"}, OrderStatus.PARTIALLY_SHIPPED),
    ({"fulfillment_status": "fulfilled"}, OrderStatus.SHIPPED),
    ({"fulfillment_status": "restocked"}, OrderStatus.CANCELLED),
    ({"cancelled_at": "2024-05-01T11:00:00-04:00", "financial_status": "voided"}, OrderStatus.CANCELLED),
    ({"cancelled_at": "2024-05-01T11:00:00-04:00", "financial_status": "paid"}, OrderStatus.REFUNDING),
    ({"cancelled_at": "2024-05-01T11:00:00-04:00", "financial_status": "refunded"}, OrderStatus.REFUNDED),
])
def test_status_from_cancellation_payment_and_fulfilment(changes: dict[str, object], status: OrderStatus) -> None:
    assert convert("shopify", order("shopify", 0) | changes).status is status


def test_refunded_line_quantities_mark_lines_refunded() -> None:
    raw = order("shopify", 0) | {"financial_status": "partially_refunded",
                                  "refunds": [{"id": 1, "refund_line_items": [{"line_item_id": 13123456789, "quantity": 2}]}]}
    result = convert("shopify", raw)
    assert result.lines[0].refund is RefundState.REFUNDED and result.status is OrderStatus.REFUNDED


@pytest.mark.parametrize(("changes", "code", "path"), [
    ({"currency": "usd"}, "order.bad_money", "order.currency"),
    ({"total_price": "43.505"}, "order.bad_money", "order.total_price"),
    ({"total_price": "44.00"}, "order.amounts_mismatch", "amounts"),
    ({"financial_status": "chargeback"}, "order.unknown_status", "order.financial_status"),
    ({"updated_at": "2024-05-01 10:05:00"}, "order.bad_time", "order.updated_at"),
])
def test_malformed_orders_raise_typed_errors(changes: dict[str, object], code: str, path: str) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("shopify", order("shopify", 0) | changes)
    assert (caught.value.code, caught.value.path) == (code, path)


def test_link_header_cursor_and_error_body() -> None:
    request = first_request(shopify.LIMITS, datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC))
    assert request.page_size == 250
    link = ('<https://shop.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=abc123>; rel="previous", '
            '<https://shop.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=def456>; rel="next"')
    following = shopify.next_cursor(page("shopify"), request, link_header=link)
    assert following is not None and following.cursor == "def456"
    assert shopify.next_cursor(page("shopify"), request, link_header=None) is None
    assert shopify.next_cursor(page("shopify"), request, link_header=link.split(", ")[0]) is None
    with pytest.raises(PlatformError):
        shopify.orders_of_page({"errors": "[API] Invalid API key or access token"})
