"""The ERP's e-waybill client (Cainiao ``cainiao.waybill.ii.get`` / ``.cancel``) over an injected
``httpx.Client`` (tests pass starlette's ``TestClient`` of the simulated carrier).

    CarrierClient(http, cp_code=…, sender=…, sleep=…)
        .get_waybills(packages) -> WaybillResult     issued {object_id: Waybill}, failed {object_id: DomainError}
        .cancel(waybill_code)                        cancelled (again is fine); unknown → waybill.not_found

Batches of at most 10 packages a call. A transient failure (transport error, HTTP 429/5xx, TOP rate
limit or ``isp.*``) is retried with the SAME object ids, so a call whose response was lost gets the
waybills it already bought, never a second set; after ``max_attempts`` the batch fails with
``waybill.carrier_unavailable``. A package the carrier refuses (bad address …) fails alone; the rest
of its batch is sent again. Packages that fail the local check are never sent.

    DomainError
    ├── ValidationError   waybill.bad_address, waybill.bad_request   this package's data is wrong
    └── RuleViolation     waybill.carrier_unavailable                transient, retries exhausted: try later
                          waybill.carrier_error                      refused for another reason
                          waybill.not_found                          cancel of a code the carrier lacks
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from server.orders.carrier.shapes import (
    CANCEL_METHOD,
    GET_METHOD,
    MAX_PER_CALL,
    REQUEST_PARAM,
    PackageRequest,
    Party,
    Waybill,
    check_request,
    parse_waybills,
    request_body,
)
from shared.core.errors import DomainError, RuleViolation, ValidationError

PATH = "/cainiao/router/rest"
OBJECT_ERRORS = {"isv.address-invalid": "waybill.bad_address", "isv.parameter-invalid": "waybill.bad_request"}


class _Transient(Exception):
    def __init__(self, status: object) -> None:
        super().__init__(str(status))
        self.status = status


@dataclass
class WaybillResult:
    issued: dict[str, Waybill] = field(default_factory=dict)
    failed: dict[str, DomainError] = field(default_factory=dict)


@dataclass
class CarrierClient:
    http: httpx.Client
    cp_code: str
    sender: Party
    path: str = PATH
    max_attempts: int = 4
    backoff_s: float = 0.2
    sleep: Callable[[float], None] = time.sleep

    def get_waybills(self, packages: Sequence[PackageRequest], cp_code: str = "") -> WaybillResult:
        """Waybills of carrier ``cp_code`` (default: the client's) for the packages."""
        cp_code = cp_code or self.cp_code
        result = WaybillResult()
        sendable = []
        for p in packages:
            try:
                check_request(request_body(cp_code, self.sender, [p]))
                sendable.append(p)
            except ValidationError as exc:
                result.failed[p.object_id] = exc
        for start in range(0, len(sendable), MAX_PER_CALL):
            self._batch(cp_code, list(sendable[start:start + MAX_PER_CALL]), result)
        return result

    def _batch(self, cp_code: str, batch: list[PackageRequest], result: WaybillResult) -> None:
        while batch:
            params = {"method": GET_METHOD, REQUEST_PARAM: json.dumps(request_body(cp_code, self.sender, batch),
                                                                      ensure_ascii=False)}
            try:
                body = self._call(params)
            except DomainError as exc:
                result.failed.update({p.object_id: exc for p in batch})
                return
            error = body.get("error_response")
            if error is None:
                result.issued.update({w.object_id: w for w in parse_waybills(body)})
                return
            culprit = str(error.get("object_id") or "")
            code = OBJECT_ERRORS.get(str(error.get("sub_code")), "")
            if error.get("sub_code") == "isv.cp-code-not-subscribed":
                result.failed.update({p.object_id: RuleViolation("waybill.not_subscribed", carrier=cp_code) for p in batch})
                return
            if not culprit or not code or culprit not in {p.object_id for p in batch}:
                failure = RuleViolation("waybill.carrier_error", code=str(error.get("sub_code", "")),
                                        message=str(error.get("sub_msg", ""))[:200])
                result.failed.update({p.object_id: failure for p in batch})
                return
            key = "field" if code == "waybill.bad_address" else "reason"
            result.failed[culprit] = ValidationError(code, **{key: str(error.get("sub_msg", ""))[:200]}, object_id=culprit)
            batch = [p for p in batch if p.object_id != culprit]

    def cancel(self, waybill_code: str, cp_code: str = "") -> None:
        body = self._call({"method": CANCEL_METHOD, "cp_code": cp_code or self.cp_code, "waybill_code": waybill_code})
        error = body.get("error_response")
        if error is not None:
            if error.get("sub_code") == "isv.waybill-not-exist":
                raise RuleViolation("waybill.not_found", waybill=waybill_code)
            raise RuleViolation("waybill.carrier_error", code=str(error.get("sub_code", "")), message=str(error.get("sub_msg", ""))[:200])

    def _call(self, params: dict[str, Any]) -> dict[str, Any]:
        """One TOP call with retries of transient failures; the JSON body (possibly an ``error_response``)."""
        last: object = ""
        for attempt in range(self.max_attempts):
            if attempt:
                self.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                return self._once(params)
            except _Transient as exc:
                last = exc.status
        raise RuleViolation("waybill.carrier_unavailable", status=last)

    def _once(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.post(self.path, data=params)
        except httpx.TransportError as exc:
            raise _Transient(type(exc).__name__) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Transient(response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise _Transient(f"{response.status_code} not JSON") from None
        error = body.get("error_response") if isinstance(body, dict) else None
        if isinstance(error, dict) and (error.get("code") == 7 or str(error.get("sub_code", "")).startswith("isp.")):
            raise _Transient(error.get("sub_code"))
        if not isinstance(body, dict):
            raise RuleViolation("waybill.carrier_error", code="", message="response is not an object")
        return body
