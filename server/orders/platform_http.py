"""Each platform's HTTP calls, as (method, path, httpx keyword arguments): the order list for one
``PageRequest`` and one SKU's stock update. Signing and tokens are left to the transport (the simulator
needs none). Paths are relative to the shop's ``api_base_url``.

    platform   list                                          stock update
    taobao     taobao.trades.sold.increment.get              taobao.item.quantity.update (sku_id, quantity)
    jd         jingdong.pop.order.search                     jingdong.stock.write.updateSkuStock (skuId, stockNum)
    douyin     /order/searchList                             /sku/syncStock (sku_id, stock_num)
    pinduoduo  pdd.order.number.list.increment.get           pdd.goods.quantity.update (sku_id, quantity)
    shopify    GET orders.json (updated_at_min/max, page_info)  inventory_levels/set.json (inventory_item_id, available)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from server.orders.adapters.paging import PageRequest

CHINA = timezone(timedelta(hours=8))
Call = tuple[str, str, dict[str, Any]]


def _china(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def list_call(platform: str, request: PageRequest) -> Call:
    start, end = request.start, request.end
    if platform in ("taobao", "tmall"):
        return "POST", "/taobao/router/rest", {"data": {
            "method": "taobao.trades.sold.increment.get", "start_modified": _china(start), "end_modified": _china(end),
            "page_no": str(request.page), "page_size": str(request.page_size), "use_has_next": "true"}}
    if platform == "jd":
        business = {"start_date": _china(start), "end_date": _china(end), "page": str(request.page),
                    "page_size": str(request.page_size), "dateType": 0}
        return "POST", "/jd/routerjson", {"data": {"method": "jingdong.pop.order.search",
                                                   "360buy_param_json": json.dumps(business)}}
    if platform == "douyin":
        business = {"update_time_start": int(start.timestamp()), "update_time_end": int(end.timestamp()),
                    "page": request.page, "size": request.page_size}
        return "POST", "/douyin/order/searchList", {"data": {"method": "order.searchList", "v": "2",
                                                             "param_json": json.dumps(business)}}
    if platform == "pinduoduo":
        return "POST", "/pinduoduo/api/router", {"data": {
            "type": "pdd.order.number.list.increment.get", "start_updated_at": str(int(start.timestamp())),
            "end_updated_at": str(int(end.timestamp())), "page": str(request.page), "page_size": str(request.page_size),
            "use_has_next": "true"}}
    params: dict[str, Any] = ({"limit": request.page_size, "page_info": request.cursor} if request.cursor else
                              {"limit": request.page_size, "updated_at_min": start.isoformat(),
                               "updated_at_max": end.isoformat(), "status": "any"})
    return "GET", "/shopify/admin/api/2024-10/orders.json", {"params": params}


def stock_call(platform: str, platform_sku_id: str, qty: int) -> Call:
    if platform in ("taobao", "tmall"):
        return "POST", "/taobao/router/rest", {"data": {"method": "taobao.item.quantity.update", "sku_id": platform_sku_id,
                                                        "quantity": str(qty), "type": "1"}}
    if platform == "jd":
        return "POST", "/jd/routerjson", {"data": {"method": "jingdong.stock.write.updateSkuStock",
                                                   "360buy_param_json": json.dumps({"skuId": platform_sku_id, "stockNum": qty})}}
    if platform == "douyin":
        return "POST", "/douyin/sku/syncStock", {"data": {"method": "sku.syncStock", "v": "2", "param_json": json.dumps(
            {"sku_id": platform_sku_id, "stock_num": qty, "incremental": False})}}
    if platform == "pinduoduo":
        return "POST", "/pinduoduo/api/router", {"data": {"type": "pdd.goods.quantity.update", "sku_id": platform_sku_id,
                                                          "quantity": str(qty)}}
    return "POST", "/shopify/admin/api/2024-10/inventory_levels/set.json", {"json": {
        "inventory_item_id": platform_sku_id, "location_id": "default", "available": qty}}


def accepted(platform: str, status: int, body: Any) -> tuple[bool, str]:
    """Whether a write call was accepted, and the platform's reason when not."""
    if status not in (200, 201):
        return False, f"HTTP {status}"
    if not isinstance(body, dict):
        return False, "not a JSON object"
    error = body.get("error_response")
    if isinstance(error, dict):
        return False, str(error.get("sub_msg") or error.get("msg") or error.get("zh_desc") or error.get("error_msg") or "error")[:200]
    if platform == "douyin" and body.get("code") != 10000:
        return False, str(body.get("sub_msg") or body.get("msg") or body.get("code"))[:200]
    if platform == "shopify" and "errors" in body:
        return False, str(body["errors"])[:200]
    return True, ""
