"""The stock pusher: drains ``stock_push_queue`` shop by shop, in batches of at most the platform's
limit (``shared.orders.stock_push.BATCH_LIMIT``), sending each mapped platform SKU the quantity
``shared.orders.stock_push.push_qty`` gives for the shop's warehouse, safety stock and ratio.

A queue row is removed only after the platform accepted every platform SKU mapped to it, and only if
it was not marked dirty again meanwhile (its ``generation``); a failed call keeps the row (attempts and
the platform's reason recorded) and ends that shop's round, so a failing platform is not hammered.
Quantities are read just before sending, so a push always carries the latest stock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from server.orders import platform_http
from server.store import shops as shop_store
from server.store import stock_push_queue as queue
from server.store.db import Store
from shared.orders.stock_push import BATCH_LIMIT, push_qty


@dataclass(frozen=True, slots=True)
class Pushed:
    shop_id: str
    sku_id: str
    platform_sku_id: str
    qty: int


@dataclass(slots=True)
class PushReport:
    pushed: list[Pushed] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # shop id → the last reason
    batches: int = 0


def push_stock(store: Store, http: httpx.Client, *, shop_id: str | None = None, max_batches: int = 1000) -> PushReport:
    report = PushReport()
    with store.read() as conn:
        shop_ids = [shop_id] if shop_id is not None else queue.shops_with_work(conn)
    for sid in shop_ids:
        _drain_shop(store, http, sid, report, max_batches)
    return report


def _drain_shop(store: Store, http: httpx.Client, shop_id: str, report: PushReport, max_batches: int) -> None:
    for _ in range(max_batches):
        with store.read() as conn:
            shop = shop_store.get_shop(conn, shop_id)
            if not shop.active:
                return
            items = queue.take(conn, shop_id, limit=BATCH_LIMIT.get(shop.platform, 20))
            if not items:
                return
            skus = [item.sku_id for item in items]
            mapped = queue.targets(conn, shop.platform, shop.id, skus)
            stock = queue.available(conn, shop.warehouse_id, skus)
        report.batches += 1
        accepted, failed, reason = [], [], ""
        for item in items:
            ok = True
            for platform_sku_id, pack in mapped.get(item.sku_id, []):
                qty = push_qty(stock[item.sku_id], safety_stock=shop.safety_stock, ratio_pct=shop.push_ratio_pct,
                               pack_qty=pack)
                sent, why = _send(http, shop, platform_sku_id, qty)
                if sent:
                    report.pushed.append(Pushed(shop.id, item.sku_id, platform_sku_id, qty))
                else:
                    ok, reason = False, why
                    break
            (accepted if ok else failed).append(item)
            if not ok:
                break
        with store.transaction() as conn:
            queue.done(conn, accepted)
            queue.failed(conn, failed, reason)
        if failed:
            report.failed[shop.id] = reason
            return


def _send(http: httpx.Client, shop: shop_store.Shop, platform_sku_id: str, qty: int) -> tuple[bool, str]:
    method, path, kwargs = platform_http.stock_call(shop.platform, platform_sku_id, qty)
    try:
        response = http.request(method, f"{shop.api_base_url}{path}", **kwargs)
    except httpx.TransportError as exc:
        return False, type(exc).__name__
    try:
        body = response.json()
    except ValueError:
        body = None
    return platform_http.accepted(shop.platform, response.status_code, body)
