"""The one JSON error shape of the API, built in one place:

    {"error": {"code": "sku.not_found", "message": "找不到商品：X", "message_en": "Unknown SKU: X",
               "details": {"sku": "X"}}}
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.core.errors import DomainError

_HTTP_CODES = {
    400: ("http.bad_request", "请求无效", "Bad request"),
    404: ("http.not_found", "没有这个地址", "Not found"),
    405: ("http.method_not_allowed", "不支持该请求方法", "Method not allowed"),
    413: ("http.too_large", "请求内容过大", "Request body too large"),
    500: ("http.internal", "服务器内部错误，已记录", "Internal server error; it has been logged"),
}


def error_body(code: str, message: str, message_en: str, details: dict[str, object] | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "message_en": message_en, "details": details or {}}}


async def domain_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    body = exc.to_dict()
    return JSONResponse({"error": body}, status_code=exc.http_status)


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, zh, en = _HTTP_CODES.get(exc.status_code, (f"http.{exc.status_code}", str(exc.detail), str(exc.detail)))
    return JSONResponse(error_body(code, zh, en), status_code=exc.status_code)


async def server_error(_request: Request, _exc: Exception) -> Response:
    code, zh, en = _HTTP_CODES[500]
    return JSONResponse(error_body(code, zh, en), status_code=500)
