"""Ship-confirm (发货回传) requests per platform, and reading their answers. Pure: the sender in
``server.orders.fulfilment`` posts what ``build`` returns to the shop's API base URL.

    build(ShipConfirm) -> HttpRequest        the platform's method, path and parameters
    build_split(platform, order id, packages, first_sent=…) -> [(HttpRequest, package indexes)]
                                             a split shipment (one order, several packages, each its
                                             waybill): the calls, each with the packages it confirms
    check_answer(platform, status, body)     returns when the platform took it; raises otherwise

    platform   call                                  order key        waybill key        carrier key
    taobao     taobao.logistics.offline.send         tid              out_sid            company_code
    jd         jingdong.pop.order.shipment           orderId          logiNo             logiCoprId
    douyin     /order/logisticsAdd                   order_id         logistics_code     company_code
    pinduoduo  pdd.logistics.online.send             order_sn         tracking_number    logistics_id
    shopify    POST …/fulfillments.json (JSON)       order_id         tracking_info.number  tracking_info.company
    (tmall uses the taobao call)

    split shipments (one order, several packages):
    taobao     one offline.send per package, is_split=1, sub_tid = its lines' oids (comma-separated) [K]
    jd         one shipment call, logiNo = every waybill, comma-separated (one carrier; PLATFORMS.md)
    douyin     /order/logisticsAddMultiPack: pack_list[{shipped_order_info[{shipped_order_id,
               shipped_num}], logistics_code, company_code}], request_id (idempotent) [D: public SDKs]
    pinduoduo  online.send with the first waybill, then pdd.order.upload.extra.logistics with the
               others (extra_track_list[{shipping_id, tracking_number}], extra_track_type=1) [D: SDKs]
    shopify    one fulfillment per package with its line_items and tracking number [K]
    A package already confirmed is not sent again (``first_sent``: the order's first call was taken).

Errors: ``fulfil.unsupported_platform`` (ValidationError) for a platform without a builder;
``fulfil.ship_confirm_failed`` (RuleViolation) when the platform says no.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True, slots=True)
class PackageConfirm:
    waybill_code: str
    carrier_code: str  # Cainiao cp_code
    lines: tuple[tuple[str, int], ...]  # (platform line id, platform units) this package ships


def build_split(platform: str, platform_order_id: str, packages: Sequence[PackageConfirm], *,
                first_sent: bool = False) -> list[tuple[HttpRequest, tuple[int, ...]]]:
    """The calls that confirm ``packages`` (the ones not yet confirmed) of one order; ``first_sent``:
    an earlier call already confirmed some of its packages (the order is shipped on the platform)."""
    if not packages:
        return []
    every = tuple(range(len(packages)))
    if platform in ("taobao", "tmall"):
        return [(HttpRequest("/taobao/router/rest", {
            "method": "taobao.logistics.offline.send", "tid": platform_order_id, "out_sid": p.waybill_code,
            "company_code": carrier_for(platform, p.carrier_code), "is_split": "1",
            "sub_tid": ",".join(line_id for line_id, _ in p.lines)}), (i,)) for i, p in enumerate(packages)]
    if platform == "jd":
        business = {"orderId": platform_order_id, "logiCoprId": carrier_for(platform, packages[0].carrier_code),
                    "logiNo": ",".join(p.waybill_code for p in packages)}
        return [(HttpRequest("/jd/routerjson", {"method": "jingdong.pop.order.shipment", "360buy_param_json": json.dumps(business)}),
                 every)]
    if platform == "douyin":
        packs = [{"shipped_order_info": [{"shipped_order_id": line_id, "shipped_num": qty} for line_id, qty in p.lines],
                  "logistics_code": p.waybill_code, "company_code": carrier_for(platform, p.carrier_code)} for p in packages]
        business = {"order_id": platform_order_id, "pack_list": packs,
                    "request_id": f"{platform_order_id}:" + ",".join(p.waybill_code for p in packages)}
        return [(HttpRequest("/douyin/order/logisticsAddMultiPack", {"method": "order.logisticsAddMultiPack",
                                                                    "param_json": json.dumps(business)}), every)]
    if platform == "pinduoduo":
        out = []
        rest = list(every)
        if not first_sent:
            first = packages[0]
            out.append((HttpRequest("/pinduoduo/api/router", {
                "type": "pdd.logistics.online.send", "order_sn": platform_order_id,
                "logistics_id": carrier_for(platform, first.carrier_code), "tracking_number": first.waybill_code}), (0,)))
            rest = rest[1:]
        if rest:
            extra = [{"shipping_id": carrier_for(platform, packages[i].carrier_code), "tracking_number": packages[i].waybill_code}
                     for i in rest]
            out.append((HttpRequest("/pinduoduo/api/router", {
                "type": "pdd.order.upload.extra.logistics", "order_sn": platform_order_id, "extra_track_type": "1",
                "extra_track_list": json.dumps(extra)}), tuple(rest)))
        return out
    if platform == "shopify":
        return [(HttpRequest("/shopify/admin/api/2024-10/fulfillments.json", json={"fulfillment": {
            "order_id": platform_order_id, "notify_customer": i == len(packages) - 1,
            "line_items": [{"id": line_id, "quantity": qty} for line_id, qty in p.lines],
            "tracking_info": {"number": p.waybill_code, "company": carrier_for(platform, p.carrier_code)}}}), (i,))
                for i, p in enumerate(packages)]
    raise ValidationError("fulfil.unsupported_platform", platform=platform)


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
        return bool(body.get("logistics_online_send_response", {}).get("is_success")
                    or body.get("order_upload_extra_logistics_response", {}).get("success"))
    return False


def _reason(status: int, body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False)[:160] if body is not None else ""
    return f"HTTP {status} {text}"
