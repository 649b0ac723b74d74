"""Request parsing, limit checks and error bodies in each platform's own shape."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from starlette.responses import JSONResponse

from server.orders.adapters import ADAPTERS
from server.orders.simulator.shapes import CHINA

_CODES = {  # reason -> (taobao code/sub_code, jd code, douyin code/sub_code, pdd error_code)
    "rate_limited": ((7, "accesscontrol.limited-by-app-access-count"), "19", (50002, "isv.rate-limit"), 70031),
    "unavailable": ((15, "isp.remote-service-unavailable"), "67", (20000, "isp.service-unavailable"), 70000),
    "bad_param": ((41, "isv.invalid-parameter"), "66", (40004, "isv.parameter-invalid"), 10000),
    "bad_method": ((22, "isv.invalid-method"), "62", (40002, "isv.method-not-found"), 10001),
}


def error_body(platform: str, reason: str, message: str) -> dict[str, Any]:
    taobao, jd, douyin, pdd = _CODES[reason]
    if platform == "taobao":
        return {"error_response": {"code": taobao[0], "msg": reason, "sub_code": taobao[1], "sub_msg": message}}
    if platform == "jd":
        return {"error_response": {"code": jd, "zh_desc": message, "en_desc": reason}}
    if platform == "douyin":
        return {"code": douyin[0], "msg": reason, "sub_code": douyin[1], "sub_msg": message, "data": {}}
    if platform == "pinduoduo":
        return {"error_response": {"error_code": pdd, "error_msg": reason, "sub_msg": message, "sub_code": str(pdd)}}
    return {"errors": message}


class SimError(Exception):
    """A request the platform refuses; ``response()`` is its error (HTTP 200 on the Chinese
    gateways, as they answer; 400 on Shopify)."""

    def __init__(self, platform: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.platform, self.reason, self.message = platform, reason, message

    def response(self) -> JSONResponse:
        status = 400 if self.platform == "shopify" else 200
        return JSONResponse(error_body(self.platform, self.reason, self.message), status_code=status)


def integer(platform: str, params: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = params.get(key, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SimError(platform, "bad_param", f"{key} must be an integer") from None


def parse_china(platform: str, params: Mapping[str, Any], key: str) -> datetime:
    try:
        return datetime.strptime(str(params[key]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except (KeyError, ValueError):
        raise SimError(platform, "bad_param", f"{key} must be yyyy-MM-dd HH:mm:ss") from None


def parse_unix(platform: str, params: Mapping[str, Any], key: str) -> datetime:
    return datetime.fromtimestamp(integer(platform, params, key), tz=timezone.utc)


def window_request(platform: str, params: Mapping[str, Any], start_key: str, end_key: str, page_key: str,
                   size_key: str, parse: Callable[[str, Mapping[str, Any], str], datetime]
                   ) -> tuple[datetime, datetime, int, int]:
    """``(start, end, page, size)`` of a list call, checked against the platform's limits."""
    limits = ADAPTERS[platform].limits
    start, end = parse(platform, params, start_key), parse(platform, params, end_key)
    page = integer(platform, params, page_key, limits.first_page)
    size = integer(platform, params, size_key, 40 if platform == "taobao" else 20)
    if not 1 <= size <= limits.page_size_max:
        raise SimError(platform, "bad_param", f"{size_key} must be 1..{limits.page_size_max}, got {size}")
    if page < limits.first_page:
        raise SimError(platform, "bad_param", f"{page_key} starts at {limits.first_page}")
    if not start < end:
        raise SimError(platform, "bad_param", f"{end_key} must be after {start_key}")
    if limits.window_max is not None and end - start > limits.window_max:
        raise SimError(platform, "bad_param", f"{start_key}..{end_key} may span at most {limits.window_max}")
    return start, end, page, size


def encode_page_info(start: datetime, end: datetime, offset: int) -> str:
    raw = json.dumps([start.isoformat(), end.isoformat(), offset]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def shopify_request(params: Mapping[str, Any]) -> tuple[datetime, datetime, int, int]:
    """``(start, end, offset, limit)``; as on Shopify, a ``page_info`` call takes only ``limit``."""
    size = integer("shopify", params, "limit", 50)
    if not 1 <= size <= ADAPTERS["shopify"].limits.page_size_max:
        raise SimError("shopify", "bad_param", f"limit must be 1..{ADAPTERS['shopify'].limits.page_size_max}")
    if "page_info" in params:
        if set(params) - {"limit", "page_info", "fields"}:
            raise SimError("shopify", "bad_param", "page_info cannot be combined with other filters")
        try:
            text = str(params["page_info"])
            start, end, offset = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            return datetime.fromisoformat(start), datetime.fromisoformat(end), int(offset), size
        except (ValueError, TypeError):
            raise SimError("shopify", "bad_param", "page_info is invalid") from None
    try:
        start = datetime.fromisoformat(str(params.get("updated_at_min", "1970-01-01T00:00:00+00:00")))
        end = datetime.fromisoformat(str(params.get("updated_at_max", "2100-01-01T00:00:00+00:00")))
    except ValueError:
        raise SimError("shopify", "bad_param", "updated_at_min/max must be ISO 8601") from None
    if start.tzinfo is None or end.tzinfo is None:
        raise SimError("shopify", "bad_param", "updated_at_min/max need an offset")
    return start, end, 0, size


def log_id(sim: Any) -> str:
    return f"{sim.now:%Y%m%d%H%M%S}{sum(sim.calls.values()):012d}"
