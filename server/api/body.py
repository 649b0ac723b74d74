"""Reading request bodies safely: bytes are counted as they stream (the Content-Length header is not
trusted), gzip is inflated with the same limit, and JSON is parsed strictly (no NaN/Infinity, bounded
nesting)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from starlette.requests import Request

from shared.core.errors import DomainError, ValidationError


class TooLarge(DomainError):
    http_status = 413


async def read_limited(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("sync.body_too_large", limit=limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    if request.headers.get("content-encoding", "").lower() == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            raise ValidationError("sync.bad_json", reason=f"bad gzip data: {exc}") from None
        if len(body) > limit or inflater.unconsumed_tail:
            raise TooLarge("sync.body_too_large", limit=limit)
    return body


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


async def read_json(request: Request, limit: int) -> Any:
    body = await read_limited(request, limit)
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise ValidationError("sync.bad_json", reason="the body is not UTF-8") from None
    except RecursionError:
        raise ValidationError("sync.bad_json", reason="nested too deep") from None
    except ValueError as exc:
        raise ValidationError("sync.bad_json", reason=str(exc)[:200]) from None
