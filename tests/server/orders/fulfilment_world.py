"""Fixture orders for fulfilment tests: a shop on the platform simulator's keys and reviewed orders
(with their reservations) written straight into the orders tables, as review leaves them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection

from server.store import order_stock, shops
from server.store.schema_orders import order_lines, orders
from shared.core.ids import new_id

RECEIVER = {"name": "张*", "phone": "138****0000", "address": "文三路 1 号", "zip": "", "province": "浙江省",
            "city": "杭州市", "district": "西湖区", "town": "", "country": "CN", "address_key": None, "encrypted": None}


def make_shop(conn: Connection, warehouse_id: str, platform: str = "taobao", api_base_url: str = "") -> str:
    shop = shops.new_shop(platform, f"{platform}-{new_id()[-6:]}", f"{platform} 旗舰店", warehouse_id, api_base_url=api_base_url)
    return shops.insert_shop(conn, shop).id


def make_order(conn: Connection, shop_id: str, warehouse_id: str, lines: Sequence[tuple[str, int]], *,
               platform: str = "taobao", platform_order_id: str | None = None, state: str = "reviewed",
               receiver: dict[str, object] | None = None, hlc: int = 0, reserve: bool = True,
               buyer_open_id: str | None = None) -> str:
    oid, now = new_id(), datetime.now(UTC)
    conn.execute(orders.insert().values(
        id=oid, shop_id=shop_id, platform=platform, platform_order_id=platform_order_id or new_id()[-12:],
        warehouse_id=warehouse_id, state=state, held_from=None, reasons=[], platform_status="paid",
        platform_status_raw="WAIT_SELLER_SEND_GOODS", placed_at=now, paid_at=now, modified_at=now, ship_by=None,
        buyer_open_id=buyer_open_id, currency="CNY", goods_fen=100, freight_fen=0, discount_fen=0, paid_fen=100,
        receiver=receiver or RECEIVER, buyer_remark="", seller_remark="", seller_flag=None, flags={}, raw=json.dumps({}),
        version=1, ingested_at=now, updated_at=now))
    conn.execute(order_lines.insert(), [
        {"id": new_id(), "order_id": oid, "line_no": i + 1, "platform_line_id": str(i), "platform_item_id": "1",
         "platform_sku_id": sku, "seller_sku_code": "X", "title": "商品", "spec": "", "qty": qty, "sku_id": sku,
         "qty_base": qty, "unit_price_fen": 100, "discount_fen": 0, "paid_fen": 100, "refund": "none", "is_gift": False}
        for i, (sku, qty) in enumerate(lines)])
    if reserve:
        reserved, short = order_stock.reserve_orders(conn, [order_stock.StockRequest(oid, warehouse_id, tuple(lines))], hlc=hlc)
        assert not short, short
    return oid
