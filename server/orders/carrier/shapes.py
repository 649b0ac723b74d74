"""Cainiao cloud-print waybill shapes (PLATFORMS.md §7), shared by the simulated carrier and the client.

Request (``param_waybill_cloud_print_apply_new_request``, a JSON string in a TOP form post)::

    {cp_code, sender{name, mobile, address{province, city, district, detail}},
     trade_order_info_dtos[≤10]{object_id, order_info{order_channels_type, trade_order_list[≤100]},
                                package_info{id, items[≤100]{name, count}, weight, total_packages_count},
                                recipient{name, mobile, address{…}}, template_url}}

Response: ``{"cainiao_waybill_ii_get_response": {"modules": {"waybill_cloud_print_response":
[{object_id, waybill_code, print_data, parent_waybill_code}]}, "request_id"}}``; an error is TOP's
``{"error_response": {code, msg, sub_code, sub_msg, object_id?}}``.

``check_request`` raises ``waybill.too_many`` / ``waybill.bad_request`` / ``waybill.bad_address``
(``ValidationError``, with the offending ``object_id`` when one package is at fault).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.core.errors import ValidationError

GET_METHOD = "cainiao.waybill.ii.get"
CANCEL_METHOD = "cainiao.waybill.ii.cancel"
REQUEST_PARAM = "param_waybill_cloud_print_apply_new_request"
MAX_PER_CALL = 10
MAX_ITEMS = 100
ADDRESS_REQUIRED = ("province", "city", "detail")
CHANNELS = {"taobao": "TB", "tmall": "TM", "jd": "JD", "pinduoduo": "PDD", "douyin": "DY", "shopify": "OTHERS"}


@dataclass(frozen=True, slots=True)
class Address:
    province: str
    city: str
    district: str
    detail: str
    town: str = ""

    def to_wire(self) -> dict[str, str]:
        return {"province": self.province, "city": self.city, "district": self.district, "town": self.town,
                "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    mobile: str
    address: Address

    def to_wire(self) -> dict[str, Any]:
        return {"name": self.name, "mobile": self.mobile, "phone": "", "address": self.address.to_wire()}


@dataclass(frozen=True, slots=True)
class PackageRequest:
    """One package that needs a waybill. ``object_id`` is the idempotency key (the package id)."""

    object_id: str
    platform: str
    platform_order_ids: tuple[str, ...]
    items: tuple[tuple[str, int], ...]  # (name, count)
    weight_g: int
    recipient: Party
    package_seq: int = 1
    packages_in_order: int = 1

    def to_wire(self) -> dict[str, Any]:
        return {"object_id": self.object_id,
                "order_info": {"order_channels_type": CHANNELS.get(self.platform, "OTHERS"),
                               "trade_order_list": list(self.platform_order_ids)},
                "package_info": {"id": self.object_id, "items": [{"name": n, "count": c} for n, c in self.items],
                                 "weight": self.weight_g, "total_packages_count": self.packages_in_order},
                "recipient": self.recipient.to_wire(),
                "template_url": "http://cloudprint.cainiao.com/template/standard/101", "user_id": 0}


@dataclass(frozen=True, slots=True)
class Waybill:
    object_id: str
    waybill_code: str
    print_data: str


def request_body(cp_code: str, sender: Party, packages: Sequence[PackageRequest]) -> dict[str, Any]:
    return {"cp_code": cp_code, "sender": sender.to_wire(), "trade_order_info_dtos": [p.to_wire() for p in packages],
            "need_encrypt": False, "multi_packages_shipment": any(p.packages_in_order > 1 for p in packages)}


def check_request(body: object) -> list[Mapping[str, Any]]:
    """The request's ``trade_order_info_dtos``, checked; see the module docstring for the errors."""
    if not isinstance(body, Mapping):
        raise ValidationError("waybill.bad_request", reason="the request must be an object")
    if not _text(body.get("cp_code")) or len(str(body["cp_code"])) >= 20:
        raise ValidationError("waybill.bad_request", reason="cp_code")
    _check_address(body.get("sender"), "sender", "")
    dtos = body.get("trade_order_info_dtos")
    if not isinstance(dtos, list) or not dtos:
        raise ValidationError("waybill.bad_request", reason="trade_order_info_dtos must be a non-empty list")
    if len(dtos) > MAX_PER_CALL:
        raise ValidationError("waybill.too_many", limit=MAX_PER_CALL, count=len(dtos))
    for dto in dtos:
        _check_dto(dto)
    return dtos


def _check_dto(dto: object) -> None:
    if not isinstance(dto, Mapping) or not _text(dto.get("object_id")) or len(str(dto["object_id"])) > 64:
        raise ValidationError("waybill.bad_request", reason="object_id")
    oid = str(dto["object_id"])
    order = dto.get("order_info")
    trades = order.get("trade_order_list") if isinstance(order, Mapping) else None
    if not isinstance(trades, list) or not 0 < len(trades) <= 100:
        raise ValidationError("waybill.bad_request", reason="order_info.trade_order_list", object_id=oid)
    package = dto.get("package_info")
    items = package.get("items") if isinstance(package, Mapping) else None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS or not all(
            isinstance(i, Mapping) and _text(i.get("name")) and _count(i.get("count")) for i in items):
        raise ValidationError("waybill.bad_request", reason="package_info.items", object_id=oid)
    _check_address(dto.get("recipient"), "recipient", oid)


def _check_address(party: object, role: str, object_id: str) -> None:
    address = party.get("address") if isinstance(party, Mapping) else None
    if not isinstance(address, Mapping):
        raise ValidationError("waybill.bad_address", field=f"{role}.address", object_id=object_id)
    for key in ADDRESS_REQUIRED:
        if not _text(address.get(key)):
            raise ValidationError("waybill.bad_address", field=f"{role}.address.{key}", object_id=object_id)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 10**6


def parse_waybills(body: Mapping[str, Any]) -> list[Waybill]:
    """The waybills of a ``cainiao.waybill.ii.get`` response (the ``modules`` list, nested or not)."""
    modules = body["cainiao_waybill_ii_get_response"]["modules"]
    rows = modules.get("waybill_cloud_print_response", []) if isinstance(modules, Mapping) else modules
    return [Waybill(str(r["object_id"]), str(r["waybill_code"]), str(r.get("print_data", ""))) for r in rows]
