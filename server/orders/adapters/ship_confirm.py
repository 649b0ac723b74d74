"""Ship-confirm (发货回传) requests per platform, and reading their answers. Pure: the sender in
``server.orders.fulfilment`` posts what ``build`` returns to the shop's API base URL.

    build(ShipConfirm) -> HttpRequest        the platform's method, path and parameters
    check_answer(platform, status, body)     returns when the platform took it; raises otherwise

    platform   call                                  order key        waybill key        carrier key
    taobao     taobao.logistics.offline.send         tid              out_sid            company_code
    jd         jingdong.pop.order.shipment           orderId          logiNo             logiCoprId
    douyin     /order/logisticsAdd                   order_id         logistics_code     company_code
    pinduoduo  pdd.logistics.online.send             order_sn         tracking_number    logistics_id
    shopify    POST …/fulfillments.json (JSON)       order_id         tracking_info.number  tracking_info.company
    (tmall uses the taobao call)

Errors: ``fulfil.unsupported_platform`` (ValidationError) for a platform without a builder;
``fulfil.ship_confirm_failed`` (RuleViolation) when the platform says no.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.core.errors import RuleViolation, ValidationError

# Carrier codes as each platform names them (Cainiao cp_code -> platform's id or code).
CARRIERS: Mapping[str, Mapping[str, str]] = {
    "YTO": {"jd": "463", "pinduoduo": "85", "douyin": "yuantong", "shopify": "YTO Express"},
    "ZTO": {"jd": "1499", "pinduoduo": "115", "douyin": "zhongtong", "shopify": "ZTO Express"},
    "STO": {"jd": "470", "pinduoduo": "1", "douyin": "shentong", "shopify": "STO Express"},
    "SF": {"jd": "467", "pinduoduo": "44", "douyin": "shunfeng", "shopify": "SF Express"},
    "YUNDA": {"jd": "1327", "pinduoduo": "121", "douyin": "yunda", "shopify": "Yunda Express"},
}


@dataclass(frozen=True, slots=True)
class ShipConfirm:
    platform: str
    platform_order_id: str
    waybill_code: str
    carrier_code: str  # Cainiao cp_code


@dataclass(frozen=True, slots=True)
class HttpRequest:
    path: str
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None


def carrier_for(platform: str, cp_code: str) -> str:
    return CARRIERS.get(cp_code, {}).get(platform, cp_code)


def build(sc: ShipConfirm) -> HttpRequest:
    carrier = carrier_for(sc.platform, sc.carrier_code)
    if sc.platform in ("taobao", "tmall"):
        return HttpRequest("/taobao/router/rest", {"method": "taobao.logistics.offline.send", "tid": sc.platform_order_id,
                                                   "out_sid": sc.waybill_code, "company_code": carrier})
    if sc.platform == "jd":
        business = {"orderId": sc.platform_order_id, "logiCoprId": carrier, "logiNo": sc.waybill_code}
        return HttpRequest("/jd/routerjson", {"method": "jingdong.pop.order.shipment", "360buy_param_json": json.dumps(business)})
    if sc.platform == "douyin":
        business = {"order_id": sc.platform_order_id, "company_code": carrier, "logistics_code": sc.waybill_code}
        return HttpRequest("/douyin/order/logisticsAdd", {"method": "order.logisticsAdd", "param_json": json.dumps(business)})
    if sc.platform == "pinduoduo":
        return HttpRequest("/pinduoduo/api/router", {"type": "pdd.logistics.online.send", "order_sn": sc.platform_order_id,
                                                     "logistics_id": carrier, "tracking_number": sc.waybill_code})
    if sc.platform == "shopify":
        return HttpRequest("/shopify/admin/api/2024-10/fulfillments.json", json={"fulfillment": {
            "order_id": sc.platform_order_id, "notify_customer": True,
            "tracking_info": {"number": sc.waybill_code, "company": carrier}}})
    raise ValidationError("fulfil.unsupported_platform", platform=sc.platform)


def check_answer(platform: str, status: int, body: Any) -> None:
    """Return when the platform accepted the ship-confirm; else ``fulfil.ship_confirm_failed``."""
    ok = _accepted(platform, status, body if isinstance(body, Mapping) else {})
    if not ok:
        raise RuleViolation("fulfil.ship_confirm_failed", platform=platform, reason=_reason(status, body))


def _accepted(platform: str, status: int, body: Mapping[str, Any]) -> bool:
    if platform == "shopify":
        return status in (200, 201)
    if status != 200 or "error_response" in body:
        return False
    if platform in ("taobao", "tmall"):
        return bool(body.get("logistics_offline_send_response", {}).get("shipping", {}).get("is_success"))
    if platform == "jd":
        wrapper = body.get("jingdong_pop_order_shipment_responce") or body.get("jingdong_pop_order_shipment_response") or {}
        return bool(wrapper.get("sopjosshipment_result", {}).get("success"))
    if platform == "douyin":
        return body.get("code") == 10000
    if platform == "pinduoduo":
        return bool(body.get("logistics_online_send_response", {}).get("is_success"))
    return False


def _reason(status: int, body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False)[:160] if body is not None else ""
    return f"HTTP {status} {text}"
