"""What every platform adapter module provides, and the pieces they share.

An adapter is four pure functions and a table of limits (no I/O: the pull slice fetches pages and
hands them over):

    to_canonical(raw, *, shop_id) -> CanonicalOrder       one order as the platform sent it
    orders_of_page(raw_page) -> list[dict]                the orders inside one list response
    next_cursor(raw_page, request, *, link_header=None)   the next PageRequest, or None
    limits                                                page size, first page, window, row cap
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from server.orders.adapters.paging import Limits, PageRequest
from server.orders.adapters.reader import Reader
from shared.orders.errors import OrderPayloadError, PlatformError
from shared.orders.mask import ensure_masked
from shared.orders.model import CanonicalOrder, EncryptedReceiver, Receiver, Region


class ToCanonical(Protocol):
    def __call__(self, raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder: ...


class NextCursor(Protocol):
    def __call__(self, raw_page: Mapping[str, Any], request: PageRequest, *,
                 link_header: str | None = None) -> PageRequest | None: ...


@dataclass(frozen=True, slots=True)
class Adapter:
    platform: str
    limits: Limits
    to_canonical: ToCanonical
    orders_of_page: Callable[[Mapping[str, Any]], list[Mapping[str, Any]]]
    next_cursor: NextCursor


def loads(text: str | bytes) -> Any:
    """Parse a platform response exactly: big integers stay integers, decimals become ``Decimal``
    (PDD's yuan numbers are never floats), NaN/Infinity and absurd nesting raise ``order.bad_field``."""
    def refuse(constant: str) -> Any:
        raise OrderPayloadError("order.bad_field", path="page", reason=f"{constant} is not JSON")

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=refuse)
    except (ValueError, RecursionError) as exc:
        raise OrderPayloadError("order.bad_field", path="page", reason=f"not valid JSON: {str(exc)[:80]}") from None


def response_body(raw_page: object, wrappers: tuple[str, ...], *, platform: str) -> Reader:
    """The body inside the first of ``wrappers`` present in ``raw_page``; an ``error_response``
    (Taobao, JD, PDD) becomes ``order.platform_error``."""
    page = Reader(raw_page, "page")
    error = page.get("error_response")
    if error is not None:
        details = error if isinstance(error, Mapping) else {}
        code = details.get("code", details.get("error_code", ""))
        message = details.get("sub_msg") or details.get("msg") or details.get("error_msg") or details.get("zh_desc") or ""
        raise PlatformError("order.platform_error", platform=platform, error_code=str(code)[:40], error_message=str(message)[:200])
    for key in wrappers:
        if key in page.data:
            return page.obj(key)
    raise OrderPayloadError("order.missing_field", path=f"page.{wrappers[0]}")


def plain_orders(readers: list[Reader]) -> list[Mapping[str, Any]]:
    return [reader.data for reader in readers]


@dataclass(frozen=True, slots=True)
class ReceiverParts:
    """Receiver fields as the platform sent them (masked, or plaintext to be masked here)."""

    name: str
    phone: str
    address: str
    region: Region
    zip_code: str = ""
    encrypted: EncryptedReceiver | None = None
    address_key: str | None = None


def build_receiver(parts: ReceiverParts) -> tuple[Receiver, bool]:
    """The canonical receiver, masked whatever came in; ``True`` when plaintext had to be masked
    (then the raw payload holds plaintext PII)."""
    name, plain_name = ensure_masked(parts.name, "name")
    phone, plain_phone = ensure_masked(parts.phone, "phone")
    address, plain_address = ensure_masked(parts.address, "address")
    receiver = Receiver(name, phone, address, parts.region, parts.zip_code, parts.encrypted, parts.address_key or None)
    return receiver, plain_name or plain_phone or plain_address


def seller_flag(reader: Reader, key: str) -> int | None:
    """The seller's flag colour 0-5, ``None`` when absent."""
    return reader.integer(key, minimum=0, maximum=5) if reader.has(key) else None
