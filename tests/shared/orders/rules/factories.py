"""Small builders for rule tests: canonical orders with sensible defaults, and stored rule rows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from shared.orders.model import Amounts, CanonicalOrder, OrderLine, OrderStatus, Receiver, Region

NOW = datetime(2024, 11, 11, 12, tzinfo=UTC)


def line(line_id: str = "1", sku: str = "SKU-1", qty: int = 1, price_fen: int = 1000, **changes: Any) -> OrderLine:
    values: dict[str, Any] = dict(line_id=line_id, platform_item_id="i" + line_id, platform_sku_id="s" + line_id,
                                  seller_sku_code=sku, title="T恤", spec="", qty=qty, unit_price_fen=price_fen)
    values.update(changes)
    return OrderLine(**values)


def receiver(province: str = "福建省", city: str = "厦门市", district: str = "思明区", detail: str = "软件园****",
             **changes: Any) -> Receiver:
    country = changes.pop("country_code", "CN")
    values: dict[str, Any] = dict(name_masked="张**", phone_masked="138****5678", address_masked=detail,
                                  region=Region(province, city, district, country_code=country), address_key="addr-1")
    values.update(changes)
    return Receiver(**values)


def order(*lines: OrderLine, paid_fen: int | None = None, **changes: Any) -> CanonicalOrder:
    lines = lines or (line(),)
    goods = sum(ln.goods_fen for ln in lines)
    paid = goods if paid_fen is None else paid_fen
    amounts = Amounts(goods_fen=goods, freight_fen=0, platform_discount_fen=0, seller_discount_fen=0,
                      adjustment_fen=paid - goods, paid_fen=paid)
    values: dict[str, Any] = dict(
        platform="taobao", shop_id="shop-1", platform_order_id="T1", status=OrderStatus.PAID, platform_status="WAIT_SELLER_SEND_GOODS",
        created_at=NOW, modified_at=NOW, paid_at=NOW, buyer_open_id="buyer-1", receiver=receiver(),
        lines=tuple(lines), amounts=amounts)
    values.update(changes)
    return CanonicalOrder(**values)


def replace(obj: Any, **changes: Any) -> Any:
    return dataclasses.replace(obj, **changes)


def row(kind: str, definition: dict[str, Any], *, rule_id: str | None = None, position: int = 1,
        enabled: bool = True, name: str | None = None) -> dict[str, Any]:
    rule_id = rule_id or f"{kind}-{position}"
    return {"id": rule_id, "kind": kind, "name": name or f"{kind} rule", "position": position,
            "enabled": enabled, "definition": definition}
