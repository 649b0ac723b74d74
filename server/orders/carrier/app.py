"""A simulated carrier (Cainiao-shaped) as a Starlette app, for tests and the demo.

    POST /cainiao/router/rest   method=cainiao.waybill.ii.get     param_waybill_cloud_print_apply_new_request (JSON text)
                                method=cainiao.waybill.ii.cancel  cp_code, waybill_code
    (form-urlencoded, as TOP takes it; a JSON body is accepted too)

Idempotent by ``object_id``: the same object id (per carrier code) always gets the same waybill code,
however often it is asked for. Faults for tests, in ``app.state.carrier``: ``fail_next`` (HTTP statuses
answered before doing anything: 429, 502, 503 …) and ``lose_next`` (do the work, then answer 503 as
if the response were lost); ``subscribed``, the carrier codes the seller may take waybills from
(others are refused with ``isv.cp-code-not-subscribed``). Errors use TOP's ``error_response`` shape.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.orders.adapters.ship_confirm import CARRIERS
from server.orders.carrier.shapes import CANCEL_METHOD, GET_METHOD, REQUEST_PARAM, check_request
from shared.core.errors import ValidationError

SUB_CODES = {"waybill.too_many": "isv.too-many-orders", "waybill.bad_address": "isv.address-invalid",
             "waybill.bad_request": "isv.parameter-invalid"}


@dataclass
class Issued:
    waybill_code: str
    object_id: str
    print_data: str
    cancelled: bool = False


@dataclass
class CarrierSim:
    seed: int = 0
    issued: dict[tuple[str, str], Issued] = field(default_factory=dict)  # (cp_code, object_id) -> waybill
    fail_next: list[int] = field(default_factory=list)
    lose_next: int = 0
    calls: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    subscribed: frozenset[str] = frozenset(CARRIERS)  # the carriers the seller subscribed to (cp_codes)

    def waybill(self, cp_code: str, dto: Mapping[str, Any]) -> Issued:
        key = (cp_code, str(dto["object_id"]))
        if key not in self.issued:
            digest = hashlib.sha256(f"{self.seed}:{cp_code}:{key[1]}".encode()).hexdigest()
            code = f"{cp_code}{int(digest[:15], 16) % 10**12:012d}"
            print_data = json.dumps({"waybillCode": code, "objectId": key[1], "recipient": dto.get("recipient"),
                                     "templateURL": dto.get("template_url", "")}, ensure_ascii=False, sort_keys=True)
            self.issued[key] = Issued(code, key[1], print_data)
        return self.issued[key]

    def by_code(self, cp_code: str, waybill_code: str) -> Issued | None:
        return next((w for (cp, _o), w in self.issued.items() if cp == cp_code and w.waybill_code == waybill_code), None)


def error(code: int, msg: str, sub_code: str, sub_msg: str, status: int = 200, **extra: str) -> JSONResponse:
    return JSONResponse({"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
                                            "request_id": "sim", **extra}}, status_code=status)


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if body and request.headers.get("content-type", "").startswith("application/json"):
        params.update(json.loads(body))
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


async def router(request: Request) -> Response:
    sim: CarrierSim = request.app.state.carrier
    sim.calls += 1
    if sim.fail_next:
        status = sim.fail_next.pop(0)
        if status == 429:
            return error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count", "rate limited", status)
        return error(15, "Remote service error", "isp.remote-service-unavailable", "carrier busy", status)
    params = await _params(request)
    sim.requests.append(params)
    method = params.get("method", "")
    if method == GET_METHOD:
        response = _get(sim, params)
    elif method == CANCEL_METHOD:
        response = _cancel(sim, params)
    else:
        response = error(22, "Invalid method", "isv.invalid-method", f"unknown method {method!r}")
    if sim.lose_next and response.status_code == 200:
        sim.lose_next -= 1
        return error(15, "Remote service error", "isp.remote-service-timeout", "lost response", 503)
    return response


def _get(sim: CarrierSim, params: Mapping[str, Any]) -> JSONResponse:
    raw = params.get(REQUEST_PARAM)
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
        dtos = check_request(body)
    except ValueError:
        return error(41, "Invalid arguments", "isv.parameter-invalid", "request is not JSON")
    except ValidationError as exc:
        return error(15, "Remote service error", SUB_CODES[exc.code], exc.message("zh-CN"),
                     object_id=str(exc.details.get("object_id", "")))
    cp_code = str(body["cp_code"])
    if cp_code not in sim.subscribed:  # [K] the seller has no waybill subscription (订购) with this carrier
        return error(15, "Remote service error", "isv.cp-code-not-subscribed", f"未订购 {cp_code} 电子面单服务")
    modules = []
    for dto in dtos:
        w = sim.waybill(cp_code, dto)
        modules.append({"object_id": w.object_id, "waybill_code": w.waybill_code, "print_data": w.print_data,
                        "parent_waybill_code": ""})
    return JSONResponse({"cainiao_waybill_ii_get_response": {"modules": {"waybill_cloud_print_response": modules},
                                                             "request_id": f"sim-{sim.calls}"}})


def _cancel(sim: CarrierSim, params: Mapping[str, Any]) -> JSONResponse:
    w = sim.by_code(str(params.get("cp_code", "")), str(params.get("waybill_code", "")))
    if w is None:
        return error(15, "Remote service error", "isv.waybill-not-exist", "面单不存在")
    w.cancelled = True  # cancelling twice answers true again: the state asked for holds
    return JSONResponse({"cainiao_waybill_ii_cancel_response": {"cancel_result": True, "request_id": f"sim-{sim.calls}"}})


def create_carrier(seed: int = 0) -> Starlette:
    """The simulated carrier; its state is ``app.state.carrier`` (a ``CarrierSim``)."""
    app = Starlette(routes=[Route("/cainiao/router/rest", router, methods=["POST"])])
    app.state.carrier = CarrierSim(seed)
    return app
