"""The platform simulator as a Starlette app: each platform's order list, stock-update and
ship-confirm endpoints, in the platform's request and response shapes (PLATFORMS.md).

    taobao     POST /taobao/router/rest         method=taobao.trades.sold.increment.get | taobao.item.quantity.update
                                                | taobao.logistics.offline.send
    jd         POST /jd/routerjson              method=jingdong.pop.order.search | jingdong.stock.write.updateSkuStock
                                                | jingdong.pop.order.shipment; business params in 360buy_param_json
    douyin     POST /douyin/order/searchList, /douyin/sku/syncStock, /douyin/order/logisticsAdd,
                    /douyin/order/logisticsAddMultiPack  (param_json)
    pinduoduo  POST /pinduoduo/api/router       type=pdd.order.number.list.increment.get | pdd.goods.quantity.update
                                                | pdd.logistics.online.send | pdd.order.upload.extra.logistics
    shopify    GET  /shopify/admin/api/2024-10/orders.json  (updated_at_min/max, limit, page_info; Link header)
               POST /shopify/admin/api/2024-10/inventory_levels/set.json, .../fulfillments.json
    test hook  POST /_sim/advance {"minutes": n}

Windows are half-open ``[start, end)`` on the modified time. Faults come before anything else:
HTTP 429 or 5xx with the platform's error body. Oversized pages or windows get the platform's error.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.orders.simulator import protocol as p
from server.orders.simulator.shapes import render
from server.orders.simulator.state import Simulator

SHOPIFY_ORDERS = "/shopify/admin/api/2024-10/orders.json"


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if body:
        if request.headers.get("content-type", "").startswith("application/json"):
            params.update(json.loads(body))
        else:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))  # form-urlencoded
    return params


def _sim(request: Request) -> Simulator:
    return request.app.state.sim  # type: ignore[no-any-return]


def _fault(sim: Simulator, platform: str) -> Response | None:
    status = sim.fault(platform)
    if status is None:
        return None
    headers = {"Retry-After": "1"} if status == 429 else None
    return JSONResponse(p.error_body(platform, "rate_limited" if status == 429 else "unavailable", f"HTTP {status}"),
                        status_code=status, headers=headers)


def _window_orders(sim: Simulator, platform: str, start: datetime, end: datetime, page: int, size: int
                   ) -> tuple[list[dict[str, Any]], int]:
    rows, total = sim.page(platform, start, end, page, size)
    return [render(order) for order in rows], total


async def taobao(request: Request) -> Response:
    sim, params = _sim(request), await _params(request)
    if (fault := _fault(sim, "taobao")) is not None:
        return fault
    method = params.get("method", "")
    try:
        if method == "taobao.trades.sold.increment.get":
            start, end, page, size = p.window_request("taobao", params, "start_modified", "end_modified",
                                                      "page_no", "page_size", p.parse_china)
            trades, total = _window_orders(sim, "taobao", start, end, page - 1, size)
            body: dict[str, Any] = {"total_results": total}
            if str(params.get("use_has_next", "")).lower() == "true":
                body = {"has_next": page * size < total}
            if trades:
                body["trades"] = {"trade": trades}
            return JSONResponse({"trades_sold_increment_get_response": body})
        if method == "taobao.item.quantity.update":
            sim.record("taobao", "stock", params)
            return JSONResponse({"item_quantity_update_response": {"item": {
                "num_iid": params.get("num_iid"), "quantity": p.integer("taobao", params, "quantity", 0)}}})
        if method == "taobao.logistics.offline.send":
            known = sim.ship("taobao", str(params.get("tid")), str(params.get("out_sid", "")), params,
                             partial=str(params.get("is_split", "")) == "1")
            return JSONResponse({"logistics_offline_send_response": {"shipping": {"is_success": known}}})
        raise p.SimError("taobao", "bad_method", f"unknown method {method!r}")
    except p.SimError as error:
        return error.response()


async def jd(request: Request) -> Response:
    sim, params = _sim(request), await _params(request)
    if (fault := _fault(sim, "jd")) is not None:
        return fault
    method = params.get("method", "")
    try:
        business = json.loads(params.get("360buy_param_json") or "{}")
        if method == "jingdong.pop.order.search":
            start, end, page, size = p.window_request("jd", business, "start_date", "end_date", "page", "page_size",
                                                      p.parse_china)
            orders, total = _window_orders(sim, "jd", start, end, page - 1, size)
            result = {"apiResult": {"success": True, "englishErrCode": "", "chineseErr": "", "numberCode": 0},
                      "orderTotal": total, "orderInfoList": orders}
            return JSONResponse({"jingdong_pop_order_search_responce": {"code": "0", "searchorderinfo_result": result}})
        if method == "jingdong.stock.write.updateSkuStock":
            sim.record("jd", "stock", business)
            return JSONResponse({"jingdong_stock_write_updateSkuStock_responce": {"code": "0", "success": True}})
        if method == "jingdong.pop.order.shipment":
            codes = [c for c in str(business.get("logiNo", "")).split(",") if c] or [""]  # several packages: comma-separated
            known = all([sim.ship("jd", str(business.get("orderId")), code, business, partial=True) for code in codes])  # [K]
            return JSONResponse({"jingdong_pop_order_shipment_responce": {
                "code": "0", "sopjosshipment_result": {"success": known, "chineseErr": "" if known else "订单不存在"}}})
        raise p.SimError("jd", "bad_method", f"unknown method {method!r}")
    except (p.SimError, json.JSONDecodeError) as error:
        return error.response() if isinstance(error, p.SimError) else p.SimError("jd", "bad_param", "360buy_param_json").response()


async def douyin(request: Request) -> Response:
    sim, params = _sim(request), await _params(request)
    if (fault := _fault(sim, "douyin")) is not None:
        return fault
    action = request.path_params["action"]
    try:
        business = json.loads(params["param_json"]) if "param_json" in params else params
        if action == "order/searchList":
            start, end, page, size = p.window_request("douyin", business, "update_time_start", "update_time_end",
                                                      "page", "size", p.parse_unix)
            orders, total = _window_orders(sim, "douyin", start, end, page, size)
            if total > 50_000:  # the platform's row cap for one query
                raise p.SimError("douyin", "bad_param", "查询结果超过50000条，请缩小时间范围")
            return JSONResponse({"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": p.log_id(sim),
                                 "data": {"page": page, "size": size, "total": total, "shop_order_list": orders}})
        if action == "sku/syncStock":
            sim.record("douyin", "stock", business)
        elif action == "order/logisticsAdd":
            if not sim.ship("douyin", str(business.get("order_id")), str(business.get("logistics_code", "")), business):
                raise p.SimError("douyin", "bad_param", "订单已发货，不允许再次执行发货")
        elif action == "order/logisticsAddMultiPack":  # a split shipment: one call, every package
            for pack in business.get("pack_list") or []:
                sim.ship("douyin", str(business.get("order_id")), str(pack.get("logistics_code", "")), business, partial=True)
        else:
            raise p.SimError("douyin", "bad_method", f"unknown method {action!r}")
        return JSONResponse({"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": p.log_id(sim), "data": {}})
    except p.SimError as error:
        return error.response()


async def pinduoduo(request: Request) -> Response:
    sim, params = _sim(request), await _params(request)
    if (fault := _fault(sim, "pinduoduo")) is not None:
        return fault
    kind = params.get("type", "")
    try:
        if kind == "pdd.order.number.list.increment.get":
            start, end, page, size = p.window_request("pinduoduo", params, "start_updated_at", "end_updated_at",
                                                      "page", "page_size", p.parse_unix)
            orders, total = _window_orders(sim, "pinduoduo", start, end, page - 1, size)
            body: dict[str, Any] = {"order_sn_list": orders}
            if str(params.get("use_has_next", "")).lower() == "true":
                body["has_next"] = page * size < total
            else:
                body["total_count"] = total
            return JSONResponse({"order_sn_increment_get_response": body})
        if kind == "pdd.goods.quantity.update":
            sim.record("pinduoduo", "stock", params)
            return JSONResponse({"goods_quantity_update_response": {"is_success": True}})
        if kind == "pdd.logistics.online.send":
            known = sim.ship("pinduoduo", str(params.get("order_sn")), str(params.get("tracking_number", "")), params)
            return JSONResponse({"logistics_online_send_response": {"is_success": known}})
        if kind == "pdd.order.upload.extra.logistics":  # the other packages of a split shipment
            tracks = json.loads(params.get("extra_track_list") or "[]")
            known = bool(tracks) and all([sim.ship("pinduoduo", str(params.get("order_sn")), str(t.get("tracking_number", "")), params,
                                                   partial=True) for t in tracks])
            return JSONResponse({"order_upload_extra_logistics_response": {"success": known}})
        raise p.SimError("pinduoduo", "bad_method", f"unknown type {kind!r}")
    except p.SimError as error:
        return error.response()


async def shopify_orders(request: Request) -> Response:
    sim, params = _sim(request), dict(request.query_params)
    if (fault := _fault(sim, "shopify")) is not None:
        return fault
    try:
        start, end, offset, size = p.shopify_request(params)
        rows, total = sim.page("shopify", start, end, 0, 10**9)
        page = rows[offset:offset + size]
        headers = {}
        if offset + size < total:
            cursor = p.encode_page_info(start, end, offset + size)
            headers["Link"] = f'<{request.url_for("shopify_orders")}?limit={size}&page_info={cursor}>; rel="next"'
        return JSONResponse({"orders": [render(order) for order in page]}, headers=headers)
    except p.SimError as error:
        return error.response()


async def shopify_write(request: Request) -> Response:
    sim, params = _sim(request), await _params(request)
    if (fault := _fault(sim, "shopify")) is not None:
        return fault
    if request.path_params["action"] == "inventory_levels/set":
        sim.record("shopify", "stock", params)
        return JSONResponse({"inventory_level": {**params, "updated_at": sim.now.isoformat()}})
    fulfillment = params.get("fulfillment") or {}
    tracking = fulfillment.get("tracking_info") or {}
    if not sim.ship("shopify", str(fulfillment.get("order_id")), str(tracking.get("number", "")), params,
                    partial=bool(fulfillment.get("line_items"))):
        return JSONResponse({"errors": "Not Found"}, status_code=404)
    return JSONResponse({"fulfillment": {"order_id": fulfillment.get("order_id"), "status": "success",
                                         "tracking_number": tracking.get("number")}}, status_code=201)


async def advance(request: Request) -> Response:
    body = json.loads(await request.body() or b"{}")
    changed = _sim(request).advance(float(body.get("minutes", 0)))
    return JSONResponse({"now": _sim(request).now.isoformat(), "changed": changed})


def create_simulator(seed: int, *, orders_per_shop: int = 200, fault_rate: float = 0.0,
                     duplicate_rate: float = 0.25, start: datetime | None = None) -> Starlette:
    """The simulator app; its state (orders, clock, ``received``) is ``app.state.sim``."""
    app = Starlette(routes=[
        Route("/taobao/router/rest", taobao, methods=["GET", "POST"]),
        Route("/jd/routerjson", jd, methods=["GET", "POST"]),
        Route("/douyin/{action:path}", douyin, methods=["POST"]),
        Route("/pinduoduo/api/router", pinduoduo, methods=["GET", "POST"]),
        Route(SHOPIFY_ORDERS, shopify_orders, methods=["GET"], name="shopify_orders"),
        Route("/shopify/admin/api/2024-10/{action:path}.json", shopify_write, methods=["POST"]),
        Route("/_sim/advance", advance, methods=["POST"]),
    ])
    app.state.sim = Simulator(seed, orders_per_shop, fault_rate, duplicate_rate, *(() if start is None else (start,)))
    return app
